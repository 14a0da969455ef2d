package dev.squall.format;

import java.lang.foreign.MemorySegment;

/**
 * IEEE binary16 ("half"), ggml type 1: 1 sign, 5 exponent (bias 15), 10 fraction bits.
 *
 * <p>The conversions are the JDK's {@link Float#floatToFloat16} and {@link Float#float16ToFloat},
 * which follow the same rules as the F16C instructions ggml uses on x86: rounding to nearest with
 * ties to even, overflow to infinity, subnormals kept, and a NaN stays a NaN of the same sign with
 * the top of its payload, made quiet ({@code 0x7C01} decodes to {@code 0x7FC02000}). Every fp16
 * scale of the quantized formats goes through {@link #toFloat} too.
 */
public final class F16 implements WeightFormat {

    public static final F16 INSTANCE = new F16();

    private F16() {}

    /** The float with the value of the binary16 {@code bits}; exact (every half is a float). */
    public static float toFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** The binary16 bits nearest to {@code value}, ties to even. */
    public static short toBits(float value) {
        return Float.floatToFloat16(value);
    }

    @Override public String name() { return "F16"; }
    @Override public int ggmlType() { return 1; }
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
