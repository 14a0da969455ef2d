package dev.squall.graph;

import java.util.Arrays;

/**
 * The outputs of one forward call, one row per output token of the batch, in batch order:
 * logits ({@code outputs × vocab}) and final hidden states ({@code outputs × embedding}), each
 * present when the batch asked for it.
 */
public record ForwardResult(int[] outputRows, float[] logits, int vocabSize, float[] hidden, int hiddenSize) {

    public int outputs() { return outputRows.length; }

    /** The logits of output {@code i} (a copy). */
    public float[] logits(int i) {
        if (logits == null) throw new IllegalStateException("the batch did not ask for logits");
        return Arrays.copyOfRange(logits, i * vocabSize, (i + 1) * vocabSize);
    }

    /** The final hidden state of output {@code i} (a copy). */
    public float[] hidden(int i) {
        if (hidden == null) throw new IllegalStateException("the batch did not ask for hidden states");
        return Arrays.copyOfRange(hidden, i * hiddenSize, (i + 1) * hiddenSize);
    }

    /** Index of the largest logit of output {@code i} (lowest index on ties). */
    public int argmax(int i) {
        if (logits == null) throw new IllegalStateException("the batch did not ask for logits");
        int base = i * vocabSize, best = 0;
        for (int v = 1; v < vocabSize; v++) if (logits[base + v] > logits[base + best]) best = v;
        return best;
    }
}
