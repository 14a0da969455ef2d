package dev.squall.format;

/**
 * E8M0, the shared scale of the OCP MX block formats: an unsigned byte {@code e} standing for
 * {@code 2^(e - 127)}, from 2^-127 ({@code e = 0}, a float subnormal) to 2^127 ({@code e = 254});
 * {@code e = 255} is NaN (OCP Microscaling Formats (MX) v1.0 §5.4).
 *
 * <p>The scale of a block ({@link #sharedScale}) is OCP's (§6.3): the block's largest magnitude
 * {@code amax} sets {@code shared_exp = floor(log2(amax)) - emax}, where {@code emax} is the
 * exponent of the element format's largest normal, so that amax lands in the element format's top
 * binade; it is clamped to [-127, 127]. A block holding a NaN or an infinity gets the NaN scale,
 * which decodes every element of the block to NaN.
 */
public final class E8M0 {

    /** The NaN code. */
    public static final int NAN = 0xFF;
    /** The code of 2^0. */
    public static final int ONE = 127;

    private E8M0() {}

    /** {@code 2^(code - 127)}, or NaN for 255; {@code code} is taken as an unsigned byte. */
    public static float toFloat(int code) {
        int e = code & 0xFF;
        if (e == NAN) return Float.NaN;
        return Float.intBitsToFloat(e == 0 ? 0x0040_0000 : e << 23);
    }

    /** The code of {@code 2^exponent}, the exponent clamped to [-127, 127]. */
    public static int ofExponent(int exponent) {
        return Math.max(-127, Math.min(127, exponent)) + ONE;
    }

    /**
     * OCP's shared scale of a block whose largest magnitude is {@code amax}, for elements whose
     * largest normal has exponent {@code elementMaxExponent}: the code of
     * {@code 2^(floor(log2 amax) - elementMaxExponent)}, clamped; 0 (2^-127) for an all-zero
     * block; {@link #NAN} when {@code amax} is not finite.
     */
    public static int sharedScale(float amax, int elementMaxExponent) {
        if (!Float.isFinite(amax)) return NAN;
        if (amax == 0f) return 0;
        return ofExponent(Minifloat.exactExponent(Math.abs(amax)) - elementMaxExponent);
    }
}
