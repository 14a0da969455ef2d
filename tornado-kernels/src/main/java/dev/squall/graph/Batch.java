package dev.squall.graph;

import java.util.Arrays;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The input of one forward call: tokens of one or more sequences.
 *
 * <p>Every token names its sequence (a {@link KvCache} id), its <em>position</em> (what RoPE
 * rotates it by), the cache <em>cell</em> its key and value are written to (the position unless
 * given) and either a token id or, for the whole batch, an input embedding. Which cells of its
 * sequence a token attends to is, per token, an explicit list of cell ranges (a candidate tree:
 * the committed prefix plus the token's ancestors) or else its sequence's {@link AttentionPolicy}
 * evaluated at its cell (causal when absent). Tokens flagged as outputs get a row in the
 * {@link ForwardResult}, in batch order. Per batch: the layers whose attention or MLP sublayer is
 * skipped, and which outputs to compute.
 *
 * <p>Plans check a batch with {@link BatchChecker} before they change anything.
 */
public final class Batch {

    /** What a forward call returns for each output row. */
    public enum Output { LOGITS, HIDDEN }

    private final int[] sequences;
    private final int[] positions;
    private final int[] cells;
    private final int[] tokens;
    private final int[][] visibility;   // per token: explicit ranges (start0, end0, …), or null for the policy
    private final float[] embeddings;
    private final int[] outputRows;
    private final Map<Integer, AttentionPolicy> policies;
    private final BitSet skippedAttention, skippedMlp;
    private final Set<Output> outputs;

    private Batch(Builder b) {
        int n = b.size;
        this.sequences = Arrays.copyOf(b.sequences, n);
        this.positions = Arrays.copyOf(b.positions, n);
        this.cells = Arrays.copyOf(b.cells, n);
        this.tokens = Arrays.copyOf(b.tokens, n);
        this.visibility = b.anyVisibility ? Arrays.copyOf(b.visibility, n) : null;
        this.embeddings = b.embeddings == null ? null : Arrays.copyOf(b.embeddings, n * b.embeddingWidth);
        this.outputRows = b.outputRows.stream().toArray();
        this.policies = Map.copyOf(b.policies);
        this.skippedAttention = (BitSet) b.skippedAttention.clone();
        this.skippedMlp = (BitSet) b.skippedMlp.clone();
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

    /** The position RoPE gives token {@code i}. */
    public int position(int i) { return positions[i]; }

    /** The cache cell token {@code i} writes its key and value to. */
    public int cell(int i) { return cells[i]; }

    public int token(int i) { return tokens[i]; }

    /**
     * The cell ranges token {@code i} attends to, as given to the builder (start0, end0, …), or
     * null when its sequence's policy decides.
     */
    public int[] visibility(int i) { return visibility == null || visibility[i] == null ? null : visibility[i].clone(); }

    /** Whether any token carries its own visibility. */
    public boolean hasTokenVisibility() { return visibility != null; }

    /** Input embeddings, {@code size() × width} row-major, or null when tokens are looked up. */
    public float[] embeddings() { return embeddings; }

    /** Batch indices of the output rows, ascending. */
    public int[] outputRows() { return outputRows.clone(); }

    public int outputCount() { return outputRows.length; }

    public int outputRow(int i) { return outputRows[i]; }

    public AttentionPolicy policy(int seq) { return policies.getOrDefault(seq, AttentionPolicy.causal()); }

    /** Whether layer {@code layer} is skipped whole (attention and MLP). */
    public boolean skips(int layer) { return skippedAttention.get(layer) && skippedMlp.get(layer); }

    public boolean skipsAttention(int layer) { return skippedAttention.get(layer); }

    public boolean skipsMlp(int layer) { return skippedMlp.get(layer); }

    /** Layers skipped whole. */
    public BitSet skippedLayers() {
        BitSet b = (BitSet) skippedAttention.clone();
        b.and(skippedMlp);
        return b;
    }

    /** Layers whose attention sublayer is skipped. */
    public BitSet skippedAttention() { return (BitSet) skippedAttention.clone(); }

    /** Layers whose MLP sublayer is skipped. */
    public BitSet skippedMlp() { return (BitSet) skippedMlp.clone(); }

    public boolean wants(Output o) { return outputs.contains(o); }

    public static final class Builder {
        private int size;
        private int[] sequences = new int[16];
        private int[] positions = new int[16];
        private int[] cells = new int[16];
        private int[] tokens = new int[16];
        private int[][] visibility = new int[16][];
        private boolean anyVisibility;
        private float[] embeddings;
        private int embeddingWidth;
        private final Map<Integer, AttentionPolicy> policies = new HashMap<>();
        private final BitSet skippedAttention = new BitSet(), skippedMlp = new BitSet();
        private final EnumSet<Output> outputs = EnumSet.of(Output.LOGITS);
        private final IntList outputRows = new IntList();

        private Builder() {}

        /** Adds a token at {@code position}, written to the cell of the same number; {@code output} asks for its row. */
        public Builder token(int seq, int position, int token, boolean output) {
            return token(seq, position, position, token, output, null);
        }

        /**
         * Adds a token with RoPE position {@code position}, written to cache cell {@code cell}, that
         * attends to the cell ranges {@code visible} (start0, end0, start1, end1, …: ascending,
         * disjoint, half-open), or to what its sequence's policy gives at its cell when null.
         */
        public Builder token(int seq, int position, int cell, int token, boolean output, int[] visible) {
            if (position < 0) throw new IllegalArgumentException("position " + position + " is negative");
            if (cell < 0) throw new IllegalArgumentException("cell " + cell + " is negative");
            if (visible != null && (visible.length == 0 || visible.length % 2 != 0)) {
                throw new IllegalArgumentException("visible cells are given as (start, end) pairs, not " + visible.length + " numbers");
            }
            if (size == tokens.length) grow();
            sequences[size] = seq;
            positions[size] = position;
            cells[size] = cell;
            tokens[size] = token;
            visibility[size] = visible == null ? null : visible.clone();
            anyVisibility |= visible != null;
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

        /** Skips every layer in {@code layers} whole. */
        public Builder skipLayers(BitSet layers) {
            skippedAttention.or(layers);
            skippedMlp.or(layers);
            return this;
        }

        public Builder skipLayer(int layer) {
            skippedAttention.set(layer);
            skippedMlp.set(layer);
            return this;
        }

        /** Skips the attention sublayer of {@code layer} (its residual passes through unchanged). */
        public Builder skipAttention(int layer) {
            skippedAttention.set(layer);
            return this;
        }

        /** Skips the MLP sublayer of {@code layer}. */
        public Builder skipMlp(int layer) {
            skippedMlp.set(layer);
            return this;
        }

        /** Which outputs to compute for the output rows (logits only by default). */
        public Builder outputs(Output first, Output... rest) {
            outputs.clear();
            outputs.add(first);
            outputs.addAll(Arrays.asList(rest));
            return this;
        }

        public int size() { return size; }

        /** Makes the last token added an output row (if it is not one already). */
        public Builder outputRowOfLast() {
            if (size == 0) throw new IllegalStateException("no token yet");
            if (outputRows.n == 0 || outputRows.a[outputRows.n - 1] != size - 1) outputRows.add(size - 1);
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
            cells = Arrays.copyOf(cells, n);
            tokens = Arrays.copyOf(tokens, n);
            visibility = Arrays.copyOf(visibility, n);
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
