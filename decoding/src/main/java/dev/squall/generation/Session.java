package dev.squall.generation;

import dev.squall.backend.Plan;
import dev.squall.graph.AttentionPolicy;
import dev.squall.graph.Batch;
import dev.squall.graph.ForwardResult;
import dev.squall.graph.KvCache;
import dev.squall.graph.SqueezedIndex;
import dev.squall.sampling.Distribution;
import dev.squall.sampling.Sampler;
import dev.squall.tokenizer.StreamingDecoder;
import dev.squall.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One sequence of a plan, stepped: the tokens committed to it (context and output), the cache
 * cells that hold them, the logits after them, the sampler's history, and the output stream (text,
 * stop strings, end tokens, the token budget, the context size). Every decoder drives a session;
 * the streaming and stopping rules live here once.
 *
 * <pre>
 *   committed:  t0 t1 … t(c-1) | t(c) … t(n-1)        cells [0, c) hold t0 … t(c-1)
 *               cached          pending                logits after t(n-1) once c = n
 * </pre>
 * A token becomes committed through {@link #append} (context), {@link #push} (a draft session's
 * own guesses) or {@link #commit} (output); pending tokens are fed by the next {@link #logits} or
 * {@link #evaluate}, which verifies a {@link DraftTree} in the same forward call. {@link #accept}
 * then keeps the verified path: its cells move behind the prefix and its tokens are committed.
 * {@link #rollback} goes back to any earlier length: cache, sampler history, stop-string matcher
 * and streaming decoder alike.
 *
 * <p>Every batch the session builds carries its {@link #attention attention policy} (causal
 * unless set, e.g. LM-Infinite); a draft tree's or a probe's explicit cell ranges are narrowed to
 * what the policy lets a token at that position see of the committed cells.
 */
public final class Session implements AutoCloseable {

    private static final int KEPT_LOGITS = 64;

    private final Plan plan;
    private final KvCache cache;
    private final Tokenizer tokenizer;
    private final Sampler sampler;
    private final int seq;
    private final int samplerBase;
    private int[] tokens = new int[64];
    private int length, cached, fixed;
    private final Map<Integer, float[]> logitsAt = new LinkedHashMap<>();  // logits after the first k tokens, for recent k ≤ cached
    private long forwards, forwardNanos;
    private AttentionPolicy attention = AttentionPolicy.causal();

    // the output of the current generation
    private Output output;

    private final class Output {
        final int start;
        final GenerateOptions options;
        final Consumer<String> sink;
        StreamingDecoder decoder = tokenizer.streamingDecoder();
        StopStrings stops;
        StringBuilder shown = new StringBuilder();
        StopReason reason;

        Output(int start, GenerateOptions options, Consumer<String> sink) {
            this.start = start;
            this.options = options;
            this.sink = sink;
            this.stops = new StopStrings(options.stops());
        }

        int produced() { return length - start; }

        /** Streams {@code token}; false once generation must stop. */
        boolean add(int token, boolean live) {
            if (!options.ignoreEnd() && tokenizer.isEndOfGeneration(token)) { reason = StopReason.END_OF_GENERATION; return false; }
            emit(stops.push(decoder.push(token)), live);
            if (stops.stopped()) { reason = StopReason.STOP_STRING; return false; }
            if (options.maxTokens() >= 0 && produced() >= options.maxTokens()) { reason = StopReason.TOKEN_BUDGET; return false; }
            if (length > cache.capacity()) { reason = StopReason.CONTEXT_FULL; return false; }
            return true;
        }

        void emit(String text, boolean live) {
            if (text.isEmpty()) return;
            shown.append(text);
            if (live) sink.accept(text);
        }

        void finish() {
            if (!stops.stopped()) {
                emit(stops.push(decoder.flush()), true);
                emit(stops.flush(), true);
            }
        }
    }

    /** A session over a new, empty sequence of {@code plan}'s cache. */
    public Session(Plan plan, Tokenizer tokenizer, Sampler sampler) {
        this(plan, tokenizer, sampler, plan.cache().newSequence());
    }

    private Session(Plan plan, Tokenizer tokenizer, Sampler sampler, int seq) {
        this.plan = plan;
        this.cache = plan.cache();
        this.tokenizer = tokenizer;
        this.sampler = sampler;
        this.seq = seq;
        this.samplerBase = sampler.historyLength();
        if (cache.length(seq) != 0) throw new IllegalArgumentException("a session starts on an empty sequence; sequence " + seq + " holds " + cache.length(seq) + " cells");
    }

    public Plan plan() { return plan; }

    public Tokenizer tokenizer() { return tokenizer; }

    public Sampler sampler() { return sampler; }

    /** The attention policy of every batch this session builds. */
    public AttentionPolicy attention() { return attention; }

    /**
     * Sets the attention policy of every batch the session builds from now on; set it before the
     * first token is fed, so that every cached cell was computed under it.
     */
    public Session attention(AttentionPolicy policy) {
        if (policy == null) throw new IllegalArgumentException("no attention policy given (causal is AttentionPolicy.causal())");
        this.attention = policy;
        return this;
    }

    /** The cache sequence this session writes. */
    public int sequence() { return seq; }

    /** Committed tokens. */
    public int length() { return length; }

    /** Committed tokens whose cells are in the cache. */
    public int cached() { return cached; }

    public int token(int i) {
        if (i < 0 || i >= length) throw new IndexOutOfBoundsException("token " + i + " of a session holding " + length);
        return tokens[i];
    }

    /** The committed tokens (a copy). */
    public int[] tokens() { return Arrays.copyOf(tokens, length); }

    /** Target forward calls so far, and the nanoseconds they took. */
    public long forwards() { return forwards; }

    public long forwardNanos() { return forwardNanos; }

    /** The most cells a draft tree may take now: the context left after the committed tokens. */
    public int draftRoom() { return Math.max(0, cache.capacity() - length); }

    /** The most draft tokens worth verifying: the output budget left minus the token verification adds itself. */
    public int draftBudget() {
        if (output == null || output.options.maxTokens() < 0) return Integer.MAX_VALUE;
        return Math.max(0, output.options.maxTokens() - output.produced() - 1);
    }

    // ---------------------------------------------------------------- context

    /** Appends context tokens (a prompt) and feeds them in batches of {@code batchSize}; afterwards the logits after them are known. */
    public void append(int[] input, int batchSize) {
        if (input.length == 0) throw new IllegalArgumentException("nothing to append: no tokens");
        if (length + input.length > cache.capacity()) {
            throw new ContextFullException("the prompt needs " + (length + input.length) + " positions, the context size is " + cache.capacity());
        }
        for (int t : input) push(t);
        feedPending(batchSize);
    }

    /**
     * Starts the session on a fixed context computed before (a context file, or a prefill kept
     * aside): its cells are loaded into the cache with their squeezed index (null: dense) and its
     * tokens committed, and nothing is computed; {@code lastLogits} are the logits after its last
     * token. The fixed cells stay: rolling back below them is refused.
     */
    public void loadFixedContext(int[] contextTokens, KvCache.Rows rows, SqueezedIndex index, float[] lastLogits) {
        if (length != 0) throw new IllegalStateException("a fixed context starts a session; this one holds " + length + " tokens");
        if (rows.length() != contextTokens.length) throw new IllegalArgumentException("a fixed context of " + contextTokens.length + " tokens has " + rows.length() + " cells");
        cache.load(seq, rows, index);
        for (int t : contextTokens) push(t);
        cached = length;
        fixed = length;
        keepLogits(length, lastLogits);
    }

    /** Tokens at the start that are a fixed context (0: none). */
    public int fixedLength() { return fixed; }

    /** Commits a token to the context without output bookkeeping (a draft model's guesses). */
    public void push(int token) {
        if (length == tokens.length) tokens = Arrays.copyOf(tokens, length * 2);
        tokens[length++] = token;
        sampler.accept(token);
    }

    /** The logits after every committed token, feeding the pending ones first (one forward call). */
    public float[] logits() {
        float[] known = logitsAt.get(length);
        if (known != null && cached == length) return known;
        if (cached == length) {                 // rolled back onto a length whose logits are gone: feed its last token again
            if (length == 0) throw new IllegalStateException("no logits before the first token");
            cached--;
        }
        feedPending(Integer.MAX_VALUE);
        return logitsAt.get(length);
    }

    /** The distribution the next token is drawn from (the sampler's, on the history so far). */
    public Distribution distribution() { return sampler.distribution(logits()); }

    /**
     * The sampler's distribution on {@code logits} as if {@code drafted} followed the committed
     * tokens in the history (the penalties see them), as plain decoding would have computed it.
     */
    public Distribution distribution(float[] logits, int[] drafted, int count) {
        int base = sampler.historyLength();
        for (int i = 0; i < count; i++) sampler.accept(drafted[i]);
        try {
            return sampler.distribution(logits);
        } finally {
            sampler.truncate(base);
        }
    }

    // ---------------------------------------------------------------- batched with other sessions

    /**
     * Adds up to {@code max} pending tokens to {@code b}, to be computed in one forward call with
     * other sequences' tokens (a scheduler's batch); the last pending token is an output row.
     * Returns how many were added; hand the result to {@link #fed}.
     */
    public int feedInto(Batch.Builder b, int max) {
        if (cache.length(seq) > cached) cache.truncate(seq, cached);
        if (cached == length && !logitsAt.containsKey(length)) {
            if (length == 0) throw new IllegalStateException("no tokens to feed");
            cached--;                           // rolled back onto a length whose logits are gone: feed its last token again
        }
        int n = Math.min(max, length - cached);
        for (int i = 0; i < n; i++) b.token(seq, cached + i, tokens[cached + i], cached + i == length - 1);
        b.policy(seq, attention);
        return n;
    }

    /**
     * The {@code n} tokens {@link #feedInto} added were computed; {@code logits} are the last one's
     * when it was the last pending token (null otherwise).
     */
    public void fed(int n, float[] logits, long nanos) {
        cached += n;
        forwards++;
        forwardNanos += nanos;
        if (logits != null) keepLogits(cached, logits);
    }

    private void feedPending(int batchSize) {
        if (cache.length(seq) > cached) cache.truncate(seq, cached);
        while (cached < length) {
            int n = Math.min(batchSize, length - cached);
            Batch.Builder b = Batch.builder().policy(seq, attention);
            for (int i = cached; i < cached + n; i++) b.token(seq, i, tokens[i], i == cached + n - 1);
            ForwardResult r = forward(b.build());
            cached += n;
            keepLogits(cached, r.logits(0));
        }
    }

    private ForwardResult forward(Batch b) {
        long t0 = System.nanoTime();
        ForwardResult r = plan.forward(b);
        forwardNanos += System.nanoTime() - t0;
        forwards++;
        return r;
    }

    private void keepLogits(int at, float[] logits) {
        logitsAt.put(at, logits);
        if (logitsAt.size() > KEPT_LOGITS) {
            var it = logitsAt.keySet().iterator();
            it.next();
            it.remove();
        }
    }

    // ---------------------------------------------------------------- output

    /** Starts a generation's output: its budget and stop strings count from here; text goes to {@code sink}. */
    public void startOutput(GenerateOptions options, Consumer<String> sink) {
        output = new Output(length, options, sink);
        if (options.maxTokens() == 0) output.reason = StopReason.TOKEN_BUDGET;
    }

    /**
     * Commits an output token (pending until fed): streams its text and returns false once
     * generation must stop (end token, stop string, budget, context), after which nothing more may
     * be committed.
     */
    public boolean commit(int token) {
        if (output == null) throw new IllegalStateException("no output started");
        if (output.reason != null) throw new IllegalStateException("generation has stopped: " + output.reason);
        push(token);
        return output.add(token, true);
    }

    public boolean stopped() { return output != null && output.reason != null; }

    public StopReason stopReason() { return output == null ? null : output.reason; }

    /** The output text shown so far. */
    public String text() { return output == null ? "" : output.shown.toString(); }

    /** The output tokens committed so far. */
    public int[] output() { return output == null ? new int[0] : Arrays.copyOfRange(tokens, output.start, length); }

    /** Ends the output: releases text held back for a possible stop string, and drops cells of unverified guesses. */
    public void finishOutput() {
        if (output != null) output.finish();
        if (cache.length(seq) > cached) cache.truncate(seq, cached);
    }

    // ---------------------------------------------------------------- speculation

    /** What {@link #evaluate} computed: the logits after the committed tokens and after every tree node. */
    public final class Evaluation {
        final DraftTree tree;
        final int prefix;
        final float[] rootLogits;
        final ForwardResult result;
        final int firstNodeRow;
        final boolean rootFed;

        Evaluation(DraftTree tree, int prefix, float[] rootLogits, ForwardResult result, int firstNodeRow, boolean rootFed) {
            this.rootFed = rootFed;
            this.tree = tree;
            this.prefix = prefix;
            this.rootLogits = rootLogits;
            this.result = result;
            this.firstNodeRow = firstNodeRow;
        }

        public DraftTree tree() { return tree; }

        /** Logits after the committed tokens. */
        public float[] rootLogits() { return rootLogits; }

        /** Logits after node {@code node} (its branch fed after the committed tokens). */
        public float[] logits(int node) { return result.logits(firstNodeRow + node); }

        /** The final hidden state after node {@code node}, or after the committed tokens for {@link DraftTree#ROOT} (when asked for). */
        public float[] hidden(int node) { return result.hidden(firstNodeRow + node); }

        /**
         * The final hidden state after {@code node} when this call computed it (the batch asked for
         * hidden states, and for {@link DraftTree#ROOT} the last committed token was fed in it); null otherwise.
         */
        public float[] hiddenIfComputed(int node) {
            if (result == null || result.hidden() == null) return null;
            if (node == DraftTree.ROOT && !rootFed) return null;
            return result.hidden(firstNodeRow + node);
        }
    }

    /**
     * Verifies {@code tree} after the committed tokens in one forward call (with the pending
     * tokens), trimmed to {@link #draftRoom()} cells; {@code configure} may add skip sets or
     * outputs to the batch. Afterwards every committed token is cached and the tree's nodes sit
     * in the cells after them until {@link #accept}.
     */
    public Evaluation evaluate(DraftTree tree, Consumer<Batch.Builder> configure) {
        Batch.Builder b = Batch.builder();
        TreeFeed feed = feedTreeInto(b, tree);
        if (configure != null) configure.accept(b);
        if (b.size() == 0) return evaluated(feed, null, 0, 0);
        long t0 = System.nanoTime();
        ForwardResult r = plan.forward(b.build());
        return evaluated(feed, r, 0, System.nanoTime() - t0);
    }

    /** A tree added to a shared batch by {@link #feedTreeInto}: hand it to {@link #evaluated} with the batch's result. */
    public final class TreeFeed {
        final DraftTree tree;
        final float[] known;
        final int pendingRows;

        TreeFeed(DraftTree tree, float[] known, int pendingRows) {
            this.tree = tree;
            this.known = known;
            this.pendingRows = pendingRows;
        }

        /** The tree as fed (trimmed to the cells left). */
        public DraftTree tree() { return tree; }

        /** Output rows this feed added to the batch, in order: the last pending token's (if any), then one per node. */
        public int rows() { return pendingRows + tree.size(); }

        /** Tokens this feed added to the batch. */
        public int tokens() { return (pendingRows == 0 ? 0 : length - cached) + tree.size(); }
    }

    /**
     * Adds what {@link #evaluate} would compute to {@code b} (a scheduler's batch shared with other
     * sequences): the pending tokens, the last of them an output row, then {@code tree}'s nodes,
     * each an output row, trimmed to {@link #draftRoom()} cells.
     */
    public TreeFeed feedTreeInto(Batch.Builder b, DraftTree tree) {
        if (length == 0) throw new IllegalStateException("nothing to verify after: the session holds no token");
        DraftTree t = tree.limited(draftRoom(), Integer.MAX_VALUE);
        if (cache.length(seq) > cached) cache.truncate(seq, cached);
        float[] known = cached == length ? logitsAt.get(length) : null;
        if (cached == length && known == null) {
            cached--;
            cache.truncate(seq, cached);
        }
        for (int i = cached; i < length; i++) b.token(seq, i, tokens[i], i == length - 1);
        for (int i = 0; i < t.size(); i++) {
            b.token(seq, length + t.depth(i), length + i, t.token(i), true, underPolicy(length + t.depth(i), t.visibleRanges(i, length), length));
        }
        b.policy(seq, attention);
        return new TreeFeed(t, known, cached < length ? 1 : 0);
    }

    /**
     * The batch holding {@code feed} was computed ({@code r}, null when nothing was fed); its rows
     * start at {@code firstRow}. Every committed token is now cached and the tree's nodes sit in
     * the cells after them until {@link #accept}.
     */
    public Evaluation evaluated(TreeFeed feed, ForwardResult r, int firstRow, long nanos) {
        if (r == null) return new Evaluation(feed.tree, length, feed.known, null, 0, false);
        forwards++;
        forwardNanos += nanos;
        float[] root = feed.pendingRows == 1 ? r.logits(firstRow) : feed.known;
        cached = length;
        keepLogits(length, root);
        return new Evaluation(feed.tree, length, root, r, firstRow + feed.pendingRows, feed.pendingRows == 1);
    }

    /**
     * Keeps the verified path {@code nodes} of {@code e} (each the child of the one before, the
     * first a child of the root) and commits their tokens as output, then commits {@code bonus}
     * (the token the target chose after the path; pending) unless generation stopped first.
     * Returns how many tokens were committed.
     */
    public int accept(Evaluation e, int[] nodes, int bonus) {
        if (e.prefix != length) throw new IllegalStateException("the evaluation was made at length " + e.prefix + ", the session holds " + length);
        int[] cells = new int[nodes.length];
        for (int i = 0; i < nodes.length; i++) {
            if (e.tree.parent(nodes[i]) != (i == 0 ? DraftTree.ROOT : nodes[i - 1])) {
                throw new IllegalArgumentException("node " + nodes[i] + " is not a child of " + (i == 0 ? "the root" : "node " + nodes[i - 1]));
            }
            cells[i] = e.prefix + nodes[i];
        }
        cache.compact(seq, e.prefix, cells);
        int committed = 0;
        for (int i = 0; i < nodes.length; i++) {
            boolean more = commit(e.tree.token(nodes[i]));
            cached++;
            keepLogits(cached, e.logits(nodes[i]));
            committed++;
            if (!more) {
                cache.truncate(seq, cached);
                return committed;
            }
        }
        cache.truncate(seq, cached);
        commit(bonus);
        return committed + 1;
    }

    /**
     * A scratch forward call for drafting with the target itself (SWIFT): the scratch run is the
     * pending tokens followed by {@code drafted}, at the cells after the cached ones (causal);
     * the first {@code fed} tokens of that run are in the cache from earlier scratch calls and the
     * rest are fed now, configured by {@code configure} (skip sets). Returns the logits after the
     * last one. The committed state is unchanged: the scratch cells are overwritten by the next
     * {@link #evaluate} (or dropped by {@link #finishOutput}). With nothing to feed, the logits
     * after the committed tokens are returned.
     */
    public float[] draftForward(int[] drafted, int fed, Consumer<Batch.Builder> configure) {
        int pending = length - cached, run = pending + drafted.length;
        if (fed < 0 || fed > run) throw new IllegalArgumentException("scratch tokens fed " + fed + " out of range [0, " + run + "]");
        if (fed == run) {
            if (run == 0) return logits();
            throw new IllegalArgumentException("nothing new to feed: all " + run + " scratch tokens are in the cache");
        }
        if (cache.length(seq) > cached + fed) cache.truncate(seq, cached + fed);
        if (cache.length(seq) < cached + fed) throw new IllegalStateException("scratch cells fed " + fed + " but the cache holds " + (cache.length(seq) - cached));
        Batch.Builder b = Batch.builder();
        for (int i = fed; i < run; i++) b.token(seq, cached + i, i < pending ? tokens[cached + i] : drafted[i - pending], false);
        b.outputRowOfLast().policy(seq, attention);
        if (configure != null) configure.accept(b);
        return plan.forward(b.build()).logits(0);
    }

    /**
     * Explicit visible ranges of a token at {@code position}, narrowed by the policy: the part
     * below {@code prefix} (committed cells, each holding its own position) keeps only what the
     * policy shows that position; cells from {@code prefix} on (the batch's own tokens: a tree's
     * ancestors, a probe's run) stay as given. Causal attention changes nothing.
     */
    private int[] underPolicy(int position, int[] ranges, int prefix) {
        if (attention == AttentionPolicy.causal()) return ranges;
        int[] shown = new int[2 * attention.maxRanges()];
        int count = attention.visibleRanges(position, shown);
        int[] out = new int[ranges.length * (count + 1)];
        int n = 0;
        for (int g = 0; g < ranges.length; g += 2) {
            int s = ranges[g], e = ranges[g + 1];
            if (s >= prefix) {
                out[n++] = s;
                out[n++] = e;
                continue;
            }
            for (int k = 0; k < count; k++) {
                int from = Math.max(s, shown[2 * k]), to = Math.min(Math.min(e, prefix), shown[2 * k + 1]);
                if (from < to) {
                    out[n++] = from;
                    out[n++] = to;
                }
            }
            if (e > prefix) {
                out[n++] = prefix;
                out[n++] = e;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** Committed tokens not yet in the cache (fed by the next forward call). */
    public int pending() { return length - cached; }

    /**
     * Teacher-forced logits of the committed tokens {@code [from, cached)} fed again into scratch
     * cells after the sequence (same positions, seeing the cells before {@code from} and each
     * other), configured by {@code configure}: row i predicts token {@code from + i + 1}. Nothing
     * committed changes; the scratch cells are dropped.
     */
    public ForwardResult probe(int from, Consumer<Batch.Builder> configure) {
        if (from < 1 || from >= cached) throw new IllegalArgumentException("cannot probe cached tokens from " + from + " (" + cached + " cached)");
        if (cache.length(seq) > cached) cache.truncate(seq, cached);
        int n = cached - from;
        if (cached + n > cache.capacity()) return null;
        Batch.Builder b = Batch.builder();
        for (int i = 0; i < n; i++) b.token(seq, from + i, cached + i, tokens[from + i], true, underPolicy(from + i, new int[] {0, from, cached, cached + i + 1}, from));
        b.policy(seq, attention);
        if (configure != null) configure.accept(b);
        ForwardResult r = plan.forward(b.build());
        cache.truncate(seq, cached);
        return r;
    }

    // ---------------------------------------------------------------- history

    /**
     * Goes back to the first {@code length} committed tokens: the cache, the sampler's history,
     * and the output (its text, stop-string matcher and streaming decoder are replayed up to
     * there; text already given to the sink stays given).
     */
    public void rollback(int length) {
        if (length < 0 || length > this.length) throw new IllegalArgumentException("cannot roll back a session of " + this.length + " tokens to " + length);
        if (length < fixed) throw new IllegalArgumentException("cannot roll back to " + length + " tokens: the first " + fixed + " are a fixed context");
        this.length = length;
        sampler.truncate(samplerBase + length);
        if (cached > length) cached = length;
        if (cache.length(seq) > cached) cache.truncate(seq, cached);
        logitsAt.keySet().removeIf(k -> k > length);
        if (output != null) {
            if (length < output.start) {
                output = null;
            } else {
                Output replay = new Output(output.start, output.options, output.sink);
                int end = length;
                this.length = output.start;
                for (int i = output.start; i < end; i++) {
                    this.length++;
                    if (!replay.add(tokens[i], false)) break;
                }
                this.length = end;
                output = replay;
            }
        }
    }

    /**
     * A new session on a fork of this sequence (cells shared where the backend can), with the
     * same committed tokens and logits, drawing with {@code sampler} (whose history is given
     * these tokens). It has no output until {@link #startOutput}.
     */
    public Session fork(Sampler sampler) {
        if (cache.length(seq) > cached) cache.truncate(seq, cached);
        int child = cache.fork(seq);
        Session s = new Session(plan, tokenizer, sampler, child, true);
        s.attention = attention;
        s.tokens = Arrays.copyOf(tokens, Math.max(16, tokens.length));
        s.length = length;
        s.cached = cached;
        s.fixed = fixed;
        s.logitsAt.putAll(logitsAt);
        for (int i = 0; i < length; i++) sampler.accept(tokens[i]);
        return s;
    }

    private Session(Plan plan, Tokenizer tokenizer, Sampler sampler, int seq, boolean forked) {
        this.plan = plan;
        this.cache = plan.cache();
        this.tokenizer = tokenizer;
        this.sampler = sampler;
        this.seq = seq;
        this.samplerBase = sampler.historyLength();
    }

    /** Releases the session's sequence. */
    @Override public void close() {
        if (cache.contains(seq)) cache.remove(seq);
    }

    /** A prompt that does not fit the context. */
    public static final class ContextFullException extends IllegalArgumentException {
        public ContextFullException(String message) { super(message); }
    }
}
