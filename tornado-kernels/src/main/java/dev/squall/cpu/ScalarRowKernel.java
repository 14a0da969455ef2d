package dev.squall.cpu;

import dev.squall.format.WeightFormat;
import java.lang.foreign.MemorySegment;

/**
 * The scalar fallback of every format ({@code -Dsquall.kernels=scalar}, or a machine whose vectors
 * are too narrow): the format's own oracle {@code decode} into a scratch row, then
 * {@link Canonical#dot}.
 *
 * <p>It is there to be obviously right, not fast: when a vector kernel is suspected, switching
 * every kernel to this one tells whether the numbers change (they must not, to the bit).
 */
final class ScalarRowKernel implements RowKernel {

    private final WeightFormat format;

    ScalarRowKernel(WeightFormat format) {
        this.format = format;
    }

    @Override
    public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        float[] weights = new float[n];
        format.decode(w, offset, weights, 0, n);
        return Canonical.dot(weights, 0, x, xOffset, n);
    }

    @Override
    public void dot4(MemorySegment w, long offset, long rowBytes, float[] x, int xOffset, int n, float[] out, int outOffset, float[] lanes) {
        for (int r = 0; r < 4; r++) out[outOffset + r] = dot(w, offset + r * rowBytes, x, xOffset, n);
    }

    @Override
    public void decode(MemorySegment w, long offset, float[] dst, int dstOffset, int n) {
        format.decode(w, offset, dst, dstOffset, n);
    }

    @Override public String toString() { return "scalar " + format.name(); }
}
