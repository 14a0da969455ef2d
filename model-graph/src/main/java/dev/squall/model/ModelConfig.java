package dev.squall.model;

import dev.squall.graph.RopeSpec;

/**
 * The hyper-parameters of a decoder-only transformer, as a model family reads them from GGUF
 * metadata ({@code <arch>.embedding_length}, {@code <arch>.block_count}, …).
 *
 * @param architecture  {@code general.architecture}: llama, qwen2, qwen3
 * @param embeddingSize width of the residual stream
 * @param layers        transformer blocks
 * @param heads         query heads
 * @param kvHeads       key/value heads (grouped-query attention when fewer than heads)
 * @param headSize      width of one head (usually embeddingSize / heads; Qwen 3 sets it apart)
 * @param ffnSize       hidden width of the gated FFN
 * @param vocabSize     rows of the embedding table
 * @param contextLength the context the model was trained for
 * @param normEps       RMSNorm epsilon
 * @param rope          rotary embedding (dims, base, scaling, pairing)
 */
public record ModelConfig(String architecture, String name, int embeddingSize, int layers, int heads, int kvHeads,
                          int headSize, int ffnSize, int vocabSize, int contextLength, float normEps, RopeSpec rope) {

    public int queryWidth() { return heads * headSize; }

    public int kvWidth() { return kvHeads * headSize; }
}
