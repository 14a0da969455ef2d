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

    /**
     * Four rows interleaved: four independent accumulation chains keep the loads of four streams in
     * flight, which a memory-bound row needs (F32 loads are cheap enough for the JIT to inline four).
     */
    @Override
    public void dot4(MemorySegment w, long offset, long rowBytes, float[] x, int xOffset, int n, float[] out, int outOffset, float[] lanes) {
        int step = Lanes.F.length(), bound = n - n % step;
        long o1 = offset + rowBytes, o2 = o1 + rowBytes, o3 = o2 + rowBytes;
        FloatVector a0 = FloatVector.zero(Lanes.F), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < bound; i += step) {
            FloatVector v = FloatVector.fromArray(Lanes.F, x, xOffset + i);
            a0 = load(w, offset, i).fma(v, a0);
            a1 = load(w, o1, i).fma(v, a1);
            a2 = load(w, o2, i).fma(v, a2);
            a3 = load(w, o3, i).fma(v, a3);
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, step);
        a2.intoArray(lanes, 2 * step);
        a3.intoArray(lanes, 3 * step);
        out[outOffset] = tail(Lanes.sum(lanes, 0), w, offset, x, xOffset, bound, n);
        out[outOffset + 1] = tail(Lanes.sum(lanes, step), w, o1, x, xOffset, bound, n);
        out[outOffset + 2] = tail(Lanes.sum(lanes, 2 * step), w, o2, x, xOffset, bound, n);
        out[outOffset + 3] = tail(Lanes.sum(lanes, 3 * step), w, o3, x, xOffset, bound, n);
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
