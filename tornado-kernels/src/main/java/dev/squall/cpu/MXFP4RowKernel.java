package dev.squall.cpu;

import dev.squall.format.E8M0;
import dev.squall.format.MXFP4;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * MXFP4 rows: {@code n / 32} blocks of {@code {uint8 e; uint8 qs[16]}} (17 bytes) at byte
 * {@code offset}; low nibbles are elements 0-15, high nibbles 16-31 ({@link MXFP4}).
 *
 * <p>Per block, the 16 E2M1 values are multiplied by the block's power-of-two scale once, in a
 * register ({@link MiniVectors#e2m1Table}; each product rounds as the oracle's
 * {@code value · scale}, exactly except for overflow), and {@code qs}, loaded {@link Lanes#F}-many
 * bytes at a time and widened to ints, indexes that table nibble by nibble, so the weights are the
 * oracle's to the bit. {@code dot} and {@code dot4} sum in the canonical order ({@link RowKernel}):
 * per block, the low nibbles' elements, then the high ones'.
 */
final class MXFP4RowKernel implements RowKernel {

    static final MXFP4RowKernel INSTANCE = new MXFP4RowKernel();

    private static final int STEP = Lanes.F.length();
    private static final int HALF = MXFP4.BLOCK_ELEMENTS / 2;

    private MXFP4RowKernel() {}

    @Override
    public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        return row(w, offset, x, xOffset, n, new float[Lanes.F.length()], 0);
    }

    /** Four single-row passes: one accumulator chain per pass runs faster here than interleaved rows. */
    @Override
    public void dot4(MemorySegment w, long offset, long rowBytes, float[] x, int xOffset, int n, float[] out, int outOffset, float[] lanes) {
        for (int r = 0; r < 4; r++) out[outOffset + r] = row(w, offset + r * rowBytes, x, xOffset, n, lanes, 0);
    }

    /** One row in the canonical order; the accumulator is folded through {@code lanes[slot ..]}. All in one method, so no vector crosses a call. */
    private static float row(MemorySegment w, long offset, float[] x, int xOffset, int n, float[] lanes, int slot) {
        int blocks = Blocks.whole(MXFP4.INSTANCE, n);
        FloatVector acc = FloatVector.zero(Lanes.F);
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * MXFP4.BLOCK_BYTES;
            int xb = xOffset + b * MXFP4.BLOCK_ELEMENTS;
            float scale = E8M0.toFloat(w.get(ValueLayout.JAVA_BYTE, block));
            IntVector table = MiniVectors.e2m1Table(scale), high = MiniVectors.e2m1High(scale);
            for (int j = 0; j < HALF; j += STEP) {
                IntVector q = MiniVectors.bytes(w, block + MXFP4.QS_OFFSET + j);
                acc = MiniVectors.e2m1(q.and(0xF), table, high).fma(FloatVector.fromArray(Lanes.F, x, xb + j), acc);
            }
            for (int j = 0; j < HALF; j += STEP) {
                IntVector q = MiniVectors.bytes(w, block + MXFP4.QS_OFFSET + j);
                acc = MiniVectors.e2m1(q.lanewise(VectorOperators.LSHR, 4).and(0xF), table, high)
                        .fma(FloatVector.fromArray(Lanes.F, x, xb + HALF + j), acc);
            }
        }
        acc.intoArray(lanes, slot);
        return Lanes.sum(lanes, slot);
    }

    @Override
    public void decode(MemorySegment w, long offset, float[] dst, int dstOffset, int n) {
        int blocks = Blocks.whole(MXFP4.INSTANCE, n);
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * MXFP4.BLOCK_BYTES;
            int y = dstOffset + b * MXFP4.BLOCK_ELEMENTS;
            float scale = E8M0.toFloat(w.get(ValueLayout.JAVA_BYTE, block));
            IntVector table = MiniVectors.e2m1Table(scale), high = MiniVectors.e2m1High(scale);
            for (int j = 0; j < HALF; j += STEP) {
                IntVector q = MiniVectors.bytes(w, block + MXFP4.QS_OFFSET + j);
                MiniVectors.e2m1(q.and(0xF), table, high).intoArray(dst, y + j);
                MiniVectors.e2m1(q.lanewise(VectorOperators.LSHR, 4).and(0xF), table, high).intoArray(dst, y + HALF + j);
            }
        }
    }
}
