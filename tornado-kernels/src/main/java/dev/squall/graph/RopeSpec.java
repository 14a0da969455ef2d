package dev.squall.graph;

/**
 * Rotary position embedding as ggml's {@code rope_ext} defines it, for the first {@code dims}
 * elements of every head (the rest pass through).
 *
 * <p>Pair {@code i} (of {@code dims/2}) rotates by {@code θ = pos · freqScale · base^(-2i/dims) /
 * freqFactors[i]}. {@link Pairing#ADJACENT} rotates elements (2i, 2i+1) (Llama, Mistral);
 * {@link Pairing#NEOX} rotates (i, i + dims/2) (Qwen 2/3, GPT-NeoX). {@code freqFactors} carries
 * Llama 3 style frequency scaling (the GGUF tensor {@code rope_freqs.weight}); null means all 1.
 */
public record RopeSpec(int dims, float base, float freqScale, float[] freqFactors, Pairing pairing) {

    public enum Pairing { ADJACENT, NEOX }

    public RopeSpec {
        if (dims <= 0 || dims % 2 != 0) throw new IllegalArgumentException("rope dims must be even and positive: " + dims);
        if (freqFactors != null && freqFactors.length != dims / 2) {
            throw new IllegalArgumentException("rope frequency factors: " + freqFactors.length + " given, " + dims / 2 + " expected");
        }
        freqFactors = freqFactors == null ? null : freqFactors.clone();
    }

    @Override public float[] freqFactors() { return freqFactors == null ? null : freqFactors.clone(); }

    /** The factor of pair {@code i}: 1 without scaling. */
    public float freqFactor(int i) { return freqFactors == null ? 1f : freqFactors[i]; }
}
