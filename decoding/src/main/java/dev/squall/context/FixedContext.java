package dev.squall.context;

import dev.squall.graph.KvCache;
import dev.squall.graph.SqueezedIndex;

/**
 * A fixed context computed once: its tokens, the keys and values of every layer as a KV cache
 * should hold them ({@link #rows}), the squeezed index over them (null: dense attention), the
 * calibration queries (its last queries, per layer) the thresholds come from, and the logits
 * after its last token, so that a session on it computes nothing of the context again.
 *
 * @param calibration per layer, {@code calibrationCount × heads · headSize} floats, rotated
 * @param model       the {@link ModelIdentity} of the model that computed it
 */
public record FixedContext(int[] tokens, KvCache.Rows rows, SqueezedIndex index, float[][] calibration, int calibrationCount,
                           int heads, float[] lastLogits, String model, String source) {

    public int length() { return tokens.length; }

    /** This context with its index's thresholds calibrated to {@code sparsity}. */
    public FixedContext withSparsity(double sparsity) {
        if (index == null) throw new IllegalArgumentException("--sparsity " + sparsity + ": the context " + source + " has no squeezed index (dense)");
        SqueezedIndex.Thresholds t = Calibration.thresholds(index, calibration, calibrationCount, heads, sparsity);
        return new FixedContext(tokens, rows, index.withThresholds(t), calibration, calibrationCount, heads, lastLogits, model, source);
    }

    /**
     * The rows of a context computed in this process: {@code keys[layer]}, {@code values[layer]}
     * position-major ({@code n × kvWidth}) in context order, read in the index's cell order.
     */
    public static KvCache.Rows rows(float[][] keys, float[][] values, int n, int kvHeads, int headSize, SqueezedIndex index) {
        int width = kvHeads * headSize;
        return new KvCache.Rows() {
            @Override public int length() { return n; }

            @Override public void read(int layer, int cell, float[] key, float[] value) {
                for (int h = 0; h < kvHeads; h++) {
                    int p = index == null ? cell : index.head(layer, h).order()[cell];
                    System.arraycopy(keys[layer], p * width + h * headSize, key, h * headSize, headSize);
                    System.arraycopy(values[layer], p * width + h * headSize, value, h * headSize, headSize);
                }
            }
        };
    }
}
