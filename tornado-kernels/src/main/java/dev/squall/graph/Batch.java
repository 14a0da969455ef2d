package dev.squall.graph;

import java.util.Arrays;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The input of one forward call: tokens of one or more sequences at given positions.
 *
 * <p>Every token names its sequence (a {@link KvCache} id), its position and either a token id or,
 * for the whole batch, an input embedding. Tokens flagged as outputs get a row in the
 * {@link ForwardResult}, in batch order. Per batch: the {@link AttentionPolicy} of each sequence
 * (causal when absent), the layers to skip, and which outputs to compute.
 */
public final class Batch {

    /** What a forward call returns for each output row. */
    public enum Output { LOGITS, HIDDEN }

    private final int[] sequences;
    private final int[] positions;
    private final int[] tokens;
    private final float[] embeddings;
    private final int[] outputRows;
    private final Map<Integer, AttentionPolicy> policies;
    private final BitSet skippedLayers;
    private final Set<Output> outputs;

    private Batch(Builder b) {
        int n = b.size;
        this.sequences = Arrays.copyOf(b.sequences, n);
        this.positions = Arrays.copyOf(b.positions, n);
        this.tokens = Arrays.copyOf(b.tokens, n);
        this.embeddings = b.embeddings == null ? null : Arrays.copyOf(b.embeddings, n * b.embeddingWidth);
        this.outputRows = b.outputRows.stream().toArray();
        this.policies = Map.copyOf(b.policies);
        this.skippedLayers = (BitSet) b.skipped.clone();
        this.outputs = b.outputs.isEmpty() ? EnumSet.noneOf(Output.class) : EnumSet.copyOf(b.outputs);
    }

    public static Builder builder() { return new Builder(); }

    /** A batch of consecutive tokens of one sequence starting at {@code start}; the last one is an output. */
    public static Batch sequence(int seq, int start, int[] tokens) {
        Builder b = builder();
        for (int i = 0; i < tokens.length; i++) b.token(seq, start + i, tokens[i], i == tokens.length - 1);
        return b.build();
    }

    public int size() { return tokens.length; }

    public int sequence(int i) { return sequences[i]; }

    public int position(int i) { return positions[i]; }

    public int token(int i) { return tokens[i]; }

    /** Input embeddings, {@code size() × width} row-major, or null when tokens are looked up. */
    public float[] embeddings() { return embeddings; }

    /** Batch indices of the output rows, ascending. */
    public int[] outputRows() { return outputRows.clone(); }

    public int outputCount() { return outputRows.length; }

    public int outputRow(int i) { return outputRows[i]; }

    public AttentionPolicy policy(int seq) { return policies.getOrDefault(seq, AttentionPolicy.causal()); }

    public boolean skips(int layer) { return skippedLayers.get(layer); }

    public BitSet skippedLayers() { return (BitSet) skippedLayers.clone(); }

    public boolean wants(Output o) { return outputs.contains(o); }

    public static final class Builder {
        private int size;
        private int[] sequences = new int[16];
        private int[] positions = new int[16];
        private int[] tokens = new int[16];
        private float[] embeddings;
        private int embeddingWidth;
        private final Map<Integer, AttentionPolicy> policies = new HashMap<>();
        private final BitSet skipped = new BitSet();
        private final EnumSet<Output> outputs = EnumSet.of(Output.LOGITS);
        private final IntList outputRows = new IntList();

        private Builder() {}

        /** Adds a token; {@code output} asks for its row in the result. */
        public Builder token(int seq, int position, int token, boolean output) {
            if (position < 0) throw new IllegalArgumentException("position " + position + " is negative");
            if (size == tokens.length) grow();
            sequences[size] = seq;
            positions[size] = position;
            tokens[size] = token;
            if (output) outputRows.add(size);
            size++;
            return this;
        }

        /** Adds a token given by its input embedding (width = the model's embedding size). */
        public Builder embedding(int seq, int position, float[] embedding, boolean output) {
            if (size > 0 && embeddings == null) throw new IllegalStateException("a batch takes either token ids or embeddings, not both");
            if (embeddings == null) {
                embeddingWidth = embedding.length;
                embeddings = new float[tokens.length * embeddingWidth];
            } else if (embedding.length != embeddingWidth) {
                throw new IllegalArgumentException("embedding of width " + embedding.length + ", batch width " + embeddingWidth);
            }
            token(seq, position, -1, output);
            if (embeddings.length < size * embeddingWidth) embeddings = Arrays.copyOf(embeddings, tokens.length * embeddingWidth);
            System.arraycopy(embedding, 0, embeddings, (size - 1) * embeddingWidth, embeddingWidth);
            return this;
        }

        public Builder policy(int seq, AttentionPolicy policy) {
            policies.put(seq, policy);
            return this;
        }

        public Builder skipLayers(BitSet layers) {
            skipped.or(layers);
            return this;
        }

        public Builder skipLayer(int layer) {
            skipped.set(layer);
            return this;
        }

        /** Which outputs to compute for the output rows (logits only by default). */
        public Builder outputs(Output first, Output... rest) {
            outputs.clear();
            outputs.add(first);
            outputs.addAll(Arrays.asList(rest));
            return this;
        }

        public Batch build() {
            if (size == 0) throw new IllegalStateException("a batch needs at least one token");
            return new Batch(this);
        }

        private void grow() {
            int n = tokens.length * 2;
            sequences = Arrays.copyOf(sequences, n);
            positions = Arrays.copyOf(positions, n);
            tokens = Arrays.copyOf(tokens, n);
        }
    }

    private static final class IntList {
        private int[] a = new int[8];
        private int n;

        void add(int v) {
            if (n == a.length) a = Arrays.copyOf(a, n * 2);
            a[n++] = v;
        }

        java.util.stream.IntStream stream() { return Arrays.stream(a, 0, n); }
    }
}
