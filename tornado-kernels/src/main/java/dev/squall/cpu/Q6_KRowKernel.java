package dev.squall.cpu;

import dev.squall.format.F16;
import dev.squall.format.LittleEndian;
import dev.squall.format.Q6_K;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q6_K rows: {@code n / 256} super-blocks of 210 bytes at byte {@code offset}, laid out as
 * {@link Q6_K} describes.
 *
 * <p>In each half of a super-block, three loads of {@link Lanes#F}-many bytes at position
 * {@code l} ({@code ql[l]}, {@code ql[l + 32]}, {@code qh[l]}) give the codes of four groups,
 * elements {@code l, l + 32, l + 64, l + 96}: the low nibbles or high nibbles of the two
 * {@code ql} loads, with two bits of {@code qh} each moved to bits 4-5
 * ({@code ((qh >> 2g) & 3) << 4} written as one shift and a mask {@code 0x30}). A vector never
 * straddles two 16-element sub-blocks ({@link Lanes#F} has at most 16 lanes and {@code l} is a
 * multiple of it), so each vector has one scale {@code d * scales[k]}. Weights
 * {@code (d * sc) * (q - 32)} are exact products (11 + 7 + 5 significant bits), so they equal the
 * oracle's. {@code dot} keeps one accumulator per group and reduces once at the end.
 */
final class Q6_KRowKernel implements RowKernel {

    static final Q6_KRowKernel INSTANCE = new Q6_KRowKernel();

    private static final int STEP = Lanes.F.length();

    private Q6_KRowKernel() {}

    @Override
    public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        int blocks = n / Q6_K.BLOCK_ELEMENTS;
        FloatVector acc0 = FloatVector.zero(Lanes.F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * Q6_K.BLOCK_BYTES;
            float d = F16.toFloat(w.get(LittleEndian.SHORT, block + Q6_K.D_OFFSET));
            for (int h = 0; h < 2; h++) {
                int xh = xOffset + b * Q6_K.BLOCK_ELEMENTS + 128 * h;
                for (int l = 0; l < 32; l += STEP) {
                    IntVector ql0 = bytes(w, block + Q6_K.QL_OFFSET + 64 * h + l);
                    IntVector ql1 = bytes(w, block + Q6_K.QL_OFFSET + 64 * h + 32 + l);
                    IntVector qh = bytes(w, block + Q6_K.QH_OFFSET + 32 * h + l);
                    long scales = block + Q6_K.SCALES_OFFSET + 8 * h + l / 16;
                    acc0 = group0(ql0, qh).mul(d * scale(w, scales, 0)).fma(FloatVector.fromArray(Lanes.F, x, xh + l), acc0);
                    acc1 = group1(ql1, qh).mul(d * scale(w, scales, 1)).fma(FloatVector.fromArray(Lanes.F, x, xh + 32 + l), acc1);
                    acc2 = group2(ql0, qh).mul(d * scale(w, scales, 2)).fma(FloatVector.fromArray(Lanes.F, x, xh + 64 + l), acc2);
                    acc3 = group3(ql1, qh).mul(d * scale(w, scales, 3)).fma(FloatVector.fromArray(Lanes.F, x, xh + 96 + l), acc3);
                }
            }
        }
        return acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
    }

    @Override
    public void decode(MemorySegment w, long offset, float[] dst, int dstOffset, int n) {
        int blocks = n / Q6_K.BLOCK_ELEMENTS;
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * Q6_K.BLOCK_BYTES;
            float d = F16.toFloat(w.get(LittleEndian.SHORT, block + Q6_K.D_OFFSET));
            for (int h = 0; h < 2; h++) {
                int y = dstOffset + b * Q6_K.BLOCK_ELEMENTS + 128 * h;
                for (int l = 0; l < 32; l += STEP) {
                    IntVector ql0 = bytes(w, block + Q6_K.QL_OFFSET + 64 * h + l);
                    IntVector ql1 = bytes(w, block + Q6_K.QL_OFFSET + 64 * h + 32 + l);
                    IntVector qh = bytes(w, block + Q6_K.QH_OFFSET + 32 * h + l);
                    long scales = block + Q6_K.SCALES_OFFSET + 8 * h + l / 16;
                    group0(ql0, qh).mul(d * scale(w, scales, 0)).intoArray(dst, y + l);
                    group1(ql1, qh).mul(d * scale(w, scales, 1)).intoArray(dst, y + 32 + l);
                    group2(ql0, qh).mul(d * scale(w, scales, 2)).intoArray(dst, y + 64 + l);
                    group3(ql1, qh).mul(d * scale(w, scales, 3)).intoArray(dst, y + 96 + l);
                }
            }
        }
    }

    /** The signed scale of group {@code g}: its sub-blocks are 2 apart in {@code scales}. */
    private static byte scale(MemorySegment w, long scales, int g) {
        return w.get(ValueLayout.JAVA_BYTE, scales + 2L * g);
    }

    private static IntVector bytes(MemorySegment w, long at) {
        return (IntVector) ByteVector.fromMemorySegment(Lanes.B, w, at, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2I, Lanes.I, 0);
    }

    private static FloatVector group0(IntVector ql0, IntVector qh) {
        return code(ql0.and(0xF), qh.lanewise(VectorOperators.LSHL, 4));
    }

    private static FloatVector group1(IntVector ql1, IntVector qh) {
        return code(ql1.and(0xF), qh.lanewise(VectorOperators.LSHL, 2));
    }

    private static FloatVector group2(IntVector ql0, IntVector qh) {
        return code(ql0.lanewise(VectorOperators.ASHR, 4).and(0xF), qh);
    }

    private static FloatVector group3(IntVector ql1, IntVector qh) {
        return code(ql1.lanewise(VectorOperators.ASHR, 4).and(0xF), qh.lanewise(VectorOperators.ASHR, 2));
    }

    /** {@code low | (highBits & 0x30)} minus 32, as floats: the high bits arrive already shifted to bits 4-5. */
    private static FloatVector code(IntVector low, IntVector highBits) {
        return (FloatVector) low.or(highBits.and(0x30)).sub(32).convert(VectorOperators.I2F, 0);
    }
}
