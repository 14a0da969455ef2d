package dev.squall.cpu;

import dev.squall.format.WeightFormat;
import java.lang.foreign.MemorySegment;

/**
 * The scalar fallback of every format ({@code -Dsquall.kernels=scalar}, or a machine whose vectors
 * are too narrow): the format's own oracle {@code decode}, streamed through a scratch of at most
 * {@value #CHUNK} floats (one K-quant super-block, eight Q8_0 blocks), with a plain float loop for
 * {@code dot}.
 *
 * <p>It is there to be obviously right, not fast: when a vector kernel is suspected, switching
 * every kernel to this one tells whether the numbers change. The scratch stays in the L1 cache;
 * no row is ever expanded whole.
 */
final class ScalarRowKernel implements RowKernel {

    static final int CHUNK = 256;

    private final WeightFormat format;
    private final int chunk;

    ScalarRowKernel(WeightFormat format) {
        this.format = format;
        this.chunk = format.blockElements() * Math.max(1, CHUNK / format.blockElements());
    }

    @Override
    public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        format.rowBytes(n);
        float[] weights = new float[Math.min(chunk, n)];
        float sum = 0f;
        for (int i = 0; i < n; i += chunk) {
            int m = Math.min(chunk, n - i);
            format.decode(w, offset + format.rowBytes(i), weights, 0, m);
            for (int k = 0; k < m; k++) {
                sum += weights[k] * x[xOffset + i + k];
            }
        }
        return sum;
    }

    @Override
    public void decode(MemorySegment w, long offset, float[] dst, int dstOffset, int n) {
        format.decode(w, offset, dst, dstOffset, n);
    }

    @Override public String toString() { return "scalar " + format.name(); }
}
