package dev.squall.backend;

import java.util.Locale;

/**
 * What a CPU matmul multiplies the weights with: the activations as floats (the default), or
 * rounded to Q8_0 per token for the exact int8 path of the formats that have one.
 */
public enum Activations {
    /** Float activations times the weights' exact values. */
    F32,
    /**
     * Activations rounded to 8-bit integers once per token and matrix input, integer block dot products
     * (Q8_0 blocks for Q8_0, Q4_0 and MXFP4 weights, Q8_K for Q4_K and Q6_K; other formats keep float activations). Lossy against F32: the
     * rounding is llama.cpp's, and so are the results, much more closely.
     */
    Q8;

    /** The name the command line uses. */
    public String flag() { return name().toLowerCase(Locale.ROOT); }

    /** Parses {@code --activations}; the error names the flag, the value and the choices. */
    public static Activations parse(String value) {
        for (Activations a : values()) if (a.flag().equals(value.toLowerCase(Locale.ROOT))) return a;
        throw new IllegalArgumentException("--activations " + value + ": expected f32 or q8");
    }
}
