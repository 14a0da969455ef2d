package dev.squall.serving;

import dev.squall.backend.Plan;
import dev.squall.generation.DraftTree;
import dev.squall.generation.GenerateOptions;
import dev.squall.generation.Session;
import dev.squall.generation.StopReason;
import dev.squall.graph.Batch;
import dev.squall.graph.ForwardResult;
import dev.squall.graph.KvCache;
import dev.squall.sampling.Sampler;
import dev.squall.sampling.SamplerConfig;
import dev.squall.speculative.TreeDecoder;
import dev.squall.tokenizer.Tokenizer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Many requests on one plan, SARATHI style (Agrawal et al., "SARATHI: Efficient LLM Inference by
 * Piggybacking Decodes with Chunked Prefills"): every {@link #step} is one forward call over a batch
 * of at most {@code tokenBudget} tokens, holding first one token of every running decode, then
 * chunks of the prompts being prefilled, oldest first, filling the rest (decode-maximal batching).
 *
 * <p>A request is admitted when the cache has free cells for its prompt and its token budget, for
 * each of its {@code n} choices ({@link KvCache#freeCells()}); until then it waits, in order. One
 * that could never fit (longer than the context, or more cells than the whole cache) is refused
 * at {@link #submit}. Its {@code n} choices share one prefill: the prompt's sequence is forked
 * ({@link Session#fork}) once its logits are known, choice i sampling with seed + i.
 *
 * <p>A request may speculate ({@link Request#speculator}): each step its choices feed the
 * pending token and a draft tree ({@link TreeDecoder#draft}: prompt lookup, lookahead, Jacobi) into
 * the shared batch, drafts filling the budget the decodes leave, and keep the verified path, so one
 * step may commit several of its tokens. This is as lossless as alone.
 *
 * <p>Two other {@link Policy policies} exist to measure SARATHI against: one request at a time, and
 * prefill-first batching (whole prompts computed before any decode continues).
 *
 * <p>A request's greedy output is the same whether it runs alone or batched with others: every
 * token's logits are computed in the canonical order whatever batch it is in; its sampled output
 * equals plain decoding's with the same seed. Not thread-safe by itself: the server calls it from
 * one scheduling thread ({@link #submit} and {@link Handle#cancel} may come from any thread).
 */
public final class Scheduler implements AutoCloseable {

    /** How steps are composed. */
    public enum Policy {
        /** Decodes first, then prompt chunks filling the token budget (SARATHI's decode-maximal batching). */
        SARATHI,
        /** One request at a time: its prompt in chunks of the budget, then its decodes alone (a serial server). */
        SERIAL,
        /** Whole prompts before any decode (as many as the budget holds, at least one): decodes wait while a prompt is computed. */
        PREFILL_FIRST;

        /** The name {@code bench-serve} and {@code serve} use: sarathi, serial, prefill-first. */
        public String label() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }

        public static Policy of(String label) {
            for (Policy p : values()) if (p.label().equals(label)) return p;
            throw new IllegalArgumentException("unknown scheduling policy '" + label + "' (expected sarathi, serial or prefill-first)");
        }
    }

    /** What happened in one step: tokens of running decodes and of prefill chunks in the batch, and how many decodes were running. */
    public record StepStats(int decodeTokens, int prefillTokens, int running) {}

    /** Text and the end of each choice, as they happen (called on the scheduling thread). */
    public interface Listener {
        /** New text of choice {@code choice}. */
        default void text(int choice, String piece) {}

        /**
         * Choice {@code choice} drew {@code token}; {@code logprob} is its log-probability under the
         * model's raw distribution (log-softmax of the logits) when the request asked for it, else NaN.
         */
        default void token(int choice, int token, double logprob) {}

        /** Choice {@code choice} ended: its tokens, its whole text, and why. */
        default void finished(int choice, int[] tokens, String text, StopReason reason) {}

        /** Choice {@code choice} speculated: over its whole output, {@code drafted} draft tokens verified, {@code accepted} of them kept (called before {@link #finished}). */
        default void speculation(int choice, int drafted, int accepted) {}

        /** The request ended: every choice finished, or it was cancelled or failed ({@code error} then says why). */
        default void done(String error) {}
    }

    /**
     * A request: its prompt tokens, budget and sampling, its number of choices, whether its
     * tokens' log-probabilities are wanted, and the speculative decoder each choice uses (null:
     * plain decoding).
     */
    public record Request(int[] prompt, GenerateOptions options, int n, boolean logprobs, Listener listener, Supplier<? extends TreeDecoder> speculator) {
        public Request {
            if (prompt.length == 0) throw new IllegalArgumentException("the prompt has no tokens");
            if (n < 1) throw new IllegalArgumentException("n = " + n + ": at least one choice");
        }

        public Request(int[] prompt, GenerateOptions options, int n, boolean logprobs, Listener listener) {
            this(prompt, options, n, logprobs, listener, null);
        }

        public Request(int[] prompt, GenerateOptions options, int n, Listener listener) {
            this(prompt, options, n, false, listener);
        }
    }

    /** A submitted request: cancel it, or ask how it stands. */
    public final class Handle {
        final Request request;
        final List<Choice> choices = new ArrayList<>();
        Session prompt;
        volatile boolean cancelled;
        boolean admitted, finished;

        Handle(Request request) { this.request = request; }

        /** Stops the request; its cells are freed before the next step (at once when no step is running). */
        public void cancel() {
            cancelled = true;
            synchronized (Scheduler.this) {
                if (!finished) end("cancelled");
            }
        }

        public boolean isDone() { return finished; }

        int need() {
            int budget = request.options().maxTokens() < 0 ? cache.capacity() - request.prompt().length : request.options().maxTokens();
            return request.n() * (request.prompt().length + budget + 1 + (request.speculator() == null ? 0 : treeCap));
        }

        void end(String error) {
            if (finished) return;
            finished = true;
            for (Choice c : choices) c.close();
            if (prompt != null) prompt.close();
            running.removeIf(c -> c.handle == this);
            prefilling.remove(this);
            waiting.remove(this);
            if (admitted) reserved -= need();
            request.listener().done(error);
        }
    }

    private final class Choice {
        final Handle handle;
        final int index;
        final Session session;
        final TreeDecoder decoder;
        Session.TreeFeed feed;
        Session.Evaluation evaluation;

        Choice(Handle handle, int index, Session session) {
            this.handle = handle;
            this.index = index;
            this.session = session;
            this.decoder = handle.request.speculator() == null ? null : handle.request.speculator().get();
        }

        void close() {
            session.close();
            if (decoder != null) decoder.close();
        }
    }

    /** Most draft-tree nodes a speculating choice verifies per step. */
    public static final int MAX_TREE = 32;

    private final Plan plan;
    private final KvCache cache;
    private final Tokenizer tokenizer;
    private final int tokenBudget;
    private final int totalCells;
    private final Policy policy;
    private final int treeCap;          // most draft-tree nodes a speculating choice feeds per step (cells reserved for them)
    private final Deque<Handle> waiting = new ArrayDeque<>();
    private final List<Handle> prefilling = new ArrayList<>();
    private final List<Choice> running = new ArrayList<>();
    private int reserved;
    private long steps, decodeTokens, prefillTokens, drafted, accepted;
    private Consumer<StepStats> observer = s -> {};

    public Scheduler(Plan plan, Tokenizer tokenizer, int tokenBudget) { this(plan, tokenizer, tokenBudget, Policy.SARATHI); }

    public Scheduler(Plan plan, Tokenizer tokenizer, int tokenBudget, Policy policy) {
        if (tokenBudget < 1) throw new IllegalArgumentException("token budget " + tokenBudget + ": at least one token per step");
        this.plan = plan;
        this.cache = plan.cache();
        this.tokenizer = tokenizer;
        this.tokenBudget = tokenBudget;
        this.totalCells = cache.freeCells();
        this.policy = policy;
        this.treeCap = Math.min(tokenBudget, MAX_TREE);
    }

    public Policy policy() { return policy; }

    /** Sees every step's composition (for tests and metrics). */
    public synchronized void observe(Consumer<StepStats> observer) { this.observer = observer; }

    /**
     * Queues a request.
     *
     * @throws IllegalArgumentException when it could never run: its prompt and budget exceed the
     *     context, or its choices need more cells than the whole cache
     */
    public synchronized Handle submit(Request r) {
        int budget = r.options().maxTokens() < 0 ? 0 : r.options().maxTokens();
        if (r.prompt().length + budget > cache.capacity()) {
            throw new IllegalArgumentException("the prompt (" + r.prompt().length + " tokens) and max_tokens (" + budget + ") need "
                    + (r.prompt().length + budget) + " positions, the context size is " + cache.capacity());
        }
        Handle h = new Handle(r);
        if (h.need() > totalCells) {
            throw new IllegalArgumentException(r.n() + " choices of " + (r.prompt().length + budget) + " positions need " + h.need()
                    + " cache cells, the cache holds " + totalCells);
        }
        waiting.add(h);
        notifyAll();
        return h;
    }

    /** Free cells of the cache when the scheduler started. */
    public int totalCells() { return totalCells; }

    /** Whether anything is waiting, prefilling or decoding. */
    public synchronized boolean busy() { return !waiting.isEmpty() || !prefilling.isEmpty() || !running.isEmpty(); }

    /** Requests waiting for cells, prefilling, and choices decoding. */
    public synchronized int[] queueDepths() { return new int[] {waiting.size(), prefilling.size(), running.size()}; }

    /** Steps run, the decode and prefill tokens they computed, and the draft tokens verified and accepted. */
    public synchronized long[] totals() { return new long[] {steps, decodeTokens, prefillTokens, drafted, accepted}; }

    /** Runs one batch; false when there was nothing to do. */
    public synchronized boolean step() {
        admit();
        if (running.isEmpty() && prefilling.isEmpty()) return false;
        Batch.Builder b = Batch.builder();
        // what was fed, in batch order: sessions with their token counts (count -1: a choice's draft tree) and first output rows
        List<Session> fed = new ArrayList<>();
        List<Choice> treeOf = new ArrayList<>();
        List<int[]> countRow = new ArrayList<>();
        int used = 0, decodes = 0, rows = 0;
        boolean prefillOnly = policy == Policy.PREFILL_FIRST && !prefilling.isEmpty();
        // running decodes first, one token each (rotating, should they ever exceed the budget), and
        // the draft trees of speculating choices in what the budget leaves
        if (!running.isEmpty() && !prefillOnly) {
            int start = (int) (steps % running.size());
            int spare = Math.max(0, tokenBudget - running.size());
            for (int k = 0; k < running.size() && used < tokenBudget; k++) {
                Choice c = running.get((start + k) % running.size());
                Session s = c.session;
                if (c.decoder != null) {
                    Session.TreeFeed feed = s.feedTreeInto(b, c.decoder.draft(s, Math.min(Math.min(spare, treeCap), s.draftBudget())));
                    c.feed = feed;
                    fed.add(s);
                    treeOf.add(c);
                    countRow.add(new int[] {-1, rows});
                    rows += feed.rows();
                    spare -= feed.tree().size();
                    used += feed.tokens();
                    decodes += feed.tokens();
                    continue;
                }
                int n = s.feedInto(b, 1);
                if (n > 0) {
                    boolean completes = s.pending() == n;
                    fed.add(s);
                    treeOf.add(null);
                    countRow.add(new int[] {n, completes ? rows : -1});
                    if (completes) rows++;
                    used += n;
                    decodes += n;
                }
            }
        }
        // then prompt chunks, oldest request first (prefill-first: whole prompts, at least one)
        int prefill = 0;
        for (Handle h : prefilling) {
            if (used >= tokenBudget) break;
            int room = tokenBudget - used;
            if (policy == Policy.PREFILL_FIRST) {
                if (used > 0 && h.prompt.pending() > room) break;
                room = h.prompt.pending();
            }
            int n = h.prompt.feedInto(b, room);
            if (n > 0) {
                boolean completes = h.prompt.pending() == n;
                fed.add(h.prompt);
                treeOf.add(null);
                countRow.add(new int[] {n, completes ? rows : -1});
                if (completes) rows++;
                used += n;
                prefill += n;
            }
        }
        long t0 = System.nanoTime();
        ForwardResult r = plan.forward(b.build());
        long nanos = System.nanoTime() - t0;
        List<Choice> verified = new ArrayList<>();
        for (int i = 0; i < fed.size(); i++) {
            int[] cr = countRow.get(i);
            Choice c = treeOf.get(i);
            if (c != null) {
                c.evaluation = c.session.evaluated(c.feed, r, cr[1], nanos);
                c.feed = null;
                verified.add(c);
            } else {
                fed.get(i).fed(cr[0], cr[1] >= 0 ? r.logits(cr[1]) : null, nanos);
            }
        }
        steps++;
        decodeTokens += decodes;
        prefillTokens += prefill;
        observer.accept(new StepStats(decodes, prefill, running.size()));
        // prompts whose logits are now known start decoding: fork them into their choices
        for (Handle h : new ArrayList<>(prefilling)) {
            if (h.prompt.pending() == 0) {
                prefilling.remove(h);
                start(h);
            }
        }
        // speculating choices keep their verified paths; every other decode whose logits are known draws its next token
        for (Choice c : verified) {
            if (running.contains(c)) complete(c);
        }
        for (Choice c : new ArrayList<>(running)) {
            if (c.decoder == null && c.session.pending() == 0 && !c.session.stopped()) draw(c);
        }
        return true;
    }

    /** Steps until nothing is left. */
    public void runUntilIdle() {
        while (step()) {
            // keep going
        }
    }

    /** Admits waiting requests, in order, while the cells they may ever need are free (a request's need is reserved until it ends). */
    private void admit() {
        while (!waiting.isEmpty()) {
            Handle h = waiting.peek();
            if (reserved + h.need() > totalCells) return;
            if (policy == Policy.SERIAL && (!prefilling.isEmpty() || !running.isEmpty())) return;
            waiting.poll();
            h.admitted = true;
            reserved += h.need();
            h.prompt = new Session(plan, tokenizer, new Sampler(h.request.options().sampling()));
            for (int t : h.request.prompt()) h.prompt.push(t);
            prefilling.add(h);
            if (policy == Policy.SERIAL) return;
        }
    }

    /** The prompt's logits are known: choice 0 is the prompt's own session, choice i a fork drawing with seed + i. */
    private void start(Handle h) {
        Request r = h.request;
        SamplerConfig c = r.options().sampling();
        h.choices.add(new Choice(h, 0, h.prompt));
        for (int i = 1; i < r.n(); i++) h.choices.add(new Choice(h, i, h.prompt.fork(new Sampler(withSeed(c, c.seed() + i)))));
        for (Choice ch : h.choices) {
            int index = ch.index;
            ch.session.startOutput(r.options(), piece -> r.listener().text(index, piece));
            running.add(ch);
        }
        for (Choice ch : h.choices) {
            if (ch.session.stopped()) finish(ch);
            else draw(ch);
        }
    }

    private void draw(Choice c) {
        Session s = c.session;
        int token = s.sampler().draw(s.distribution());
        c.handle.request.listener().token(c.index, token, c.handle.request.logprobs() ? logSoftmax(s.logits(), token) : Double.NaN);
        s.commit(token);
        if (s.stopped()) finish(c);
    }

    /** A speculating choice's tree was verified: keep the path, commit it and the token after it. */
    private void complete(Choice c) {
        Session s = c.session;
        Session.Evaluation e = c.evaluation;
        c.evaluation = null;
        int before = s.length();
        long acceptedBefore = c.decoder.stats().accepted();
        int committed = c.decoder.complete(s, e);
        drafted += e.tree().size();
        accepted += c.decoder.stats().accepted() - acceptedBefore;
        Request r = c.handle.request;
        int[] tokens = s.tokens();
        // the logits before committed token i: the root's, then those after each kept node
        int node = DraftTree.ROOT;
        float[] logits = e.rootLogits();
        for (int i = 0; i < committed; i++) {
            int token = tokens[before + i];
            r.listener().token(c.index, token, r.logprobs() ? logSoftmax(logits, token) : Double.NaN);
            if (i + 1 < committed) {
                node = e.tree().child(node, token);
                logits = e.logits(node);
            }
        }
        if (s.stopped()) finish(c);
    }

    /** log p(token) under softmax(logits), in double. */
    static double logSoftmax(float[] logits, int token) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double sum = 0;
        for (float l : logits) sum += Math.exp(l - max);
        return logits[token] - max - Math.log(sum);
    }

    private void finish(Choice c) {
        c.session.finishOutput();
        running.remove(c);
        Handle h = c.handle;
        if (c.decoder != null) h.request.listener().speculation(c.index, (int) c.decoder.stats().drafted(), (int) c.decoder.stats().accepted());
        h.request.listener().finished(c.index, c.session.output(), c.session.text(), c.session.stopReason());
        c.close();
        if (h.choices.stream().noneMatch(running::contains)) {
            h.finished = true;
            reserved -= h.need();
            h.request.listener().done(null);
        }
    }

    private static SamplerConfig withSeed(SamplerConfig c, long seed) {
        return new SamplerConfig(c.temperature(), c.topK(), c.topP(), c.minP(), c.repeatPenalty(), c.repeatLastN(), c.presencePenalty(),
                c.frequencyPenalty(), seed);
    }

    /** Cancels everything. */
    @Override public synchronized void close() {
        for (Handle h : new ArrayList<>(waiting)) h.end("shut down");
        for (Handle h : new ArrayList<>(prefilling)) h.end("shut down");
        for (Choice c : new ArrayList<>(running)) c.handle.end("shut down");
    }
}
