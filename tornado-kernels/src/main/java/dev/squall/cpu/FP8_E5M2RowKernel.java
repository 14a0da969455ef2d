package dev.squall.cpu;

import dev.squall.format.FP8;
import dev.squall.format.LittleEndian;
import dev.squall.format.Minifloat;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;

/**
 * FP8 E5M2 rows with a per-row scale: {@code {float32 scale; uint8 q[n]}} ({@code 4 + n} bytes, any
 * {@code n}) at byte {@code offset} ({@link FP8}).
 *
 * <p>The codes are loaded {@link Lanes#F}-many at a time, widened to their E5M2 values by bit
 * arithmetic ({@link MiniVectors#e5m2}, exact) and multiplied by the row's scale, one rounding as in
 * the oracle, so the weights are the oracle's to the bit. {@code dot} and {@code dot4} sum in the
 * canonical order ({@link RowKernel}): full vectors, the fold, then the tail one element at a time.
 * A class of its own rather than one shared with the other element type, so that the JIT inlines
 * the widening into the loop.
 */
final class FP8_E5M2RowKernel implements RowKernel {

    static final FP8_E5M2RowKernel INSTANCE = new FP8_E5M2RowKernel();

    private static final Minifloat ELEMENT = Minifloat.E5M2;

    private FP8_E5M2RowKernel() {}

    @Override
    public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        return row(w, offset, x, xOffset, n, new float[Lanes.F.length()], 0);
    }

    /** Four single-row passes: one accumulator chain per pass runs faster here than interleaved rows. */
    @Override
    public void dot4(MemorySegment w, long offset, long rowBytes, float[] x, int xOffset, int n, float[] out, int outOffset, float[] lanes) {
        for (int r = 0; r < 4; r++) out[outOffset + r] = row(w, offset + r * rowBytes, x, xOffset, n, lanes, 0);
    }

    /** One row in the canonical order; the accumulator is folded through {@code lanes[slot ..]}. */
    private static float row(MemorySegment w, long offset, float[] x, int xOffset, int n, float[] lanes, int slot) {
        int step = Lanes.F.length(), bound = n - n % step;
        float scale = w.get(LittleEndian.FLOAT, offset);
        long codes = offset + FP8.SCALE_BYTES;
        FloatVector acc = FloatVector.zero(Lanes.F);
        for (int i = 0; i < bound; i += step) {
            acc = MiniVectors.e5m2(MiniVectors.bytes(w, codes + i)).mul(scale).fma(FloatVector.fromArray(Lanes.F, x, xOffset + i), acc);
        }
        acc.intoArray(lanes, slot);
        return tail(Lanes.sum(lanes, slot), w, codes, scale, x, xOffset, bound, n);
    }

    /** The elements after the last full vector, fused in one by one. */
    private static float tail(float sum, MemorySegment w, long codes, float scale, float[] x, int xOffset, int from, int n) {
        for (int i = from; i < n; i++) sum = Math.fma(ELEMENT.decode(w.get(ValueLayout.JAVA_BYTE, codes + i)) * scale, x[xOffset + i], sum);
        return sum;
    }

    @Override
    public void decode(MemorySegment w, long offset, float[] dst, int dstOffset, int n) {
        int step = Lanes.F.length();
        float scale = w.get(LittleEndian.FLOAT, offset);
        long codes = offset + FP8.SCALE_BYTES;
        int i = 0;
        for (; i + step <= n; i += step) MiniVectors.e5m2(MiniVectors.bytes(w, codes + i)).mul(scale).intoArray(dst, dstOffset + i);
        for (; i < n; i++) dst[dstOffset + i] = ELEMENT.decode(w.get(ValueLayout.JAVA_BYTE, codes + i)) * scale;
    }
}
