package dev.squall.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * FP8 weights (E4M3 or E5M2) with one FP32 scale per row, the layout of per-channel FP8
 * checkpoints. ggml has no such type, so Squall stores it under type ids of its own that llama.cpp
 * rejects cleanly ({@link GgmlType#FP8_E4M3} 16386, {@link GgmlType#FP8_E5M2} 16387). A row of
 * {@code n} elements (any n) is {@code 4 + n} bytes, {@code {float32 scale; uint8 q[n]}}, scale
 * little-endian and first; element {@code j} is {@code FP8(q[j]) · scale}, rounded to float once.
 *
 * <p>Encoding: {@code scale = amax(row) / max} (448 for E4M3, 57344 for E5M2), so the row's largest
 * magnitude lands on the format's largest value; each element {@code x / scale} rounded to nearest
 * even and saturated ({@link Minifloat#encode}). An all-zero row has scale 0; a row holding a NaN
 * or an infinity gets a NaN scale (the whole row reads NaN) and zero codes.
 */
public final class FP8 implements WeightFormat {

    public static final FP8 E4M3 = new FP8(Minifloat.E4M3, GgmlType.FP8_E4M3);
    public static final FP8 E5M2 = new FP8(Minifloat.E5M2, GgmlType.FP8_E5M2);

    /** Bytes before the codes of a row: the FP32 scale. */
    public static final int SCALE_BYTES = 4;

    private final Minifloat element;
    private final GgmlType type;

    private FP8(Minifloat element, GgmlType type) {
        this.element = element;
        this.type = type;
    }

    /** E4M3 or E5M2. */
    public Minifloat element() { return element; }

    @Override public String name() { return type.name(); }
    @Override public int ggmlType() { return type.id(); }
    /** One element per one-byte block; the row's 4-byte scale comes on top ({@link #rowBytes}). */
    @Override public int blockElements() { return 1; }
    @Override public int blockBytes() { return 1; }

    @Override public long rowBytes(long elements) {
        return SCALE_BYTES + elements;
    }

    /** The scale that maps a row's largest magnitude {@code amax} to the element's largest value. */
    public float rowScale(float amax) {
        return Float.isFinite(amax) ? amax / element.max() : Float.NaN;
    }

    @Override
    public void decode(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        float scale = src.get(LittleEndian.FLOAT, offset);
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = element.decode(src.get(ValueLayout.JAVA_BYTE, offset + SCALE_BYTES + i)) * scale;
        }
    }

    @Override
    public void encode(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        float amax = 0f;
        boolean finite = true;
        for (int i = 0; i < n; i++) {
            finite &= Float.isFinite(src[srcOffset + i]);
            amax = Math.max(amax, Math.abs(src[srcOffset + i]));
        }
        float scale = finite ? rowScale(amax) : Float.NaN;
        dst.set(LittleEndian.FLOAT, offset, scale);
        boolean zero = !(scale > 0f);
        for (int i = 0; i < n; i++) {
            int q = zero ? 0 : element.encode(src[srcOffset + i] / scale);
            dst.set(ValueLayout.JAVA_BYTE, offset + SCALE_BYTES + i, (byte) q);
        }
    }

    @Override public String toString() { return name(); }
}
