package dev.squall.format;

import java.lang.foreign.MemorySegment;

/**
 * bfloat16, ggml type 30: the upper 16 bits of an IEEE binary32 (1 sign, 8 exponent, 7 fraction
 * bits), so decoding is a shift and exact.
 *
 * <p>Encoding follows ggml ({@code ggml_compute_fp32_to_bf16}): a NaN keeps its sign and the top
 * of its payload with the quiet bit forced ({@code (bits >>> 16) | 0x40}), so that a NaN whose
 * payload lives only in the low 16 bits does not truncate to infinity; every other value rounds to
 * nearest, ties to even, on the upper 16 bits, which sends values above the largest bfloat16 to
 * infinity. Subnormals are kept, as ggml does.
 */
public final class BF16 implements WeightFormat {

    public static final BF16 INSTANCE = new BF16();

    private BF16() {}

    /** The float with the value of the bfloat16 {@code bits}. */
    public static float toFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    /** The bfloat16 bits for {@code value}, rounded as ggml rounds. */
    public static short toBits(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000) {
            return (short) ((bits >>> 16) | 0x40);
        }
        // Adding 0x7FFF plus the lowest kept bit carries into the kept bits exactly when the
        // dropped half is above one half, or exactly one half with an odd kept part.
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    @Override public String name() { return "BF16"; }
    @Override public int ggmlType() { return 30; }
    @Override public int blockElements() { return 1; }
    @Override public int blockBytes() { return 2; }

    @Override
    public void decode(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        rowBytes(n);
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = toFloat(src.get(LittleEndian.SHORT, offset + 2L * i));
        }
    }

    @Override
    public void encode(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        rowBytes(n);
        for (int i = 0; i < n; i++) {
            dst.set(LittleEndian.SHORT, offset + 2L * i, toBits(src[srcOffset + i]));
        }
    }

    @Override public String toString() { return name(); }
}
