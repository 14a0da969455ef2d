package dev.squall.cpu;

import dev.squall.format.E8M0;
import dev.squall.format.MXFP4;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
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

    /** ggml's {@code kvalues_mxfp4}, the E2M1 values doubled, by code, as shorts (the int8 path's weights). */
    private static final ShortVector DOUBLED = Lanes.S.length() >= 16
            ? ShortVector.fromArray(Lanes.S, new short[] {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12}, 0) : null;

    /** Needs a short vector of 16 lanes to hold the 16-entry table (AVX-512); narrower machines keep float activations. */
    @Override public boolean dotsQ8() { return DOUBLED != null; }

    /**
     * Per block, the nibbles widened to shorts pick the doubled E2M1 values from a 16-lane table
     * (a permutation in a register); each low nibble's product plus the product of the high one in
     * the same byte ({@code |p| ≤ 2 · 12 · 127}) as shorts, widened to ints, converted and scaled
     * by the block's power of two halved times the activations' scale, as llama.cpp's
     * {@code ggml_vec_dot_mxfp4_q8_0} scales them.
     */
    @Override
    public float dotQ8(MemorySegment w, long offset, Q8Activations x, int token, float[] lanes) {
        short[] xq = x.q();
        float[] xd = x.d();
        int n = x.width(), xOffset = token * n;
        int blocks = Blocks.whole(MXFP4.INSTANCE, n), xb = xOffset / MXFP4.BLOCK_ELEMENTS;
        FloatVector acc = FloatVector.zero(Lanes.F);
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * MXFP4.BLOCK_BYTES;
            float half = E8M0.toFloat(w.get(ValueLayout.JAVA_BYTE, block) & 0xFF) * 0.5f;
            FloatVector scale = FloatVector.broadcast(Lanes.F, half * xd[xb + b]);
            int x0 = xOffset + b * MXFP4.BLOCK_ELEMENTS;
            for (int j = 0; j < HALF; j += STEP) {
                ShortVector q = (ShortVector) ByteVector.fromMemorySegment(Lanes.B, w, block + MXFP4.QS_OFFSET + j, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, Lanes.S, 0);
                ShortVector lo = q.and((short) 0xF).selectFrom(DOUBLED), hi = q.lanewise(VectorOperators.ASHR, 4).and((short) 0xF).selectFrom(DOUBLED);
                ShortVector p = lo.mul(ShortVector.fromArray(Lanes.S, xq, x0 + j)).add(hi.mul(ShortVector.fromArray(Lanes.S, xq, x0 + HALF + j)));
                IntVector sums = (IntVector) p.convertShape(VectorOperators.S2I, Lanes.I, 0);
                acc = ((FloatVector) sums.convert(VectorOperators.I2F, 0)).fma(scale, acc);
            }
        }
        acc.intoArray(lanes, 0);
        return Lanes.sum(lanes, 0);
    }

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
