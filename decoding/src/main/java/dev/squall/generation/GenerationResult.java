package dev.squall.generation;

/**
 * What one generation did: the tokens it produced (the end token included when there was one),
 * the text shown, why it stopped, and its timings. Prefill covers the prompt's forward calls;
 * decode covers the tokens after the first (whose logits come from the prefill), as llama.cpp
 * counts them, and the target forward calls they took: one per token for plain sampling, fewer
 * when a speculative decoder's guesses were accepted.
 */
public record GenerationResult(int[] tokens, String text, StopReason reason, int promptTokens, long prefillNanos, int prefillForwards,
                               int decodeTokens, long decodeNanos, int decodeForwards, String decoder, SpeculationStats speculation) {

    public double prefillTokensPerSecond() { return promptTokens == 0 ? 0 : promptTokens / (prefillNanos / 1e9); }

    public double decodeTokensPerSecond() { return decodeTokens == 0 ? 0 : decodeTokens / (decodeNanos / 1e9); }
}
