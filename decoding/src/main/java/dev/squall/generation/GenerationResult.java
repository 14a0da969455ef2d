package dev.squall.generation;

/**
 * What one generation did: the tokens it produced (the end token included when there was one),
 * the text shown, why it stopped, and its timings. Prefill covers the prompt's forward calls;
 * decode covers one forward call per generated token after the first (the first token's logits
 * come from the prefill), as llama.cpp counts them.
 */
public record GenerationResult(int[] tokens, String text, StopReason reason, int promptTokens,
                               long prefillNanos, int decodeSteps, long decodeNanos) {

    public double prefillTokensPerSecond() { return promptTokens == 0 ? 0 : promptTokens / (prefillNanos / 1e9); }

    public double decodeTokensPerSecond() { return decodeSteps == 0 ? 0 : decodeSteps / (decodeNanos / 1e9); }
}
