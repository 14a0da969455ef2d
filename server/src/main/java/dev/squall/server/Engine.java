package dev.squall.server;

import dev.squall.backend.Plan;
import dev.squall.generation.StopReason;
import dev.squall.serving.Scheduler;
import dev.squall.tokenizer.Tokenizer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scheduler behind the server: one scheduling thread steps it while there is work; HTTP
 * threads submit requests and read their events from a queue. Requests beyond the queue's capacity
 * are refused (the server answers 429). Keeps the counters {@code /metrics} reports.
 */
final class Engine implements AutoCloseable {

    /** What a request's listener saw, in order, for the HTTP thread that waits on it. */
    sealed interface Event {
        record Token(int choice, int token, double logprob) implements Event {}
        record Text(int choice, String piece) implements Event {}
        record Finished(int choice, int[] tokens, String text, StopReason reason) implements Event {}
        record Speculated(int choice, int drafted, int accepted) implements Event {}
        record Done(String error) implements Event {}
    }

    /** Too many requests are waiting. */
    static final class Full extends RuntimeException {
        Full(String message) { super(message, null, false, false); }
    }

    final Scheduler scheduler;
    final Tokenizer tokenizer;
    final int queueCapacity;
    private final Thread thread;
    private volatile boolean closed, held;
    final long started = System.nanoTime();
    final AtomicLong requests = new AtomicLong(), refused = new AtomicLong(), promptTokens = new AtomicLong(), generatedTokens = new AtomicLong();
    final AtomicLong cancelled = new AtomicLong();
    final AtomicLong ttftNanos = new AtomicLong(), ttftCount = new AtomicLong(), tpotNanos = new AtomicLong(), tpotCount = new AtomicLong();

    Engine(Plan plan, Tokenizer tokenizer, int tokenBudget, int queueCapacity, Scheduler.Policy policy) {
        this.scheduler = new Scheduler(plan, tokenizer, tokenBudget, policy);
        this.tokenizer = tokenizer;
        this.queueCapacity = queueCapacity;
        this.thread = Thread.ofPlatform().name("squall-scheduler").daemon().start(this::loop);
    }

    private void loop() {
        while (!closed) {
            try {
                synchronized (scheduler) {
                    while (!closed && (held || !scheduler.busy())) scheduler.wait(100);
                }
                if (!closed) scheduler.step();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                System.err.println("squall serve: scheduler step failed: " + e);
            }
        }
    }

    /** A submitted request and the queue its events arrive on. */
    record Submitted(Scheduler.Handle handle, BlockingQueue<Event> events) {}

    /**
     * Submits {@code prompt}; events go to the returned queue.
     *
     * @throws Full when {@link #queueCapacity} requests are already waiting
     * @throws IllegalArgumentException when the request can never fit
     */
    Submitted submit(int[] prompt, dev.squall.generation.GenerateOptions options, int n, int logprobs,
            java.util.function.Supplier<? extends dev.squall.speculative.TreeDecoder> speculator) {
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        long t0 = System.nanoTime();
        Scheduler.Listener listener = new Scheduler.Listener() {
            long last = -1;

            @Override public void token(int choice, int token, double logprob) {
                long now = System.nanoTime();
                if (last < 0) {
                    ttftNanos.addAndGet(now - t0);
                    ttftCount.incrementAndGet();
                } else {
                    tpotNanos.addAndGet(now - last);
                    tpotCount.incrementAndGet();
                }
                last = now;
                generatedTokens.incrementAndGet();
                events.add(new Event.Token(choice, token, logprob));
            }

            @Override public void text(int choice, String piece) { events.add(new Event.Text(choice, piece)); }

            @Override public void finished(int choice, int[] tokens, String text, StopReason reason) {
                events.add(new Event.Finished(choice, tokens, text, reason));
            }

            @Override public void speculation(int choice, int drafted, int accepted) {
                events.add(new Event.Speculated(choice, drafted, accepted));
            }

            @Override public void done(String error) { events.add(new Event.Done(error)); }
        };
        synchronized (scheduler) {
            if (scheduler.queueDepths()[0] >= queueCapacity) {
                refused.incrementAndGet();
                throw new Full(queueCapacity + " requests are waiting already");
            }
            Scheduler.Handle h = scheduler.submit(new Scheduler.Request(prompt, options, n, logprobs > 0, listener, speculator));
            requests.incrementAndGet();
            promptTokens.addAndGet(prompt.length);
            return new Submitted(h, events);
        }
    }

    /** Holds scheduling (nothing steps, so submitted requests wait) or lets it go on; for tests of a full queue. */
    void hold(boolean hold) {
        synchronized (scheduler) {
            held = hold;
            scheduler.notifyAll();
        }
    }

    /** Cancels a request whose client went away. */
    void cancel(Scheduler.Handle h) {
        if (!h.isDone()) cancelled.incrementAndGet();
        h.cancel();
    }

    @Override public void close() {
        closed = true;
        synchronized (scheduler) {
            scheduler.notifyAll();
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler.close();
    }
}
