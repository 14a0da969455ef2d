package dev.squall.cpu;

import dev.squall.format.LittleEndian;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * F32 rows: {@code n} little-endian floats (any {@code n}) at byte {@code offset}.
 *
 * <p>{@code dot} and {@code dot4} sum in the canonical order ({@link RowKernel}): one accumulator,
 * then a scalar tail of fewer than one vector.
 * {@code decode} is a byte copy, so it keeps every bit, NaN payloads included.
 */
final class F32RowKernel implements RowKernel {

    static final F32RowKernel INSTANCE = new F32RowKernel();

    private F32RowKernel() {}

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
        for (int i = 0; i < bound; i += step) acc = load(w, offset, i).fma(FloatVector.fromArray(Lanes.F, x, xOffset + i), acc);
        acc.intoArray(lanes, slot);
        return tail(Lanes.sum(lanes, slot), w, offset, x, xOffset, bound, n);
    }

    /** The elements after the last full vector, fused in one by one. */
    private static float tail(float sum, MemorySegment w, long offset, float[] x, int xOffset, int from, int n) {
        for (int i = from; i < n; i++) sum = Math.fma(w.get(LittleEndian.FLOAT, offset + 4L * i), x[xOffset + i], sum);
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
