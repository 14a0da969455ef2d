package dev.squall.cpu;

import dev.squall.format.F16;
import dev.squall.format.LittleEndian;
import dev.squall.format.Q6_K;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q6_K rows: {@code n / 256} super-blocks of 210 bytes at byte {@code offset}, laid out as
 * {@link Q6_K} describes.
 *
 * <p>In half {@code h} of a super-block, position {@code l} and pair {@code g} (0 or 1), one load of
 * {@link Lanes#F}-many bytes {@code ql[32g + l ..]} holds the low 4 bits of group {@code g}
 * (elements {@code 32g + l ..}) in its low nibbles and of group {@code g + 2} in its high
 * nibbles; {@code qh[l ..]} shifted right by {@code 2g} has the high 2 bits of group {@code g} in
 * bits 0-1 and of group {@code g + 2} in bits 4-5, each moved to bits 4-5 of the code with a
 * shift and a mask {@code 0x30} (the sign extension of the byte widening lands above the mask).
 * Every loop body handles one group, which keeps the JIT's IR small enough to inline every vector
 * operation (four groups in one body were not, and every vector got boxed).
 *
 * <p>A vector never straddles two 16-element sub-blocks ({@link Lanes#F} has at most 16 lanes and
 * {@code l} is a multiple of it), so each vector has one scale {@code d * scales[k]}, group
 * {@code g} of position {@code l} being sub-block {@code 8h + l / 16 + 2g}. Weights
 * {@code (d * sc) * (q - 32)} are exact products (11 + 7 + 5 significant bits), so they equal the
 * oracle's. {@code dot} and {@code dot4} sum in the canonical order ({@link RowKernel}), one row
 * per pass, visiting the four groups of each half in element order.
 */
final class Q6_KRowKernel implements RowKernel {

    static final Q6_KRowKernel INSTANCE = new Q6_KRowKernel();

    private static final int STEP = Lanes.F.length();

    private Q6_KRowKernel() {}

    @Override public boolean dotsQ8() { return true; }

    @Override public Q8Activations.Kind q8Kind() { return Q8Activations.Kind.Q8_K; }

    /**
     * llama.cpp's {@code ggml_vec_dot_q6_K_q8_K}: per super-block, the 6-bit codes minus 32 times
     * the activations as shorts ({@code |p| ≤ 32 · 127}), widened to ints and multiplied by each
     * 16-element group's signed 8-bit scale, all sixteen groups summed in int lanes (below 2^24,
     * so the conversion is exact) and scaled by {@code d · d_x}.
     */
    @Override
    public float dotQ8(MemorySegment w, long offset, Q8Activations x, int token, float[] lanes) {
        short[] xq = x.q();
        int n = x.width(), blocks = Blocks.whole(Q6_K.INSTANCE, n);
        FloatVector acc = FloatVector.zero(Lanes.F);
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * Q6_K.BLOCK_BYTES;
            float d = F16.toFloat(w.get(LittleEndian.SHORT, block + Q6_K.D_OFFSET)) * x.d()[token * n / Q6_K.BLOCK_ELEMENTS + b];
            int x0 = token * n + b * Q6_K.BLOCK_ELEMENTS;
            IntVector isum = IntVector.zero(Lanes.I);
            long scales = block + Q6_K.SCALES_OFFSET;
            for (int h = 0; h < 2; h++) {
                for (int l = 0; l < 32; l += STEP) {
                    ShortVector ql0 = shorts(w, block + Q6_K.QL_OFFSET + 64 * h + l), ql1 = shorts(w, block + Q6_K.QL_OFFSET + 64 * h + 32 + l);
                    ShortVector qh = shorts(w, block + Q6_K.QH_OFFSET + 32 * h + l);
                    int xg = x0 + 128 * h + l;
                    long sg = scales + 8 * h + l / 16;
                    ShortVector c0 = ql0.and((short) 0xF).or(qh.and((short) 3).lanewise(VectorOperators.LSHL, 4));
                    ShortVector c1 = ql1.and((short) 0xF).or(qh.and((short) 0xC).lanewise(VectorOperators.LSHL, 2));
                    ShortVector c2 = ql0.lanewise(VectorOperators.ASHR, 4).and((short) 0xF).or(qh.and((short) 0x30));
                    ShortVector c3 = ql1.lanewise(VectorOperators.ASHR, 4).and((short) 0xF).or(qh.lanewise(VectorOperators.ASHR, 2).and((short) 0x30));
                    ShortVector p0 = c0.sub((short) 32).mul(ShortVector.fromArray(Lanes.S, xq, xg));
                    ShortVector p1 = c1.sub((short) 32).mul(ShortVector.fromArray(Lanes.S, xq, xg + 32));
                    ShortVector p2 = c2.sub((short) 32).mul(ShortVector.fromArray(Lanes.S, xq, xg + 64));
                    ShortVector p3 = c3.sub((short) 32).mul(ShortVector.fromArray(Lanes.S, xq, xg + 96));
                    isum = isum.add(((IntVector) p0.convertShape(VectorOperators.S2I, Lanes.I, 0)).mul(IntVector.broadcast(Lanes.I, w.get(java.lang.foreign.ValueLayout.JAVA_BYTE, sg))))
                            .add(((IntVector) p1.convertShape(VectorOperators.S2I, Lanes.I, 0)).mul(IntVector.broadcast(Lanes.I, w.get(java.lang.foreign.ValueLayout.JAVA_BYTE, sg + 2))))
                            .add(((IntVector) p2.convertShape(VectorOperators.S2I, Lanes.I, 0)).mul(IntVector.broadcast(Lanes.I, w.get(java.lang.foreign.ValueLayout.JAVA_BYTE, sg + 4))))
                            .add(((IntVector) p3.convertShape(VectorOperators.S2I, Lanes.I, 0)).mul(IntVector.broadcast(Lanes.I, w.get(java.lang.foreign.ValueLayout.JAVA_BYTE, sg + 6))));
                }
            }
            acc = ((FloatVector) isum.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Lanes.F, d), acc);
        }
        acc.intoArray(lanes, 0);
        return Lanes.sum(lanes, 0);
    }

    /** {@link Lanes#S}-many bytes from {@code at}, widened to shorts (sign-extended; callers mask). */
    private static ShortVector shorts(MemorySegment w, long at) {
        return (ShortVector) ByteVector.fromMemorySegment(Lanes.B, w, at, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, Lanes.S, 0);
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

    /**
     * One row in the canonical order; the accumulator is folded through {@code lanes[slot ..]}. In
     * half h, elements 32g + l of group g: groups 0 and 1 are the low nibbles of ql[32g + l], groups
     * 2 and 3 the high nibbles of ql[32(g - 2) + l], their high bits from qh[l] >> 2(g mod 2). All
     * in one method: a helper taking the accumulator would be compiled on its own first and then,
     * too big to inline, box every vector it is passed.
     */
    private static float row(MemorySegment w, long offset, float[] x, int xOffset, int n, float[] lanes, int slot) {
        int blocks = Blocks.whole(Q6_K.INSTANCE, n);
        FloatVector acc = FloatVector.zero(Lanes.F);
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * Q6_K.BLOCK_BYTES;
            float d = F16.toFloat(w.get(LittleEndian.SHORT, block + Q6_K.D_OFFSET));
            for (int h = 0; h < 2; h++) {
                long scales = w.get(LittleEndian.LONG, block + Q6_K.SCALES_OFFSET + 8 * h);
                int xh = xOffset + b * Q6_K.BLOCK_ELEMENTS + 128 * h;
                for (int g = 0; g < 2; g++) {
                    for (int l = 0; l < 32; l += STEP) {
                        acc = low(ql(w, block, h, g, l), qh(w, block, h, g, l)).mul(d * scale(scales, l / 16 + 2 * g))
                                .fma(FloatVector.fromArray(Lanes.F, x, xh + 32 * g + l), acc);
                    }
                }
                for (int g = 0; g < 2; g++) {
                    for (int l = 0; l < 32; l += STEP) {
                        acc = high(ql(w, block, h, g, l), qh(w, block, h, g, l)).mul(d * scale(scales, l / 16 + 2 * g + 4))
                                .fma(FloatVector.fromArray(Lanes.F, x, xh + 64 + 32 * g + l), acc);
                    }
                }
            }
        }
        acc.intoArray(lanes, slot);
        return Lanes.sum(lanes, slot);
    }

    private static IntVector ql(MemorySegment w, long block, int h, int g, int l) {
        return bytes(w, block + Q6_K.QL_OFFSET + 64 * h + 32 * g + l);
    }

    private static IntVector qh(MemorySegment w, long block, int h, int g, int l) {
        return bytes(w, block + Q6_K.QH_OFFSET + 32 * h + l).lanewise(VectorOperators.ASHR, 2 * g);
    }

    @Override
    public void decode(MemorySegment w, long offset, float[] dst, int dstOffset, int n) {
        int blocks = Blocks.whole(Q6_K.INSTANCE, n);
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * Q6_K.BLOCK_BYTES;
            float d = F16.toFloat(w.get(LittleEndian.SHORT, block + Q6_K.D_OFFSET));
            for (int h = 0; h < 2; h++) {
                long scales = w.get(LittleEndian.LONG, block + Q6_K.SCALES_OFFSET + 8 * h);
                int y = dstOffset + b * Q6_K.BLOCK_ELEMENTS + 128 * h;
                for (int l = 0; l < 32; l += STEP) {
                    for (int g = 0; g < 2; g++) {
                        IntVector ql = bytes(w, block + Q6_K.QL_OFFSET + 64 * h + 32 * g + l);
                        IntVector qh = bytes(w, block + Q6_K.QH_OFFSET + 32 * h + l).lanewise(VectorOperators.ASHR, 2 * g);
                        int k = l / 16 + 2 * g;
                        low(ql, qh).mul(d * scale(scales, k)).intoArray(dst, y + 32 * g + l);
                        high(ql, qh).mul(d * scale(scales, k + 4)).intoArray(dst, y + 64 + 32 * g + l);
                    }
                }
            }
        }
    }

    /**
     * Signed scale {@code k} of the eight that cover one half of a super-block, read as one
     * little-endian word (byte reads through the segment, one per scale, also cost too many IR nodes).
     */
    private static byte scale(long scales, int k) {
        return (byte) (scales >>> 8 * k);
    }

    private static IntVector bytes(MemorySegment w, long at) {
        return (IntVector) ByteVector.fromMemorySegment(Lanes.B, w, at, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2I, Lanes.I, 0);
    }

    /** Codes of group g, minus 32, as floats: low nibbles, high bits from bits 0-1 of the shifted qh. */
    private static FloatVector low(IntVector ql, IntVector qh) {
        return code(ql.and(0xF), qh.lanewise(VectorOperators.LSHL, 4));
    }

    /** Codes of group g + 2, minus 32, as floats: high nibbles, high bits from bits 4-5 of the shifted qh. */
    private static FloatVector high(IntVector ql, IntVector qh) {
        return code(ql.lanewise(VectorOperators.ASHR, 4).and(0xF), qh);
    }

    private static FloatVector code(IntVector lowBits, IntVector highBitsAt4) {
        return (FloatVector) lowBits.or(highBitsAt4.and(0x30)).sub(32).convert(VectorOperators.I2F, 0);
    }
}
