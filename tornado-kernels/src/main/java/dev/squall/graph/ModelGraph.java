package dev.squall.graph;

import java.util.List;

/**
 * A whole model as a backend-neutral graph: a prologue (token embedding), one block per layer,
 * and an epilogue that runs on the output rows only (final norm, output projection).
 *
 * <pre>
 *   tokens ─ prologue ─▶ x ─▶ layer 0 ─▶ … ─▶ layer n-1 ─▶ x ─ epilogue ─▶ hidden ─▶ logits
 *                              (skippable per batch)            (output rows only)
 * </pre>
 *
 * Each layer is two sublayers (attention, MLP), each skippable per batch. A backend compiles the graph once ({@code Backend.compile}); each forward call then runs the
 * prologue, the layers the batch selects, and the epilogue. {@link #residual} is the activation
 * that carries the stream between layers.
 */
public record ModelGraph(String name, List<Op> prologue, List<Layer> layers, List<Op> epilogue,
                         Act residual, Act hidden, Act logits, KvGeometry kv) {

    /**
     * The operators of one transformer layer, as its two residual sublayers: attention (norm,
     * projections, RoPE, attention, output projection, residual add) and MLP. A batch may skip
     * either (SWIFT's self-speculative drafts); each must leave the residual stream as its only
     * product.
     */
    public record Layer(int index, List<Op> attention, List<Op> mlp) {
        public Layer {
            attention = List.copyOf(attention);
            mlp = List.copyOf(mlp);
        }

        /** Both sublayers' operators, in order. */
        public List<Op> ops() {
            List<Op> all = new java.util.ArrayList<>(attention);
            all.addAll(mlp);
            return List.copyOf(all);
        }
    }

    /** The shape of the KV cache the graph's attention operators need. */
    public record KvGeometry(int layers, int kvHeads, int headSize) {
        public int kvWidth() { return kvHeads * headSize; }
    }

    public ModelGraph {
        prologue = List.copyOf(prologue);
        layers = List.copyOf(layers);
        epilogue = List.copyOf(epilogue);
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).index() != i) throw new IllegalArgumentException("layer " + i + " has index " + layers.get(i).index());
        }
    }

    public int vocabSize() { return logits.width(); }

    public int embeddingSize() { return residual.width(); }
}
