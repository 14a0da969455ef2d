package dev.squall.graph;

import java.util.Arrays;

/**
 * The key index of a fixed context for Squeezed Attention (Hooper et al. 2024, "Squeezed
 * Attention: Accelerating Long Context Length LLM Inference", §3): per layer and KV head, the
 * context's keys clustered offline, each cluster a centroid (the mean of its members' keys) and a
 * size, optionally under a coarse level of clusters over the fine centroids.
 *
 * <p><b>Cell order.</b> Within the fixed context ({@link #length()} cells from cell 0), each KV
 * head stores its keys and values in cluster order: cell {@code i} of head {@code h} in layer
 * {@code l} holds the key and value computed at context position {@code order[i]} of that head.
 * So fine cluster {@code c} is the run of cells {@code [starts[c], starts[c+1])}, and the fine
 * clusters of coarse cluster {@code K} are {@code [coarseStarts[K], coarseStarts[K+1])}: a kept
 * cluster is a contiguous range of the cache, which the exact attention kernel reads as it reads
 * any range. Attention is a sum over keys, so the order changes nothing but the summation order.
 *
 * <p><b>Selection</b> ({@link dev.squall.ops.SqueezedSelection}): a query scores every centroid of
 * its KV head, {@code s_c = q·c · scale}; the size-weighted softmax
 * {@code log p_c = s_c − log Σ_j n_j·exp(s_j)} estimates the attention weight of each key of
 * cluster {@code c}; the cluster is kept when {@code log p_c ≥} the threshold. Two levels score the
 * coarse centroids first ({@link Thresholds#coarse}), then the fine centroids of the kept coarse
 * clusters, the dropped coarse clusters standing in for their keys in the denominator.
 *
 * <p>Centroids are stored dimension by dimension ({@code centroids[d · C + c]}) so that a query's
 * scores over all centroids are vertical multiply-adds.
 */
public final class SqueezedIndex {

    /**
     * One KV head's clusters: fine centroids by dimension ({@code headSize × C}), the cell where
     * each fine cluster starts ({@code C + 1} entries, the last = the context length), and for two
     * levels the coarse centroids by dimension, the first fine cluster of each coarse cluster
     * ({@code C₂ + 1}) and the keys each coarse cluster holds; {@code order} maps cells to context
     * positions (the member lists).
     */
    public record Head(float[] centroids, int[] starts, float[] coarseCentroids, int[] coarseStarts, int[] coarseCounts, int[] order) {
        public int clusters() { return starts.length - 1; }

        public int coarseClusters() { return coarseStarts == null ? 0 : coarseStarts.length - 1; }

        public boolean hierarchical() { return coarseCentroids != null; }

        /** Keys in fine cluster {@code c}. */
        public int size(int c) { return starts[c + 1] - starts[c]; }
    }

    /**
     * The selection thresholds, as natural logs of the per-key weight estimate: a cluster is kept
     * when its estimate is at least {@code exp(threshold)}. {@link Float#NEGATIVE_INFINITY} keeps
     * every cluster (dense attention). {@code sparsity} is the fraction of fixed-context keys the
     * thresholds were calibrated to skip.
     */
    public record Thresholds(double sparsity, float coarse, float fine) {
        public static final Thresholds DENSE = new Thresholds(0, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY);

        public boolean dense() { return coarse == Float.NEGATIVE_INFINITY && fine == Float.NEGATIVE_INFINITY; }
    }

    private final int layers, kvHeads, headSize, length;
    private final Head[] heads;
    private final Thresholds thresholds;

    /** {@code heads[layer · kvHeads + h]}; every head covers the same {@code length} cells. */
    public SqueezedIndex(int layers, int kvHeads, int headSize, int length, Head[] heads, Thresholds thresholds) {
        if (heads.length != layers * kvHeads) throw new IllegalArgumentException("a squeezed index of " + layers + " layers × " + kvHeads + " KV heads has " + heads.length + " heads");
        for (int i = 0; i < heads.length; i++) check(heads[i], i, headSize, length);
        this.layers = layers;
        this.kvHeads = kvHeads;
        this.headSize = headSize;
        this.length = length;
        this.heads = heads.clone();
        this.thresholds = thresholds;
    }

    private static void check(Head h, int i, int headSize, int length) {
        String where = "squeezed index, layer " + i + " head";
        int c = h.clusters();
        if (c < 1 || h.starts[0] != 0 || h.starts[c] != length) throw new IllegalArgumentException(where + ": cluster starts must run from 0 to " + length);
        for (int j = 0; j < c; j++) if (h.starts[j + 1] <= h.starts[j]) throw new IllegalArgumentException(where + ": cluster " + j + " is empty or out of order");
        if (h.centroids.length != c * headSize) throw new IllegalArgumentException(where + ": " + h.centroids.length + " centroid floats for " + c + " clusters of " + headSize);
        if (h.order.length != length) throw new IllegalArgumentException(where + ": the member list has " + h.order.length + " entries for " + length + " keys");
        if (h.hierarchical()) {
            int k = h.coarseClusters();
            if (k < 1 || h.coarseStarts[0] != 0 || h.coarseStarts[k] != c) throw new IllegalArgumentException(where + ": coarse starts must run from 0 to " + c);
            if (h.coarseCentroids.length != k * headSize || h.coarseCounts.length != k) throw new IllegalArgumentException(where + ": coarse level has the wrong size");
            for (int j = 0; j < k; j++) {
                if (h.coarseStarts[j + 1] <= h.coarseStarts[j]) throw new IllegalArgumentException(where + ": coarse cluster " + j + " is empty");
                if (h.coarseCounts[j] != h.starts[h.coarseStarts[j + 1]] - h.starts[h.coarseStarts[j]]) {
                    throw new IllegalArgumentException(where + ": coarse cluster " + j + " counts " + h.coarseCounts[j] + " keys, its fine clusters hold another number");
                }
            }
        }
    }

    public int layers() { return layers; }

    public int kvHeads() { return kvHeads; }

    public int headSize() { return headSize; }

    /** The fixed context's cells, {@code [0, length)}. */
    public int length() { return length; }

    /** Whether the index has a coarse level. */
    public boolean hierarchical() { return heads[0].hierarchical(); }

    public Head head(int layer, int kvHead) { return heads[layer * kvHeads + kvHead]; }

    public Thresholds thresholds() { return thresholds; }

    /** The same clusters with other thresholds ({@code --sparsity} at run time). */
    public SqueezedIndex withThresholds(Thresholds t) { return new SqueezedIndex(layers, kvHeads, headSize, length, heads, t); }

    /** Fine clusters over all heads. */
    public long clusters() { return Arrays.stream(heads).mapToLong(Head::clusters).sum(); }

    @Override public String toString() {
        return "squeezed index of " + length + " cells, " + layers + " layers × " + kvHeads + " KV heads, "
                + clusters() / heads.length + " clusters per head" + (hierarchical() ? " under " + heads[0].coarseClusters() + " coarse" : "")
                + ", " + thresholds;
    }
}
