package dev.squall.backend.device;

import dev.squall.format.FP8;
import dev.squall.format.MXFP8;
import dev.squall.format.Minifloat;
import dev.squall.format.NVFP4;
import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import java.util.Optional;

/**
 * How a weight tensor lives in an accelerator's memory: flat arrays that a kernel indexes directly,
 * without structs, without fp16 or fp8 arithmetic and without reinterpreting bits as floats (OpenCL
 * C 1.2 devices lack half variables, and TornadoVM's OpenCL backend cannot compile
 * {@code Float.intBitsToFloat}). A {@link DeviceWeight} packs a tensor into its layout.
 *
 * <pre>
 *  layout         arrays (rows × k elements)                                   element e = r·k + i
 *  F32            values: float[rows·k]                                        values[e]
 *  F16, BF16      values: short[rows·k], the raw bits; table: float[32|256]     integer decode, times an exponent table
 *  INT8_GROUPS    values: byte[rows·k], scales: float[rows·k/G]                scales[e/G] · values[e]
 *  Q4_0           values: byte[rows·k/2], scales: float[rows·k/32]             (nibble − 8) · scale
 *  Q4_AFFINE      values: byte[rows·k/2], scales, mins: float[rows·k/32]       scale · nibble − min
 *  TABLE4_GROUPS  values: byte[rows·k/2], table: float[16], scales: float[rows·k/G]   table[nibble(e)] · scales[e/G]
 *  TABLE8_GROUPS  values: byte[rows·k], table: float[256], scales: float[rows·k/G]    table[values[e]] · scales[e/G]
 *  TABLE8_ROWS    values: byte[rows·k], table: float[256], scales: float[rows]        table[values[e]] · scales[r]
 * </pre>
 * Nibbles keep ggml's order: in a group of G elements (G = 32 for Q4_0, Q4_AFFINE and MXFP4, 16 for
 * NVFP4), byte j of the group's G/2 bytes holds element j (low nibble) and element j + G/2 (high
 * nibble). So MXFP4's and NVFP4's {@code qs} bytes are copied as they are.
 *
 * <p>Every layout decodes to exactly the value the format's oracle decodes ({@link WeightFormat#decode}),
 * because it stores the very floats the oracle multiplies, and multiplies them in the oracle's order:
 * <ul>
 * <li>Q8_0 is INT8_GROUPS with G = 32 (code qs, scale d); Q6_K is repacked to INT8_GROUPS with
 *     G = 16 (code q − 32, scale d·sc as the oracle rounds it); Q4_K is repacked to Q4_AFFINE (scale
 *     d·sc and min dmin·m of each 32-element sub-block, as the oracle rounds them). The K-quant
 *     repacks cost memory (Q6_K: 10 bits per weight instead of 6.6; Q4_K: 6 instead of 4.5) and no
 *     accuracy.</li>
 * <li>The FP4 and FP8 formats keep their raw codes and decode through a table of every code's value
 *     ({@link Minifloat#values}: 16 entries for E2M1, 256 for E4M3 and E5M2, NaN codes NaN, E5M2's
 *     infinities infinite), times one float scale per group: MXFP4 is TABLE4_GROUPS with G = 32
 *     (scale E8M0(e)); NVFP4 is TABLE4_GROUPS with G = 16, its scale the oracle's
 *     {@code UE4M3(d) · tensorScale} rounded to float once, exactly as the oracle forms it before
 *     multiplying the element; MXFP8 (E4M3, E5M2) is TABLE8_GROUPS with G = 32 (scale E8M0(e)); FP8
 *     with a row scale is TABLE8_ROWS (the row's FP32 scale; rows of any length). The element is
 *     then one product {@code E(code) · scale}, the oracle's. A float scale instead of a byte costs
 *     memory: 5 bits per weight for MXFP4 (4.25 in the file), 6 for NVFP4 (4.5), 9 for MXFP8
 *     (8.25); FP8 with a row scale keeps the file's 8 + 32/k.</li>
 * </ul>
 * Where an oracle's value is a subnormal float (an E8M0 scale of 2^-127, tiny FP8 elements times
 * small scales), a device that flushes subnormals to zero gives zero.
 */
public enum DeviceLayout {
    F32, F16, BF16, INT8_GROUPS, Q4_0, Q4_AFFINE, TABLE4_GROUPS, TABLE8_GROUPS, TABLE8_ROWS;

    /** The layout a format is packed into, or empty when no device kernel reads the format. */
    public static Optional<DeviceLayout> of(WeightFormat f) {
        if (f == WeightFormats.F32) return Optional.of(F32);
        if (f == WeightFormats.F16) return Optional.of(F16);
        if (f == WeightFormats.BF16) return Optional.of(BF16);
        if (f == WeightFormats.Q8_0 || f == WeightFormats.Q6_K) return Optional.of(INT8_GROUPS);
        if (f == WeightFormats.Q4_0) return Optional.of(Q4_0);
        if (f == WeightFormats.Q4_K) return Optional.of(Q4_AFFINE);
        if (f == WeightFormats.MXFP4 || f instanceof NVFP4) return Optional.of(TABLE4_GROUPS);
        if (f instanceof MXFP8) return Optional.of(TABLE8_GROUPS);
        if (f instanceof FP8) return Optional.of(TABLE8_ROWS);
        return Optional.empty();
    }

    /**
     * Elements per scale (G) of a tensor of {@code f} with rows of {@code columns}: 0 for the plain
     * layouts, the row length for TABLE8_ROWS; layouts shared by several formats take each one's G.
     */
    static int group(WeightFormat f, int columns) {
        if (f == WeightFormats.Q6_K || f instanceof NVFP4) return 16;
        return switch (of(f).orElseThrow()) {
            case F32, F16, BF16 -> 0;
            case INT8_GROUPS, Q4_0, Q4_AFFINE, TABLE4_GROUPS, TABLE8_GROUPS -> 32;
            case TABLE8_ROWS -> columns;
        };
    }

    /** The element format whose codes a table layout stores ({@code f} is one of its formats). */
    static Minifloat element(WeightFormat f) {
        if (f instanceof MXFP8 m) return m.element();
        if (f instanceof FP8 p) return p.element();
        if (f == WeightFormats.MXFP4 || f instanceof NVFP4) return Minifloat.E2M1;
        throw new IllegalArgumentException("format " + f.name() + " is not stored as codes of a minifloat");
    }

    /** Whether the values array holds two 4-bit codes per byte. */
    public boolean nibbles() { return this == Q4_0 || this == Q4_AFFINE || this == TABLE4_GROUPS; }

    /** Whether the values are 16-bit patterns (decoded with {@link #exponentScales}). */
    public boolean halves() { return this == F16 || this == BF16; }

    /** Whether the values are minifloat codes decoded through a table of every code's value. */
    public boolean codeTable() { return this == TABLE4_GROUPS || this == TABLE8_GROUPS || this == TABLE8_ROWS; }

    /** Floats in the layout's decode table: the exponent table of a 16-bit layout, the code table of a table layout; 0 for the rest. */
    public int tableSize() {
        return switch (this) {
            case F16 -> 32;
            case BF16 -> 256;
            case TABLE4_GROUPS -> 16;
            case TABLE8_GROUPS, TABLE8_ROWS -> 256;
            default -> 0;
        };
    }

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
