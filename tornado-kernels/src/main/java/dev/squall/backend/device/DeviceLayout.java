package dev.squall.backend.device;

import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import java.util.Optional;

/**
 * How a weight tensor lives in an accelerator's memory: flat arrays that a kernel indexes directly,
 * without structs, without fp16 arithmetic and without reinterpreting bits as floats (OpenCL C 1.2
 * devices lack half variables, and TornadoVM's OpenCL backend cannot compile
 * {@code Float.intBitsToFloat}). A {@link DeviceWeight} packs a tensor into its layout.
 *
 * <pre>
 *  layout       arrays (rows × k elements)                         element (row r, column i)
 *  F32          values: float[rows·k]                               values[r·k + i]
 *  F16, BF16    values: short[rows·k], the raw bits                 integer decode, times an exponent table
 *  INT8_GROUPS  values: byte[rows·k], scales: float[rows·k/G]       scales[(r·k + i)/G] · values[r·k + i]
 *  Q4_0         values: byte[rows·k/2], scales: float[rows·k/32]    (nibble − 8) · scale
 *  Q4_AFFINE    values: byte[rows·k/2], scales, mins: float[rows·k/32]   scale · nibble − min
 * </pre>
 * Nibbles keep ggml's Q4_0 order: in a group of 32, byte j holds element j (low nibble) and
 * element j + 16 (high nibble).
 *
 * <p>Every layout decodes to exactly the value the format's oracle decodes ({@link WeightFormat#decode}),
 * because it stores the very floats the oracle multiplies: Q8_0 is INT8_GROUPS with G = 32 (code
 * qs, scale d); Q6_K is repacked to INT8_GROUPS with G = 16 (code q − 32, scale d·sc as the oracle
 * rounds it); Q4_K is repacked to Q4_AFFINE (scale d·sc and min dmin·m of each 32-element
 * sub-block, as the oracle rounds them). The K-quant repacks cost memory (Q6_K: 10 bits per weight
 * instead of 6.6; Q4_K: 6 instead of 4.5) and no accuracy.
 */
public enum DeviceLayout {
    F32, F16, BF16, INT8_GROUPS, Q4_0, Q4_AFFINE;

    /** The layout a format is packed into, or empty when no device kernel reads the format. */
    public static Optional<DeviceLayout> of(WeightFormat f) {
        if (f == WeightFormats.F32) return Optional.of(F32);
        if (f == WeightFormats.F16) return Optional.of(F16);
        if (f == WeightFormats.BF16) return Optional.of(BF16);
        if (f == WeightFormats.Q8_0 || f == WeightFormats.Q6_K) return Optional.of(INT8_GROUPS);
        if (f == WeightFormats.Q4_0) return Optional.of(Q4_0);
        if (f == WeightFormats.Q4_K) return Optional.of(Q4_AFFINE);
        return Optional.empty();
    }

    /** Elements per scale (G), or 0 for the plain layouts; Q8_0 and Q6_K share INT8_GROUPS with different G. */
    static int group(WeightFormat f) {
        if (f == WeightFormats.Q6_K) return 16;
        return switch (of(f).orElseThrow()) {
            case F32, F16, BF16 -> 0;
            case INT8_GROUPS, Q4_0, Q4_AFFINE -> 32;
        };
    }

    /** Whether the values array holds two 4-bit codes per byte. */
    public boolean nibbles() { return this == Q4_0 || this == Q4_AFFINE; }

    /** Whether the values are 16-bit patterns (decoded with {@link #exponentScales}). */
    public boolean halves() { return this == F16 || this == BF16; }

    /**
     * The exponent table of a 16-bit layout: a half with exponent field e and fraction m decodes to
     * {@code (e == 0 ? m : m | implicit) · 2^-fractionBits · table[e]}, negated for a set sign bit.
     * Every entry and every intermediate product is a normal float or zero, so the decode is exact
     * without subnormal support; the all-ones exponent maps to infinity (NaN patterns decode as
     * NaN, see {@link DeviceWeight#decodeHalf}).
     */
    public float[] exponentScales() {
        return switch (this) {
            case F16 -> table(5, 15);
            case BF16 -> table(8, 127);
            default -> throw new IllegalStateException(this + " has no exponent table");
        };
    }

    /** Bits of the fraction field: 10 for F16, 7 for BF16. */
    public int fractionBits() {
        return switch (this) {
            case F16 -> 10;
            case BF16 -> 7;
            default -> throw new IllegalStateException(this + " is not a 16-bit layout");
        };
    }

    private static float[] table(int exponentBits, int bias) {
        int n = 1 << exponentBits;
        float[] t = new float[n];
        for (int e = 0; e < n; e++) t[e] = e == n - 1 ? Float.POSITIVE_INFINITY : Math.scalb(1f, Math.max(e, 1) - bias);
        return t;
    }
}
