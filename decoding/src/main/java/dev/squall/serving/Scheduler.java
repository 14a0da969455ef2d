package dev.squall.serving;

import dev.squall.backend.Plan;
import dev.squall.generation.GenerateOptions;
import dev.squall.generation.Session;
import dev.squall.generation.StopReason;
import dev.squall.graph.Batch;
import dev.squall.graph.ForwardResult;
import dev.squall.graph.KvCache;
import dev.squall.sampling.Sampler;
import dev.squall.sampling.SamplerConfig;
import dev.squall.tokenizer.Tokenizer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

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
 * <p>A request's greedy output is the same whether it runs alone or batched with others: every
 * token's logits are computed in the canonical order whatever batch it is in; its sampled output
 * equals plain decoding's with the same seed. Not thread-safe by itself: the server calls it from
 * one scheduling thread ({@link #submit} and {@link Handle#cancel} may come from any thread).
 */
public final class Scheduler implements AutoCloseable {

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

        /** The request ended: every choice finished, or it was cancelled or failed ({@code error} then says why). */
        default void done(String error) {}
    }

    /** A request: its prompt tokens, budget and sampling, its number of choices. */
    public record Request(int[] prompt, GenerateOptions options, int n, boolean logprobs, Listener listener) {
        public Request {
            if (prompt.length == 0) throw new IllegalArgumentException("the prompt has no tokens");
            if (n < 1) throw new IllegalArgumentException("n = " + n + ": at least one choice");
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
            return request.n() * (request.prompt().length + budget + 1);
        }

        void end(String error) {
            if (finished) return;
            finished = true;
            for (Choice c : choices) c.session.close();
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

        Choice(Handle handle, int index, Session session) {
            this.handle = handle;
            this.index = index;
            this.session = session;
        }
    }

    private final Plan plan;
    private final KvCache cache;
    private final Tokenizer tokenizer;
    private final int tokenBudget;
    private final int totalCells;
    private final Deque<Handle> waiting = new ArrayDeque<>();
    private final List<Handle> prefilling = new ArrayList<>();
    private final List<Choice> running = new ArrayList<>();
    private int reserved;
    private long steps, decodeTokens, prefillTokens;
    private Consumer<StepStats> observer = s -> {};

    public Scheduler(Plan plan, Tokenizer tokenizer, int tokenBudget) {
        if (tokenBudget < 1) throw new IllegalArgumentException("token budget " + tokenBudget + ": at least one token per step");
        this.plan = plan;
        this.cache = plan.cache();
        this.tokenizer = tokenizer;
        this.tokenBudget = tokenBudget;
        this.totalCells = cache.freeCells();
    }

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

    /** Steps run, and the decode and prefill tokens they computed. */
    public synchronized long[] totals() { return new long[] {steps, decodeTokens, prefillTokens}; }

    /** Runs one batch; false when there was nothing to do. */
    public synchronized boolean step() {
        admit();
        if (running.isEmpty() && prefilling.isEmpty()) return false;
        Batch.Builder b = Batch.builder();
        List<Session> fed = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        int used = 0, decodes = 0;
        // running decodes first, one token each (rotating, should they ever exceed the budget)
        if (!running.isEmpty()) {
            int start = (int) (steps % running.size());
            for (int k = 0; k < running.size() && used < tokenBudget; k++) {
                Session s = running.get((start + k) % running.size()).session;
                int n = s.feedInto(b, 1);
                if (n > 0) {
                    fed.add(s);
                    counts.add(n);
                    used += n;
                    decodes += n;
                }
            }
        }
        // then prompt chunks, oldest request first
        int prefill = 0;
        for (Handle h : prefilling) {
            if (used >= tokenBudget) break;
            int n = h.prompt.feedInto(b, tokenBudget - used);
            if (n > 0) {
                fed.add(h.prompt);
                counts.add(n);
                used += n;
                prefill += n;
            }
        }
        long t0 = System.nanoTime();
        ForwardResult r = plan.forward(b.build());
        long nanos = System.nanoTime() - t0;
        int row = 0;
        for (int i = 0; i < fed.size(); i++) {
            Session s = fed.get(i);
            boolean completes = s.pending() == counts.get(i);
            s.fed(counts.get(i), completes ? r.logits(row++) : null, nanos);
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
        // every decode whose logits are known draws its next token
        for (Choice c : new ArrayList<>(running)) {
            if (c.session.pending() == 0 && !c.session.stopped()) draw(c);
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
            waiting.poll();
            h.admitted = true;
            reserved += h.need();
            h.prompt = new Session(plan, tokenizer, new Sampler(h.request.options().sampling()));
            for (int t : h.request.prompt()) h.prompt.push(t);
            prefilling.add(h);
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
        h.request.listener().finished(c.index, c.session.output(), c.session.text(), c.session.stopReason());
        c.session.close();
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
