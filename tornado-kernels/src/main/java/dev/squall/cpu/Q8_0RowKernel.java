package dev.squall.cpu;

import dev.squall.format.F16;
import dev.squall.format.LittleEndian;
import dev.squall.format.Q8_0;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q8_0 rows: {@code n / 32} blocks of {@code {fp16 d; int8 qs[32]}} (34 bytes) at byte
 * {@code offset}.
 *
 * <p>Per block, {@code qs} is loaded {@link Lanes#F}-many bytes at a time, widened to floats
 * (B2F, exact) and multiplied by {@code d}: {@code q * d} is exact (an 8-bit integer times an
 * 11-bit fp16 significand fits a float's 24 bits), so the weights are the oracle's to the bit,
 * and {@code decode} writes them as they are. {@code dot} accumulates them with fma in two
 * independent vectors per block position and reduces once at the end.
 */
final class Q8_0RowKernel implements RowKernel {

    static final Q8_0RowKernel INSTANCE = new Q8_0RowKernel();

    private static final int STEP = Lanes.F.length();

    private Q8_0RowKernel() {}

    @Override
    public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        int blocks = Blocks.whole(Q8_0.INSTANCE, n);
        FloatVector acc0 = FloatVector.zero(Lanes.F), acc1 = acc0;
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * Q8_0.BLOCK_BYTES;
            int xb = xOffset + b * Q8_0.BLOCK_ELEMENTS;
            float d = F16.toFloat(w.get(LittleEndian.SHORT, block));
            for (int j = 0; j < Q8_0.BLOCK_ELEMENTS; j += 2 * STEP) {
                acc0 = codes(w, block, j).mul(d).fma(FloatVector.fromArray(Lanes.F, x, xb + j), acc0);
                acc1 = codes(w, block, j + STEP).mul(d).fma(FloatVector.fromArray(Lanes.F, x, xb + j + STEP), acc1);
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    @Override
    public void decode(MemorySegment w, long offset, float[] dst, int dstOffset, int n) {
        int blocks = Blocks.whole(Q8_0.INSTANCE, n);
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * Q8_0.BLOCK_BYTES;
            float d = F16.toFloat(w.get(LittleEndian.SHORT, block));
            for (int j = 0; j < Q8_0.BLOCK_ELEMENTS; j += STEP) {
                codes(w, block, j).mul(d).intoArray(dst, dstOffset + b * Q8_0.BLOCK_ELEMENTS + j);
            }
        }
    }

    /** Codes {@code qs[j .. j + STEP)} of the block as floats. */
    private static FloatVector codes(MemorySegment w, long block, int j) {
        return (FloatVector) ByteVector.fromMemorySegment(Lanes.B, w, block + Q8_0.QS_OFFSET + j, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2F, Lanes.F, 0);
    }
}
