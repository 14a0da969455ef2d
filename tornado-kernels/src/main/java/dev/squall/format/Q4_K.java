package dev.squall.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * ggml's Q4_K, type 12: super-blocks of 256 elements in 144 bytes,
 * {@code {fp16 d; fp16 dmin; uint8 scales[12]; uint8 qs[128]}}.
 *
 * <p>A super-block is 8 sub-blocks of 32 elements. Sub-block {@code j} has a 6-bit scale
 * {@code sc} and a 6-bit min {@code m} packed in {@code scales} ({@link #scale}, {@link #min});
 * its element with nibble {@code q} is {@code (d * sc) * q - dmin * m}. The nibbles sit in four
 * 32-byte chunks: byte {@code l} of chunk {@code c} holds element {@code 64c + l} in its low
 * nibble (sub-block {@code 2c}) and element {@code 64c + 32 + l} in its high nibble
 * (sub-block {@code 2c + 1}).
 *
 * <p>Encoding fits each sub-block as {@code x ≈ a * q - b} with {@code q} in [0, 15] and
 * {@code b >= 0} by a scale search ({@link SubBlockFit#affine}), quantizes the eight {@code a}s and
 * {@code b}s to 6 bits against the largest of each ({@code d = max a / 63},
 * {@code dmin = max b / 63}), and finally re-picks every nibble as the nearest point of the grid
 * those stored numbers define, as {@code quantize_row_q4_K_ref} does.
 */
public final class Q4_K implements WeightFormat {

    public static final Q4_K INSTANCE = new Q4_K();

    public static final int BLOCK_ELEMENTS = 256;
    public static final int BLOCK_BYTES = 144;
    /** Byte offsets within a super-block. */
    public static final int D_OFFSET = 0, DMIN_OFFSET = 2, SCALES_OFFSET = 4, QS_OFFSET = 16;

    private static final int SUB = 32;

    private Q4_K() {}

    @Override public String name() { return "Q4_K"; }
    @Override public int ggmlType() { return 12; }
    @Override public int blockElements() { return BLOCK_ELEMENTS; }
    @Override public int blockBytes() { return BLOCK_BYTES; }

    /**
     * The 6-bit scale of sub-block {@code j} (0..7) of the super-block at {@code block}
     * (ggml's {@code get_scale_min_k4}): sub-blocks 0-3 keep it in the low 6 bits of
     * {@code scales[j]}; sub-blocks 4-7 in the low nibble of {@code scales[j + 4]}, with the top
     * two bits in bits 6-7 of {@code scales[j - 4]}.
     */
    public static int scale(MemorySegment w, long block, int j) {
        long s = block + SCALES_OFFSET;
        if (j < 4) return u8(w, s + j) & 63;
        return (u8(w, s + j + 4) & 0xF) | (u8(w, s + j - 4) >>> 6) << 4;
    }

    /**
     * The 6-bit min of sub-block {@code j}: sub-blocks 0-3 keep it in the low 6 bits of
     * {@code scales[j + 4]}; sub-blocks 4-7 in the high nibble of {@code scales[j + 4]}, with the
     * top two bits in bits 6-7 of {@code scales[j]}.
     */
    public static int min(MemorySegment w, long block, int j) {
        long s = block + SCALES_OFFSET;
        if (j < 4) return u8(w, s + j + 4) & 63;
        return (u8(w, s + j + 4) >>> 4) | (u8(w, s + j) >>> 6) << 4;
    }

    /**
     * {@code scales[0..8)} as one little-endian word. Kernels read the packing as two words once per
     * super-block and unpack it with {@link #scale(long, int, int)} and {@link #min(long, int, int)};
     * the oracle keeps the byte-by-byte reading above, so the two are checked against each other.
     */
    public static long scalesLow(MemorySegment w, long block) {
        return w.get(LittleEndian.LONG, block + SCALES_OFFSET);
    }

    /** {@code scales[8..12)} as one little-endian word. */
    public static int scalesHigh(MemorySegment w, long block) {
        return w.get(LittleEndian.INT, block + SCALES_OFFSET + 8);
    }

    /** {@link #scale(MemorySegment, long, int)} from the words {@link #scalesLow} and {@link #scalesHigh}. */
    public static int scale(long low, int high, int j) {
        if (j < 4) return packed(low, high, j) & 63;
        return (packed(low, high, j + 4) & 0xF) | (packed(low, high, j - 4) >>> 6) << 4;
    }

    /** {@link #min(MemorySegment, long, int)} from the words {@link #scalesLow} and {@link #scalesHigh}. */
    public static int min(long low, int high, int j) {
        if (j < 4) return packed(low, high, j + 4) & 63;
        return (packed(low, high, j + 4) >>> 4) | (packed(low, high, j) >>> 6) << 4;
    }

    /** Byte {@code k} of the 12 packed bytes. */
    private static int packed(long low, int high, int k) {
        return k < 8 ? (int) (low >>> 8 * k) & 0xFF : high >>> 8 * (k - 8) & 0xFF;
    }

    @Override
    public void decode(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        int blocks = Math.toIntExact(rowBytes(n) / BLOCK_BYTES);
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * BLOCK_BYTES;
            float d = F16.toFloat(src.get(LittleEndian.SHORT, block + D_OFFSET));
            float dmin = F16.toFloat(src.get(LittleEndian.SHORT, block + DMIN_OFFSET));
            for (int j = 0; j < 8; j++) {
                float scale = d * scale(src, block, j);
                float min = dmin * min(src, block, j);
                long chunk = block + QS_OFFSET + 32L * (j / 2);
                int shift = 4 * (j % 2);
                int y = dstOffset + b * BLOCK_ELEMENTS + SUB * j;
                for (int l = 0; l < SUB; l++) {
                    int q = (u8(src, chunk + l) >>> shift) & 0xF;
                    dst[y + l] = scale * q - min;
                }
            }
        }
    }

    @Override
    public void encode(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        int blocks = Math.toIntExact(rowBytes(n) / BLOCK_BYTES);
        float[] scales = new float[8];
        float[] mins = new float[8];
        int[] nibbles = new int[BLOCK_ELEMENTS];
        for (int b = 0; b < blocks; b++) {
            int x = srcOffset + b * BLOCK_ELEMENTS;
            long block = offset + (long) b * BLOCK_BYTES;
            float maxScale = 0f, maxMin = 0f;
            for (int j = 0; j < 8; j++) {
                SubBlockFit.Affine fit = SubBlockFit.affine(src, x + SUB * j, SUB, 15);
                scales[j] = fit.scale();
                mins[j] = fit.min();
                maxScale = Math.max(maxScale, fit.scale());
                maxMin = Math.max(maxMin, fit.min());
            }
            short dBits = F16.toBits(maxScale / 63f);
            short dminBits = F16.toBits(maxMin / 63f);
            float d = F16.toFloat(dBits);
            float dmin = F16.toFloat(dminBits);
            dst.set(LittleEndian.SHORT, block + D_OFFSET, dBits);
            dst.set(LittleEndian.SHORT, block + DMIN_OFFSET, dminBits);
            byte[] packed = new byte[12];
            for (int j = 0; j < 8; j++) {
                int sc = d > 0f ? Rounding.clamp(Rounding.nearest(scales[j] / d), 0, 63) : 0;
                int m = dmin > 0f ? Rounding.clamp(Rounding.nearest(mins[j] / dmin), 0, 63) : 0;
                packScaleMin(packed, j, sc, m);
            }
            MemorySegment.copy(packed, 0, dst, ValueLayout.JAVA_BYTE, block + SCALES_OFFSET, 12);
            // The nibbles are re-picked against the stored (rounded) scales and mins.
            for (int j = 0; j < 8; j++) {
                float scale = d * scale(dst, block, j);
                float min = dmin * min(dst, block, j);
                for (int l = 0; l < SUB; l++) {
                    float v = src[x + SUB * j + l];
                    nibbles[SUB * j + l] = scale > 0f ? Rounding.clamp(Rounding.nearest((v + min) / scale), 0, 15) : 0;
                }
            }
            for (int c = 0; c < 4; c++) {
                for (int l = 0; l < SUB; l++) {
                    int lo = nibbles[64 * c + l], hi = nibbles[64 * c + SUB + l];
                    dst.set(ValueLayout.JAVA_BYTE, block + QS_OFFSET + SUB * c + l, (byte) (lo | hi << 4));
                }
            }
        }
    }

    /** The inverse of {@link #scale} and {@link #min} for sub-block {@code j}. */
    private static void packScaleMin(byte[] s, int j, int sc, int m) {
        if (j < 4) {
            s[j] = (byte) ((s[j] & 0xC0) | sc);
            s[j + 4] = (byte) ((s[j + 4] & 0xC0) | m);
        } else {
            s[j + 4] = (byte) ((sc & 0xF) | (m & 0xF) << 4);
            s[j - 4] = (byte) ((s[j - 4] & 0x3F) | (sc >>> 4) << 6);
            s[j] = (byte) ((s[j] & 0x3F) | (m >>> 4) << 6);
        }
    }

    private static int u8(MemorySegment w, long at) {
        return w.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    @Override public String toString() { return name(); }
}
