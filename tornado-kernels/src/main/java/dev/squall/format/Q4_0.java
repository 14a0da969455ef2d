package dev.squall.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * ggml's Q4_0, type 2: blocks of 32 elements in 18 bytes, {@code {fp16 d; uint8 qs[16]}}. The low
 * nibble of {@code qs[j]} is element {@code j}, the high nibble element {@code j + 16}; a nibble
 * {@code q} stands for {@code (q - 8) * d}.
 *
 * <p>Encoding is {@code quantize_row_q4_0_ref}: the element of largest magnitude, with its sign,
 * is {@code max}, {@code d = max / -8}, so {@code max} itself becomes nibble 0 exactly and the
 * other side of zero reaches only {@code 7|d|}. Nibbles are {@code x / d + 8.5} truncated (that is
 * rounded half up, since the sum is positive) and capped at 15.
 */
public final class Q4_0 implements WeightFormat {

    public static final Q4_0 INSTANCE = new Q4_0();

    public static final int BLOCK_ELEMENTS = 32;
    public static final int BLOCK_BYTES = 18;
    /** Byte offset of {@code qs} in a block; {@code d} is at 0. */
    public static final int QS_OFFSET = 2;

    private Q4_0() {}

    @Override public String name() { return "Q4_0"; }
    @Override public int ggmlType() { return 2; }
    @Override public int blockElements() { return BLOCK_ELEMENTS; }
    @Override public int blockBytes() { return BLOCK_BYTES; }

    @Override
    public void decode(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        int blocks = Math.toIntExact(rowBytes(n) / BLOCK_BYTES);
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * BLOCK_BYTES;
            int y = dstOffset + b * BLOCK_ELEMENTS;
            float d = F16.toFloat(src.get(LittleEndian.SHORT, block));
            for (int j = 0; j < 16; j++) {
                int q = src.get(ValueLayout.JAVA_BYTE, block + QS_OFFSET + j) & 0xFF;
                dst[y + j] = ((q & 0xF) - 8) * d;
                dst[y + j + 16] = ((q >>> 4) - 8) * d;
            }
        }
    }

    @Override
    public void encode(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        int blocks = Math.toIntExact(rowBytes(n) / BLOCK_BYTES);
        for (int b = 0; b < blocks; b++) {
            int x = srcOffset + b * BLOCK_ELEMENTS;
            long block = offset + (long) b * BLOCK_BYTES;
            float amax = 0f;
            float max = 0f;
            for (int j = 0; j < BLOCK_ELEMENTS; j++) {
                if (amax < Math.abs(src[x + j])) {
                    amax = Math.abs(src[x + j]);
                    max = src[x + j];
                }
            }
            float d = max / -8f;
            float id = d != 0f ? 1f / d : 0f;
            dst.set(LittleEndian.SHORT, block, F16.toBits(d));
            for (int j = 0; j < 16; j++) {
                int lo = nibble(src[x + j] * id);
                int hi = nibble(src[x + j + 16] * id);
                dst.set(ValueLayout.JAVA_BYTE, block + QS_OFFSET + j, (byte) (lo | hi << 4));
            }
        }
    }

    /** ggml's {@code MIN(15, (int8_t)(v + 8.5f))}: the cast truncates toward zero. */
    private static int nibble(float v) {
        return Math.min(15, (int) (v + 8.5f));
    }

    @Override public String toString() { return name(); }
}
