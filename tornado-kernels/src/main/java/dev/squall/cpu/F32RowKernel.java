package dev.squall.cpu;

import dev.squall.format.LittleEndian;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * F32 rows: {@code n} little-endian floats (any {@code n}) at byte {@code offset}.
 *
 * <p>{@code dot} is memory-bound: four independent accumulators of {@link Lanes#F} hide the fma
 * latency, one horizontal reduction at the end, then a scalar tail of fewer than one vector.
 * {@code decode} is a byte copy, so it keeps every bit, NaN payloads included.
 */
final class F32RowKernel implements RowKernel {

    static final F32RowKernel INSTANCE = new F32RowKernel();

    private F32RowKernel() {}

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
            sum += w.get(LittleEndian.FLOAT, offset + 4L * i) * x[xOffset + i];
        }
        return sum;
    }

    private static FloatVector load(MemorySegment w, long offset, int i) {
        return FloatVector.fromMemorySegment(Lanes.F, w, offset + 4L * i, ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void decode(MemorySegment w, long offset, float[] dst, int dstOffset, int n) {
        MemorySegment.copy(w, LittleEndian.FLOAT, offset, dst, dstOffset, n);
    }
}
