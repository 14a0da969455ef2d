package dev.squall.graph;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The one check of a batch, shared by every backend and run before a plan changes anything: a bad
 * batch is an {@link IllegalArgumentException} naming the token, the field, the value and the
 * bound, and leaves the cache as it was.
 *
 * <p>Rules: each token's sequence exists; its cell is below the context size and leaves no gap
 * (at most the sequence's length once the batch's earlier tokens are written); its token id is in
 * the vocabulary (or the batch's embeddings have the model's width); its visible cell ranges are
 * ascending, disjoint, non-empty in total, hold only cells written before it (by the cache or by
 * earlier tokens of the batch) and no cell a later token of the batch writes; skipped layers
 * exist. The result is every token's visible ranges, resolved once for the plan.
 */
public final class BatchChecker {

    private BatchChecker() {}

    /** What a plan needs to know to check a batch. */
    public record Limits(int vocabRows, int embeddingSize, int layers, int maxRanges) {
        /** {@code maxRanges} 0: any number of visible ranges per token. */
        public Limits {
            if (maxRanges < 0) throw new IllegalArgumentException("maxRanges " + maxRanges + " is negative");
        }
    }

    /** The limits of a graph, with at most {@code maxRanges} visible ranges per token (0: any). */
    public static Limits limits(ModelGraph graph, int maxRanges) {
        int vocab = graph.vocabSize();
        for (Op op : graph.prologue()) if (op instanceof Op.Embed e) vocab = e.table().rows();
        return new Limits(vocab, graph.embeddingSize(), graph.layers().size(), maxRanges);
    }

    /**
     * Every token's visible cell ranges, packed: token t's pairs are
     * {@code ranges[2·offsets[t] .. 2·offsets[t+1])}.
     */
    public record Visibility(int[] offsets, int[] ranges) {
        public int count(int t) { return offsets[t + 1] - offsets[t]; }
        public int start(int t, int r) { return ranges[2 * (offsets[t] + r)]; }
        public int end(int t, int r) { return ranges[2 * (offsets[t] + r) + 1]; }
        /** Copies token t's pairs into {@code into} and returns how many ranges it has. */
        public int copy(int t, int[] into) {
            int n = count(t);
            System.arraycopy(ranges, 2 * offsets[t], into, 0, 2 * n);
            return n;
        }
        /** The most ranges any token has. */
        public int maxCount() {
            int m = 0;
            for (int t = 0; t + 1 < offsets.length; t++) m = Math.max(m, count(t));
            return m;
        }
    }

    /** Checks {@code b} against the cache and the limits; returns the resolved visibility. */
    public static Visibility check(Batch b, KvCache cache, Limits limits) {
        int n = b.size();
        Map<Integer, Integer> lengths = new HashMap<>();
        int[] lengthAfter = new int[n];
        for (int i = 0; i < n; i++) {
            int seq = b.sequence(i), cell = b.cell(i);
            if (!cache.contains(seq)) throw new IllegalArgumentException("batch token " + i + ": no sequence " + seq + " in the KV cache");
            int len = lengths.computeIfAbsent(seq, cache::length);
            if (cell >= cache.capacity()) {
                throw new IllegalArgumentException("batch token " + i + ": cell " + cell + " is beyond the context size " + cache.capacity());
            }
            int fixed = cache.fixedLength(seq);
            if (cell < fixed) {
                throw new IllegalArgumentException("batch token " + i + ": cell " + cell + " of sequence " + seq + " lies in its fixed context (cells 0 to " + (fixed - 1) + "), which is read-only");
            }
            if (cell > len) {
                throw new IllegalArgumentException("batch token " + i + ": cell " + cell + " of sequence " + seq + " leaves a gap (sequence holds " + len + " cells)");
            }
            len = Math.max(len, cell + 1);
            lengths.put(seq, len);
            lengthAfter[i] = len;
            if (b.embeddings() == null && (b.token(i) < 0 || b.token(i) >= limits.vocabRows())) {
                throw new IllegalArgumentException("batch token " + i + ": token id " + b.token(i) + " is out of range [0, " + limits.vocabRows() + ")");
            }
        }
        if (b.embeddings() != null && b.embeddings().length != n * limits.embeddingSize()) {
            throw new IllegalArgumentException("batch embeddings have width " + b.embeddings().length / n + ", the model's is " + limits.embeddingSize());
        }
        int layers = limits.layers();
        int highest = Math.max(b.skippedAttention().length(), b.skippedMlp().length());
        if (highest > layers) throw new IllegalArgumentException("cannot skip layer " + (highest - 1) + ": the model has " + layers + " layers");

        int[] offsets = new int[n + 1];
        int[] ranges = new int[2 * n];
        int used = 0;
        int[] scratch = new int[8];
        for (int i = 0; i < n; i++) {
            int[] given = b.visibility(i);
            int count;
            String source;
            if (given != null) {
                count = given.length / 2;
                if (scratch.length < given.length) scratch = new int[given.length];
                System.arraycopy(given, 0, scratch, 0, given.length);
                source = "its visible cells";
            } else {
                AttentionPolicy p = b.policy(b.sequence(i));
                if (scratch.length < 2 * p.maxRanges()) scratch = new int[2 * p.maxRanges()];
                count = p.visibleRanges(b.cell(i), scratch);
                source = "attention policy " + p;
            }
            if (limits.maxRanges() > 0 && count > limits.maxRanges()) {
                throw new IllegalArgumentException("batch token " + i + ": " + source + " give " + count + " visible ranges; this plan takes at most " + limits.maxRanges());
            }
            checkRanges(b, i, scratch, count, lengthAfter[i], source);
            if (2 * (used + count) > ranges.length) ranges = Arrays.copyOf(ranges, Math.max(2 * (used + count), ranges.length * 2));
            System.arraycopy(scratch, 0, ranges, 2 * used, 2 * count);
            used += count;
            offsets[i + 1] = used;
        }
        checkLaterWrites(b, offsets, ranges);
        return new Visibility(offsets, Arrays.copyOf(ranges, 2 * used));
    }

    private static void checkRanges(Batch b, int i, int[] r, int count, int length, String source) {
        int previousEnd = 0, total = 0;
        for (int k = 0; k < count; k++) {
            int s = r[2 * k], e = r[2 * k + 1];
            if (s < previousEnd || e < s) {
                throw new IllegalArgumentException("batch token " + i + ": " + source + " give range [" + s + ", " + e
                        + "), which is not ascending and disjoint from the range before it");
            }
            if (e > length) {
                throw new IllegalArgumentException("batch token " + i + ": " + source + " give range [" + s + ", " + e + ") at cell "
                        + b.cell(i) + " of sequence " + b.sequence(i) + ", which holds " + length + " cells once the token is written (a future cell)");
            }
            total += e - s;
            previousEnd = e;
        }
        if (total == 0) throw new IllegalArgumentException("batch token " + i + ": " + source + " give no visible cell");
    }

    /** No token may see a cell that a later token of the same batch writes (its value would depend on how the batch is split). */
    private static void checkLaterWrites(Batch b, int[] offsets, int[] ranges) {
        int n = b.size();
        for (int j = 1; j < n; j++) {
            int seq = b.sequence(j), cell = b.cell(j);
            for (int i = 0; i < j; i++) {
                if (b.sequence(i) != seq) continue;
                for (int k = offsets[i]; k < offsets[i + 1]; k++) {
                    if (cell >= ranges[2 * k] && cell < ranges[2 * k + 1]) {
                        throw new IllegalArgumentException("batch token " + i + " sees cell " + cell + " of sequence " + seq
                                + ", which batch token " + j + " writes after it");
                    }
                    if (ranges[2 * k] > cell) break;
                }
            }
        }
    }
}
