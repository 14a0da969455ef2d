package dev.squall.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * OCP MXFP8 (Microscaling Formats v1.0 §5.3): blocks of 32 FP8 elements, E4M3 or E5M2, sharing an
 * E8M0 scale. ggml has no such type, so Squall stores it under a type id of its own that llama.cpp
 * rejects cleanly ({@link GgmlType#MXFP8_E4M3} 16384, {@link GgmlType#MXFP8_E5M2} 16385): blocks
 * of 33 bytes, {@code {uint8 e; uint8 q[32]}}, laid out like ggml's MXFP4 (scale first), element
 * {@code j} in {@code q[j]}, value {@code FP8(q[j]) · 2^(e - 127)}.
 *
 * <p>Encoding is OCP's: {@code e} from the block's largest magnitude ({@link E8M0#sharedScale},
 * emax 8 for E4M3, 15 for E5M2), each element {@code x / 2^(e-127)} rounded to nearest even and
 * saturated ({@link Minifloat#encode}); a block holding a NaN or an infinity gets the NaN scale and
 * zero codes. Note that OCP's scale leaves amax in [2^emax, 2^(emax+1)): for E4M3 the top of that
 * binade (above 448·2^shared) saturates, as the specification accepts.
 */
public final class MXFP8 implements WeightFormat {

    public static final MXFP8 E4M3 = new MXFP8(Minifloat.E4M3, GgmlType.MXFP8_E4M3);
    public static final MXFP8 E5M2 = new MXFP8(Minifloat.E5M2, GgmlType.MXFP8_E5M2);

    public static final int BLOCK_ELEMENTS = 32;
    public static final int BLOCK_BYTES = 33;
    /** Byte offset of the codes in a block; {@code e} is at 0. */
    public static final int QS_OFFSET = 1;

    private final Minifloat element;
    private final GgmlType type;

    private MXFP8(Minifloat element, GgmlType type) {
        this.element = element;
        this.type = type;
    }

    /** E4M3 or E5M2. */
    public Minifloat element() { return element; }

    @Override public String name() { return type.name(); }
    @Override public int ggmlType() { return type.id(); }
    @Override public int blockElements() { return BLOCK_ELEMENTS; }
    @Override public int blockBytes() { return BLOCK_BYTES; }

    @Override
    public void decode(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        int blocks = Math.toIntExact(rowBytes(n) / BLOCK_BYTES);
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * BLOCK_BYTES;
            float scale = E8M0.toFloat(src.get(ValueLayout.JAVA_BYTE, block));
            for (int j = 0; j < BLOCK_ELEMENTS; j++) {
                dst[dstOffset + b * BLOCK_ELEMENTS + j] = element.decode(src.get(ValueLayout.JAVA_BYTE, block + QS_OFFSET + j)) * scale;
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
            boolean finite = true;
            for (int j = 0; j < BLOCK_ELEMENTS; j++) {
                finite &= Float.isFinite(src[x + j]);
                amax = Math.max(amax, Math.abs(src[x + j]));
            }
            int e = finite ? E8M0.sharedScale(amax, element.maxExponent()) : E8M0.NAN;
            dst.set(ValueLayout.JAVA_BYTE, block, (byte) e);
            for (int j = 0; j < BLOCK_ELEMENTS; j++) {
                int q = e == E8M0.NAN ? 0 : element.encode(Math.scalb(src[x + j], E8M0.ONE - e));
                dst.set(ValueLayout.JAVA_BYTE, block + QS_OFFSET + j, (byte) q);
            }
        }
    }

    @Override public String toString() { return name(); }
}
