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
 * inlining budget and box the vectors. Tails of fewer than one vector go through the scalar
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
