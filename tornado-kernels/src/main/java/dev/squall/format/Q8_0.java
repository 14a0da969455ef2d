package dev.squall.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * ggml's Q8_0, type 8: blocks of 32 elements in 34 bytes, {@code {fp16 d; int8 qs[32]}};
 * element {@code j} is {@code qs[j] * d}.
 *
 * <p>Encoding is {@code quantize_row_q8_0_ref}: {@code d = amax / 127} (stored as fp16), and each
 * {@code qs[j]} is {@code x[j] / d} (computed as {@code x[j] * (1/d)} with the unrounded {@code d})
 * rounded half away from zero, so the element of largest magnitude becomes ±127.
 */
public final class Q8_0 implements WeightFormat {

    public static final Q8_0 INSTANCE = new Q8_0();

    public static final int BLOCK_ELEMENTS = 32;
    public static final int BLOCK_BYTES = 34;
    /** Byte offset of {@code qs} in a block; {@code d} is at 0. */
    public static final int QS_OFFSET = 2;

    private Q8_0() {}

    @Override public String name() { return "Q8_0"; }
    @Override public int ggmlType() { return 8; }
    @Override public int blockElements() { return BLOCK_ELEMENTS; }
    @Override public int blockBytes() { return BLOCK_BYTES; }

    @Override
    public void decode(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        int blocks = Math.toIntExact(rowBytes(n) / BLOCK_BYTES);
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * BLOCK_BYTES;
            float d = F16.toFloat(src.get(LittleEndian.SHORT, block));
            for (int j = 0; j < BLOCK_ELEMENTS; j++) {
                byte q = src.get(ValueLayout.JAVA_BYTE, block + QS_OFFSET + j);
                dst[dstOffset + b * BLOCK_ELEMENTS + j] = q * d;
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
            for (int j = 0; j < BLOCK_ELEMENTS; j++) amax = Math.max(amax, Math.abs(src[x + j]));
            float d = amax / 127f;
            float id = d != 0f ? 1f / d : 0f;
            dst.set(LittleEndian.SHORT, block, F16.toBits(d));
            for (int j = 0; j < BLOCK_ELEMENTS; j++) {
                byte q = (byte) Rounding.halfAwayFromZero(src[x + j] * id);
                dst.set(ValueLayout.JAVA_BYTE, block + QS_OFFSET + j, q);
            }
        }
    }

    @Override public String toString() { return name(); }
}
