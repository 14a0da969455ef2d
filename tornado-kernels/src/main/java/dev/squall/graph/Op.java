package dev.squall.graph;

import dev.squall.tensor.WeightTensor;

/**
 * The operators a model graph is made of: each is an application of one Squall operator to named
 * activations and weights. Backends compile these; the operators' definitions (oracles) and CPU
 * kernels live in {@code dev.squall.ops}.
 */
public sealed interface Op {

    /** out[t] = row {@code tokens[t]} of the embedding table (or the batch's own embeddings). */
    record Embed(WeightTensor table, Act out) implements Op {}

    /**
     * RMS normalization of every group of {@code groupSize} elements of each row of {@code in},
     * scaled by {@code weight} (length groupSize): groupSize = width normalizes whole rows,
     * groupSize = head size normalizes each head (Qwen 3's Q/K norm).
     */
    record RmsNorm(Act in, WeightTensor weight, float eps, int groupSize, Act out) implements Op {}

    /** out[t][r] = Σ_k w[r][k] · in[t][k] (+ bias[r]); {@code bias} may be null. */
    record Matmul(WeightTensor weight, WeightTensor bias, Act in, Act out) implements Op {}

    /** Rotates each of {@code heads} heads of {@code x} in place by the token's position. */
    record Rope(Act x, int heads, int headSize, RopeSpec spec) implements Op {}

    /**
     * Stores k and v of every token in the KV cache of {@code layer} at the token's sequence and
     * position, then writes to {@code out} the attention of each query head over the keys that the
     * sequence's {@link AttentionPolicy} makes visible (grouped-query: query head h reads KV head
     * h / (heads / kvHeads)), scaled by 1/sqrt(headSize). {@code rope} is the rotation q and k
     * carry (null: none), which a policy's {@link AttentionPolicy#distanceCap} partly undoes for
     * far keys.
     */
    record Attention(int layer, Act q, Act k, Act v, Act out, int heads, int kvHeads, int headSize, RopeSpec rope) implements Op {}

    /** out = a + b, element-wise (the residual connection); out may be a. */
    record Add(Act a, Act b, Act out) implements Op {}

    /** out = silu(gate) · up, element-wise (the gated FFN's activation). */
    record SwiGlu(Act gate, Act up, Act out) implements Op {}

    /** Copies the rows of the batch's output positions from a TOKENS tensor to an OUTPUTS tensor. */
    record GatherOutputs(Act in, Act out) implements Op {}
}
