package dev.squall.cpu;

import dev.squall.format.F16;
import dev.squall.format.LittleEndian;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;

/**
 * F16 rows: {@code n} little-endian IEEE halves (any {@code n}) at byte {@code offset}.
 *
 * <p>Each load of {@link Lanes#S} widens in registers to one float vector: exact values for
 * {@code dot} ({@link HalfVectors#toFloat}), exact bits, NaNs made quiet, for {@code decode}
 * ({@link HalfVectors#toFloatBits}). {@code dot} and {@code dot4} sum in the canonical order
 * ({@link RowKernel}), one row per pass: two rows' widenings in one loop body exceed the JIT's
 * inlining budget and box the vectors. {@code dotTokens} widens one row's vector once and feeds it
 * to four or eight tokens' accumulators. Tails of fewer than one vector go through the scalar
 * {@link F16#toFloat}.
 */
final class F16RowKernel implements RowKernel {

    static final F16RowKernel INSTANCE = new F16RowKernel();

    private F16RowKernel() {}

    @Override
    public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        return row(w, offset, x, xOffset, n, new float[Lanes.F.length()], 0);
    }

    /** Four single-row passes: one accumulator chain per pass runs faster here than interleaved rows. */
    @Override
    public void dot4(MemorySegment w, long offset, long rowBytes, float[] x, int xOffset, int n, float[] out, int outOffset, float[] lanes) {
        for (int r = 0; r < 4; r++) out[outOffset + r] = row(w, offset + r * rowBytes, x, xOffset, n, lanes, 0);
    }

    @Override public boolean fusesTokens() { return true; }

    /**
     * Groups of eight tokens: each weight vector is widened once per group and feeds eight
     * independent accumulation chains, enough to hide the latency of the fused multiply-adds. A
     * group of fewer tokens repeats its last token in the spare chains and drops their results.
     */
    @Override
    public void dotTokens(MemorySegment w, long offset, float[] x, int xOffset, int xStride, int tokens, int n,
                          float[] out, int outOffset, int outStride, float[] lanes) {
        for (int t = 0; t < tokens; t += 8) {
            int count = Math.min(8, tokens - t);
            if (count <= 4) row4(w, offset, x, xOffset + t * xStride, xStride, count, n, out, outOffset + t * outStride, outStride, lanes);
            else row8(w, offset, x, xOffset + t * xStride, xStride, count, n, out, outOffset + t * outStride, outStride, lanes);
        }
    }

    private static void row4(MemorySegment w, long offset, float[] x, int x0, int xs, int count, int n, float[] out, int o, int os, float[] lanes) {
        int step = Lanes.F.length(), bound = n - n % step, last = count - 1;
        int x1 = x0 + Math.min(1, last) * xs, x2 = x0 + Math.min(2, last) * xs, x3 = x0 + Math.min(3, last) * xs;
        FloatVector a0 = FloatVector.zero(Lanes.F), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < bound; i += step) {
            FloatVector v = weights(w, offset, i);
            a0 = v.fma(FloatVector.fromArray(Lanes.F, x, x0 + i), a0);
            a1 = v.fma(FloatVector.fromArray(Lanes.F, x, x1 + i), a1);
            a2 = v.fma(FloatVector.fromArray(Lanes.F, x, x2 + i), a2);
            a3 = v.fma(FloatVector.fromArray(Lanes.F, x, x3 + i), a3);
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, step);
        a2.intoArray(lanes, 2 * step);
        a3.intoArray(lanes, 3 * step);
        for (int t = 0; t < count; t++) out[o + t * os] = tail(Lanes.sum(lanes, t * step), w, offset, x, x0 + t * xs, bound, n);
    }

    private static void row8(MemorySegment w, long offset, float[] x, int x0, int xs, int count, int n, float[] out, int o, int os, float[] lanes) {
        int step = Lanes.F.length(), bound = n - n % step, last = count - 1;
        int x1 = x0 + Math.min(1, last) * xs, x2 = x0 + Math.min(2, last) * xs, x3 = x0 + Math.min(3, last) * xs;
        int x4 = x0 + Math.min(4, last) * xs, x5 = x0 + Math.min(5, last) * xs, x6 = x0 + Math.min(6, last) * xs, x7 = x0 + Math.min(7, last) * xs;
        FloatVector a0 = FloatVector.zero(Lanes.F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int i = 0; i < bound; i += step) {
            FloatVector v = weights(w, offset, i);
            a0 = v.fma(FloatVector.fromArray(Lanes.F, x, x0 + i), a0);
            a1 = v.fma(FloatVector.fromArray(Lanes.F, x, x1 + i), a1);
            a2 = v.fma(FloatVector.fromArray(Lanes.F, x, x2 + i), a2);
            a3 = v.fma(FloatVector.fromArray(Lanes.F, x, x3 + i), a3);
            a4 = v.fma(FloatVector.fromArray(Lanes.F, x, x4 + i), a4);
            a5 = v.fma(FloatVector.fromArray(Lanes.F, x, x5 + i), a5);
            a6 = v.fma(FloatVector.fromArray(Lanes.F, x, x6 + i), a6);
            a7 = v.fma(FloatVector.fromArray(Lanes.F, x, x7 + i), a7);
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, step);
        a2.intoArray(lanes, 2 * step);
        a3.intoArray(lanes, 3 * step);
        a4.intoArray(lanes, 4 * step);
        a5.intoArray(lanes, 5 * step);
        a6.intoArray(lanes, 6 * step);
        a7.intoArray(lanes, 7 * step);
        for (int t = 0; t < count; t++) out[o + t * os] = tail(Lanes.sum(lanes, t * step), w, offset, x, x0 + t * xs, bound, n);
    }

    /** One row in the canonical order; the accumulator is folded through {@code lanes[slot ..]}. */
    private static float row(MemorySegment w, long offset, float[] x, int xOffset, int n, float[] lanes, int slot) {
        int step = Lanes.F.length(), bound = n - n % step;
        FloatVector acc = FloatVector.zero(Lanes.F);
        for (int i = 0; i < bound; i += step) acc = weights(w, offset, i).fma(FloatVector.fromArray(Lanes.F, x, xOffset + i), acc);
        acc.intoArray(lanes, slot);
        return tail(Lanes.sum(lanes, slot), w, offset, x, xOffset, bound, n);
    }

    /** The elements after the last full vector, fused in one by one. */
    private static float tail(float sum, MemorySegment w, long offset, float[] x, int xOffset, int from, int n) {
        for (int i = from; i < n; i++) sum = Math.fma(F16.toFloat(w.get(LittleEndian.SHORT, offset + 2L * i)), x[xOffset + i], sum);
        return sum;
    }

    private static ShortVector load(MemorySegment w, long offset, int i) {
        return ShortVector.fromMemorySegment(Lanes.S, w, offset + 2L * i, ByteOrder.LITTLE_ENDIAN);
    }

    private static FloatVector weights(MemorySegment w, long offset, int i) {
        return HalfVectors.toFloat(load(w, offset, i));
    }

    @Override
    public void decode(MemorySegment w, long offset, float[] dst, int dstOffset, int n) {
        int step = Lanes.F.length();
        int i = 0;
        for (; i + step <= n; i += step) {
            HalfVectors.toFloatBits(load(w, offset, i)).intoArray(dst, dstOffset + i);
        }
        for (; i < n; i++) {
            dst[dstOffset + i] = F16.toFloat(w.get(LittleEndian.SHORT, offset + 2L * i));
        }
    }
}
