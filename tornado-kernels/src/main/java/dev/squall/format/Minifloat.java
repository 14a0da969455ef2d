package dev.squall.format;

import java.util.Locale;

/**
 * A small floating-point element format ExMy: 1 sign bit, {@code E} exponent bits, {@code M}
 * mantissa bits, stored in the low {@code 1 + E + M} bits of a code. The one place where the bit
 * rules of FP8 and FP4 elements live: every block format and the format study encode and decode
 * their elements here.
 *
 * <p><b>Values.</b> The bias is {@code 2^(E-1) - 1}. An exponent field {@code e > 0} stands for
 * {@code (1 + m/2^M)·2^(e - bias)}, {@code e = 0} for the subnormal {@code m/2^M · 2^(1 - bias)}.
 * What the top exponent field means depends on {@link Specials}:
 * <ul>
 * <li>{@link Specials#IEEE} (E5M2): exponent all ones is ±Inf (m = 0) or NaN, as in IEEE 754;
 *     E5M2 max is 1.75·2^15 = 57344.</li>
 * <li>{@link Specials#FN} (E4M3, OCP's "fn": finite and NaN): only S.1111.111 is NaN, the rest of the
 *     top exponent holds numbers; no infinities. E4M3 max is 1.75·2^8 = 448.</li>
 * <li>{@link Specials#FINITE} (E2M1 and the OCP MX FP6/FP4 types): every code is a number. E2M1 is
 *     ±{0, 0.5, 1, 1.5, 2, 3, 4, 6}.</li>
 * </ul>
 * (OCP 8-bit Floating Point Specification (OFP8) rev. 1.0; OCP Microscaling Formats (MX) v1.0 §5.3.)
 *
 * <p><b>Encoding</b> ({@link #encode}) is OCP's saturating conversion: round to nearest, ties to
 * even, on the infinitely wide format, then any magnitude above {@link #max()} (infinities included)
 * becomes ±max. NaN becomes the format's NaN with the input's sign (S.1111.111 for E4M3,
 * S.11111.10 for E5M2); a {@link Specials#FINITE} format has no NaN and gives +0, so block formats
 * mark such a block NaN through its scale instead. Zero keeps its sign.
 *
 * <p><b>Decoding</b> ({@link #decode}) is exact: every value is a float. A NaN keeps its sign and
 * its mantissa bits as the top of the float's payload, not made quiet (E4M3 S.1111.111 decodes to
 * {@code 0x7FF00000} with the sign, E5M2 S.11111.01 to {@code 0x7FA00000}), which is what the
 * kernels' bit arithmetic gives, so that both agree bit for bit.
 */
public final class Minifloat {

    /** What the top exponent field holds. */
    public enum Specials {
        /** ±Inf at m = 0, NaN otherwise (IEEE 754 style). */
        IEEE,
        /** Only the all-ones code is NaN; no infinities (OCP "fn"). */
        FN,
        /** No specials: every code is a finite number. */
        FINITE
    }

    public static final Minifloat E4M3 = new Minifloat(4, 3, Specials.FN);
    public static final Minifloat E5M2 = new Minifloat(5, 2, Specials.IEEE);
    public static final Minifloat E2M1 = new Minifloat(2, 1, Specials.FINITE);

    private final int exponentBits;
    private final int mantissaBits;
    private final Specials specials;
    private final int bias;
    private final int minExponent;
    private final int maxExponent;
    private final int maxCode;
    private final int nanCode;
    private final float max;
    private final float[] values;

    private Minifloat(int exponentBits, int mantissaBits, Specials specials) {
        if (exponentBits < 1 || mantissaBits < 0 || exponentBits + mantissaBits > 7) {
            throw new IllegalArgumentException("E" + exponentBits + "M" + mantissaBits
                    + ": expected at least 1 exponent bit and at most 8 bits in all");
        }
        if (specials != Specials.FINITE && mantissaBits == 0) {
            throw new IllegalArgumentException("E" + exponentBits + "M0: NaN codes need a mantissa bit");
        }
        this.exponentBits = exponentBits;
        this.mantissaBits = mantissaBits;
        this.specials = specials;
        this.bias = (1 << (exponentBits - 1)) - 1;
        this.minExponent = 1 - bias;
        int topField = (1 << exponentBits) - 1;
        int magnitudeCodes = 1 << (exponentBits + mantissaBits);
        switch (specials) {
            case IEEE -> {
                this.maxExponent = topField - 1 - bias;
                this.maxCode = (topField << mantissaBits) - 1;
                this.nanCode = (topField << mantissaBits) | Math.max(1, 1 << (mantissaBits - 1));
            }
            case FN -> {
                this.maxExponent = topField - bias;
                this.maxCode = magnitudeCodes - 2;
                this.nanCode = magnitudeCodes - 1;
            }
            default -> {
                this.maxExponent = topField - bias;
                this.maxCode = magnitudeCodes - 1;
                this.nanCode = -1;
            }
        }
        this.values = new float[2 * magnitudeCodes];
        for (int c = 0; c < values.length; c++) values[c] = compute(c);
        this.max = values[maxCode];
    }

    /**
     * ExMy with {@code exponentBits} and {@code mantissaBits}: E4M3 and E5M2 as OCP defines them,
     * every other split {@link Specials#FINITE} (as OCP's FP6 and FP4 types).
     */
    public static Minifloat of(int exponentBits, int mantissaBits) {
        if (exponentBits == 4 && mantissaBits == 3) return E4M3;
        if (exponentBits == 5 && mantissaBits == 2) return E5M2;
        if (exponentBits == 2 && mantissaBits == 1) return E2M1;
        return new Minifloat(exponentBits, mantissaBits, Specials.FINITE);
    }

    /** The exact value of a code, built from its fields (the definition {@link #values} caches). */
    private float compute(int code) {
        int magnitudeBits = exponentBits + mantissaBits;
        boolean negative = (code >>> magnitudeBits & 1) != 0;
        int field = code >>> mantissaBits & ((1 << exponentBits) - 1);
        int m = code & ((1 << mantissaBits) - 1);
        int magnitude = code & ((1 << magnitudeBits) - 1);
        float v;
        if (specials == Specials.IEEE && field == (1 << exponentBits) - 1 || specials == Specials.FN && magnitude == nanCode) {
            v = Float.intBitsToFloat(0x7F80_0000 | m << (23 - mantissaBits));
        } else if (field == 0) {
            v = Math.scalb((float) m, minExponent - mantissaBits);
        } else {
            v = Math.scalb((float) ((1 << mantissaBits) | m), field - bias - mantissaBits);
        }
        return negative ? Float.intBitsToFloat(Float.floatToRawIntBits(v) | 0x8000_0000) : v;
    }

    public int exponentBits() { return exponentBits; }

    public int mantissaBits() { return mantissaBits; }

    /** Bits of a code: 1 + E + M. */
    public int bits() { return 1 + exponentBits + mantissaBits; }

    public Specials specials() { return specials; }

    public int bias() { return bias; }

    /** The exponent of the largest normal number: 8 for E4M3, 15 for E5M2, 2 for E2M1 (OCP's emax). */
    public int maxExponent() { return maxExponent; }

    /** The exponent of the smallest normal number, {@code 1 - bias}. */
    public int minExponent() { return minExponent; }

    /** The largest finite value: 448 (E4M3), 57344 (E5M2), 6 (E2M1). */
    public float max() { return max; }

    /** The code of {@link #max()} (positive). */
    public int maxCode() { return maxCode; }

    /** The smallest positive value, a subnormal: {@code 2^(1 - bias - M)}. */
    public float minSubnormal() { return values[1]; }

    /** Whether the format has a NaN code. */
    public boolean hasNaN() { return nanCode >= 0; }

    /** The value of {@code code} (its low {@link #bits()} bits); exact, NaNs as the class comment says. */
    public float decode(int code) {
        return values[code & (values.length - 1)];
    }

    /** Every code's value, indexed by code: a copy. */
    public float[] values() { return values.clone(); }

    /** The code of {@code x}: round to nearest even, saturate to ±max, NaN as the class comment says. */
    public int encode(float x) {
        int sign = (Float.floatToRawIntBits(x) >>> 31) << (exponentBits + mantissaBits);
        if (Float.isNaN(x)) return nanCode >= 0 ? sign | nanCode : 0;
        float a = Math.abs(x);
        if (!(a < max)) return sign | maxCode;
        int e = Math.max(exactExponent(a), minExponent);
        // a·2^(M-e) lies in [0, 2^(M+1)) and is exact (scaling by a power of two, no overflow).
        int n = (int) Math.rint(Math.scalb(a, mantissaBits - e));
        int magnitude;
        if (n < 1 << mantissaBits) {
            magnitude = n;   // subnormal (only reachable at e = minExponent) or zero
        } else {
            if (n == 2 << mantissaBits) {   // rounded up into the next binade
                e++;
                n = 1 << mantissaBits;
            }
            magnitude = (e + bias) << mantissaBits | (n - (1 << mantissaBits));
        }
        return sign | Math.min(magnitude, maxCode);
    }

    /** {@code decode(encode(x))}. */
    public float round(float x) {
        return decode(encode(x));
    }

    /** floor(log2 a) for a positive finite float, subnormals included. */
    static int exactExponent(float a) {
        int bits = Float.floatToRawIntBits(a);
        int field = bits >>> 23 & 0xFF;
        if (field != 0) return field - 127;
        return (31 - Integer.numberOfLeadingZeros(bits & 0x7F_FFFF)) - 149;
    }

    /** {@code E4M3}, {@code E2M1}, … */
    public String name() {
        return "E" + exponentBits + "M" + mantissaBits;
    }

    @Override public String toString() {
        return name() + " (" + specials.name().toLowerCase(Locale.ROOT) + ", max " + max + ")";
    }
}
