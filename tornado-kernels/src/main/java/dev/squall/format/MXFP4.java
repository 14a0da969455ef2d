package dev.squall.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * OCP MXFP4, ggml type 39 ({@code block_mxfp4}): blocks of 32 E2M1 elements sharing an E8M0
 * scale, 17 bytes, {@code {uint8 e; uint8 qs[16]}}. The low nibble of {@code qs[j]} is element
 * {@code j}, the high nibble element {@code j + 16} (ggml's order); element {@code i} is
 * {@code E2M1(code) · 2^(e - 127)} ({@link Minifloat#E2M1}, {@link E8M0}). ggml writes the same
 * value as {@code kvalues_mxfp4[code] · 2^(e - 128)} with its table of doubled E2M1 values.
 *
 * <p><b>Encoding is bit-exact with ggml's {@code quantize_row_mxfp4_ref}</b>, so llama.cpp reads
 * our files as we do and our bytes equal its quantizer's:
 * <ul>
 * <li>The scale is {@code e = floor(log2f(amax)) - 2 + 127} (OCP's shared exponent with E2M1's
 *     emax = 2), where ggml takes log2 in float: a few floats just below a power of two 2^k,
 *     whose log2 rounds to k in float, get the scale of 2^k (OCP's exact floor would give k - 1).
 *     {@link #log2f} reproduces that rounding. An all-zero block gets {@code e = 0}.</li>
 * <li>Each element takes the first of the 16 codes, in code order, whose value is nearest
 *     ({@code best_index_mxfp4}). At an exact midpoint that is the smaller magnitude (0.75 → 0.5,
 *     1.75 → 1.5, 3.5 → 3, in units of the scale), where OCP's round-to-nearest-even would take the
 *     even code (1, 2, 4); a negative value that rounds to zero gets code 0 (+0), never 8 (−0);
 *     magnitudes above 6 saturate to ±6.</li>
 * </ul>
 * Where ggml is silent we follow OCP: a block holding a NaN or an infinity gets the NaN scale
 * (255, which ggml's row validation rejects) and zero codes; a block whose amax is below 2^-125
 * gets {@code e = 0} (ggml's cast of the negative exponent to {@code uint8_t} is undefined there).
 * Decoding follows OCP too: {@code e = 255} is NaN for the whole block (ggml would read it as
 * 2^127), and code 8 is −0 (ggml's table has +0; the two are equal).
 */
public final class MXFP4 implements WeightFormat {

    public static final MXFP4 INSTANCE = new MXFP4();

    public static final int BLOCK_ELEMENTS = 32;
    public static final int BLOCK_BYTES = 17;
    /** Byte offset of {@code qs} in a block; {@code e} is at 0. */
    public static final int QS_OFFSET = 1;

    /** ggml's {@code kvalues_mxfp4}: E2M1 values doubled, by code. */
    private static final int[] DOUBLED = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

    private MXFP4() {}

    @Override public String name() { return "MXFP4"; }
    @Override public int ggmlType() { return GgmlType.MXFP4.id(); }
    @Override public int blockElements() { return BLOCK_ELEMENTS; }
    @Override public int blockBytes() { return BLOCK_BYTES; }

    @Override
    public void decode(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        int blocks = Math.toIntExact(rowBytes(n) / BLOCK_BYTES);
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * BLOCK_BYTES;
            int y = dstOffset + b * BLOCK_ELEMENTS;
            float scale = E8M0.toFloat(src.get(ValueLayout.JAVA_BYTE, block));
            for (int j = 0; j < 16; j++) {
                int q = src.get(ValueLayout.JAVA_BYTE, block + QS_OFFSET + j) & 0xFF;
                dst[y + j] = Minifloat.E2M1.decode(q & 0xF) * scale;
                dst[y + j + 16] = Minifloat.E2M1.decode(q >>> 4) * scale;
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
                float v = src[x + j];
                finite &= Float.isFinite(v);
                if (amax < Math.abs(v)) amax = Math.abs(v);
            }
            int e = finite ? scale(amax) : E8M0.NAN;
            dst.set(ValueLayout.JAVA_BYTE, block, (byte) e);
            float d = halfScale(e);
            for (int j = 0; j < 16; j++) {
                int lo = finite ? bestCode(src[x + j], d) : 0;
                int hi = finite ? bestCode(src[x + j + 16], d) : 0;
                dst.set(ValueLayout.JAVA_BYTE, block + QS_OFFSET + j, (byte) (lo | hi << 4));
            }
        }
    }

    /** ggml's scale byte for a block of largest magnitude {@code amax} (finite). */
    static int scale(float amax) {
        if (!(amax > 0f)) return 0;
        return Math.max(0, Math.min(254, (int) Math.floor(log2f(amax)) - 2 + 127));
    }

    /**
     * log2 of {@code a > 0} rounded to a float, as C's {@code log2f} (glibc's is correctly rounded
     * in these cases): computed in double from the exponent and the significand, then rounded once.
     * Near a power of two 2^k the double is k − δ with δ below half a float step of k, so the float
     * is k.
     */
    static float log2f(float a) {
        int e = Minifloat.exactExponent(a);
        double m = Math.scalb((double) a, -e);   // in [1, 2)
        return (float) (e + Math.log(m) / Math.log(2.0));
    }

    /** ggml's {@code e8m0_to_fp32_half}: 2^(e - 128), the unit of the doubled values. */
    private static float halfScale(int e) {
        return e < 2 ? Float.intBitsToFloat(0x0020_0000 << e) : Float.intBitsToFloat((e - 1) << 23);
    }

    /** ggml's {@code best_index_mxfp4}: the first code, in code order, whose value is nearest to x. */
    private static int bestCode(float x, float d) {
        int best = 0;
        float bestErr = Math.abs(DOUBLED[0] * d - x);
        for (int i = 1; i < 16; i++) {
            float err = Math.abs(DOUBLED[i] * d - x);
            if (err < bestErr) {
                best = i;
                bestErr = err;
            }
        }
        return best;
    }

    @Override public String toString() { return name(); }
}
