package dev.squall.cpu;

import dev.squall.format.F16;
import dev.squall.format.LittleEndian;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * F16 rows: {@code n} little-endian IEEE halves (any {@code n}) at byte {@code offset}.
 *
 * <p>Each load of {@link Lanes#S} widens in registers to one float vector: exact values for
 * {@code dot} ({@link HalfVectors#toFloat}), exact bits, NaNs made quiet, for {@code decode}
 * ({@link HalfVectors#toFloatBits}). {@code dot} keeps two independent accumulators (the widening,
 * not the fma latency, bounds this loop, and a third inlined widening would exceed the JIT's
 * inlining budget and box the vectors) and reduces once. Tails of fewer than one vector go through
 * the scalar {@link F16#toFloat}.
 */
final class F16RowKernel implements RowKernel {

    static final F16RowKernel INSTANCE = new F16RowKernel();

    private F16RowKernel() {}

    @Override
    public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        int step = Lanes.F.length();
        FloatVector acc0 = FloatVector.zero(Lanes.F), acc1 = acc0;
        int i = 0;
        for (; i + 2 * step <= n; i += 2 * step) {
            acc0 = weights(w, offset, i).fma(FloatVector.fromArray(Lanes.F, x, xOffset + i), acc0);
            acc1 = weights(w, offset, i + step).fma(FloatVector.fromArray(Lanes.F, x, xOffset + i + step), acc1);
        }
        if (i + step <= n) {
            acc0 = weights(w, offset, i).fma(FloatVector.fromArray(Lanes.F, x, xOffset + i), acc0);
            i += step;
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += F16.toFloat(w.get(LittleEndian.SHORT, offset + 2L * i)) * x[xOffset + i];
        }
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
