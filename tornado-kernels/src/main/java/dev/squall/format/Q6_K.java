package dev.squall.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * ggml's Q6_K, type 14: super-blocks of 256 elements in 210 bytes,
 * {@code {uint8 ql[128]; uint8 qh[64]; int8 scales[16]; fp16 d}}.
 *
 * <p>Element {@code e} has a 6-bit code {@code q} and belongs to sub-block {@code e / 16}, whose
 * signed 8-bit scale is {@code scales[e / 16]}; its value is {@code (d * scales[e / 16]) * (q - 32)}.
 * The codes are split in two halves of 128 elements; in half {@code h}, element
 * {@code 128h + 32g + l} (group {@code g} in 0..3, {@code l} in 0..31) keeps its low 4 bits in
 * {@code ql[64h + l + 32 * (g % 2)]} (low nibble for groups 0-1, high nibble for groups 2-3) and
 * its high 2 bits in bits {@code 2g, 2g + 1} of {@code qh[32h + l]} ({@link #code}).
 *
 * <p>Encoding fits each sub-block as {@code x ≈ s * q} with {@code q} in [-32, 31] by a scale
 * search ({@link SubBlockFit#symmetric}), stores {@code d = -s_max / 128} for the {@code s} of
 * largest magnitude so that it becomes scale -128, rounds the other scales against {@code d}, and
 * re-picks every code as the nearest point of the stored grid, as {@code quantize_row_q6_K_ref} does.
 */
public final class Q6_K implements WeightFormat {

    public static final Q6_K INSTANCE = new Q6_K();

    public static final int BLOCK_ELEMENTS = 256;
    public static final int BLOCK_BYTES = 210;
    /** Byte offsets within a super-block. */
    public static final int QL_OFFSET = 0, QH_OFFSET = 128, SCALES_OFFSET = 192, D_OFFSET = 208;

    private static final int SUB = 16;

    private Q6_K() {}

    @Override public String name() { return "Q6_K"; }
    @Override public int ggmlType() { return 14; }
    @Override public int blockElements() { return BLOCK_ELEMENTS; }
    @Override public int blockBytes() { return BLOCK_BYTES; }

    /** The unsigned 6-bit code (0..63) of element {@code e} (0..255) of the super-block at {@code block}. */
    public static int code(MemorySegment w, long block, int e) {
        int h = e / 128, g = (e % 128) / 32, l = e % 32;
        int low = u8(w, block + QL_OFFSET + 64 * h + l + 32 * (g % 2)) >>> (4 * (g / 2)) & 0xF;
        int high = u8(w, block + QH_OFFSET + 32 * h + l) >>> (2 * g) & 3;
        return low | high << 4;
    }

    @Override
    public void decode(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        int blocks = Math.toIntExact(rowBytes(n) / BLOCK_BYTES);
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * BLOCK_BYTES;
            float d = F16.toFloat(src.get(LittleEndian.SHORT, block + D_OFFSET));
            for (int e = 0; e < BLOCK_ELEMENTS; e++) {
                float scale = d * src.get(ValueLayout.JAVA_BYTE, block + SCALES_OFFSET + e / SUB);
                dst[dstOffset + b * BLOCK_ELEMENTS + e] = scale * (code(src, block, e) - 32);
            }
        }
    }

    @Override
    public void encode(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        int blocks = Math.toIntExact(rowBytes(n) / BLOCK_BYTES);
        float[] scales = new float[16];
        int[] codes = new int[BLOCK_ELEMENTS];
        for (int b = 0; b < blocks; b++) {
            int x = srcOffset + b * BLOCK_ELEMENTS;
            long block = offset + (long) b * BLOCK_BYTES;
            float maxScale = 0f;
            for (int j = 0; j < 16; j++) {
                scales[j] = SubBlockFit.symmetric(src, x + SUB * j, SUB, 32);
                if (Math.abs(scales[j]) > Math.abs(maxScale)) maxScale = scales[j];
            }
            short dBits = F16.toBits(Math.abs(maxScale) < SubBlockFit.ZERO ? 0f : -maxScale / 128f);
            float d = F16.toFloat(dBits);
            dst.set(LittleEndian.SHORT, block + D_OFFSET, dBits);
            for (int j = 0; j < 16; j++) {
                int sc = d != 0f ? Rounding.clamp(Rounding.nearest(scales[j] / d), -128, 127) : 0;
                dst.set(ValueLayout.JAVA_BYTE, block + SCALES_OFFSET + j, (byte) sc);
                // The codes are re-picked against the stored (rounded) scale.
                float scale = d * sc;
                for (int l = 0; l < SUB; l++) {
                    int q = scale != 0f ? Rounding.clamp(Rounding.nearest(src[x + SUB * j + l] / scale), -32, 31) : 0;
                    codes[SUB * j + l] = q + 32;
                }
            }
            pack(codes, dst, block);
        }
    }

    /** Writes the 256 codes into {@code ql} and {@code qh}: the inverse of {@link #code}. */
    private static void pack(int[] codes, MemorySegment dst, long block) {
        for (int h = 0; h < 2; h++) {
            for (int l = 0; l < 32; l++) {
                int c0 = codes[128 * h + l], c1 = codes[128 * h + 32 + l];
                int c2 = codes[128 * h + 64 + l], c3 = codes[128 * h + 96 + l];
                dst.set(ValueLayout.JAVA_BYTE, block + QL_OFFSET + 64 * h + l, (byte) ((c0 & 0xF) | (c2 & 0xF) << 4));
                dst.set(ValueLayout.JAVA_BYTE, block + QL_OFFSET + 64 * h + 32 + l, (byte) ((c1 & 0xF) | (c3 & 0xF) << 4));
                dst.set(ValueLayout.JAVA_BYTE, block + QH_OFFSET + 32 * h + l,
                        (byte) (c0 >>> 4 | (c1 >>> 4) << 2 | (c2 >>> 4) << 4 | (c3 >>> 4) << 6));
            }
        }
    }

    private static int u8(MemorySegment w, long at) {
        return w.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    @Override public String toString() { return name(); }
}
