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
 * <p>Each load of {@link Lanes#S} widens in registers to one float vector
 * ({@link HalfVectors#toFloat}, exact); {@code dot} keeps four independent accumulators and reduces
 * once. Tails of fewer than one vector go through the scalar {@link F16#toFloat}.
 */
final class F16RowKernel implements RowKernel {

    static final F16RowKernel INSTANCE = new F16RowKernel();

    private F16RowKernel() {}

    @Override
    public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        int step = Lanes.F.length();
        FloatVector acc0 = FloatVector.zero(Lanes.F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        int i = 0;
        for (; i + 4 * step <= n; i += 4 * step) {
            acc0 = load(w, offset, i).fma(FloatVector.fromArray(Lanes.F, x, xOffset + i), acc0);
            acc1 = load(w, offset, i + step).fma(FloatVector.fromArray(Lanes.F, x, xOffset + i + step), acc1);
            acc2 = load(w, offset, i + 2 * step).fma(FloatVector.fromArray(Lanes.F, x, xOffset + i + 2 * step), acc2);
            acc3 = load(w, offset, i + 3 * step).fma(FloatVector.fromArray(Lanes.F, x, xOffset + i + 3 * step), acc3);
        }
        for (; i + step <= n; i += step) {
            acc0 = load(w, offset, i).fma(FloatVector.fromArray(Lanes.F, x, xOffset + i), acc0);
        }
        float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += F16.toFloat(w.get(LittleEndian.SHORT, offset + 2L * i)) * x[xOffset + i];
        }
        return sum;
    }

    private static FloatVector load(MemorySegment w, long offset, int i) {
        return HalfVectors.toFloat(ShortVector.fromMemorySegment(Lanes.S, w, offset + 2L * i, ByteOrder.LITTLE_ENDIAN));
    }

    @Override
    public void decode(MemorySegment w, long offset, float[] dst, int dstOffset, int n) {
        int step = Lanes.F.length();
        int i = 0;
        for (; i + step <= n; i += step) {
            load(w, offset, i).intoArray(dst, dstOffset + i);
        }
        for (; i < n; i++) {
            dst[dstOffset + i] = F16.toFloat(w.get(LittleEndian.SHORT, offset + 2L * i));
        }
    }
}
