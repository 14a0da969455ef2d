package dev.squall.backend.java;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed pool of worker threads for data-parallel kernels: the calling thread plus
 * {@code threads - 1} workers, created once. A {@link #run} call splits work into chunks that
 * the threads claim from a shared counter until none are left.
 *
 * <p>A forward pass issues a few hundred parallel regions per token, so the hand-off must cost
 * microseconds, not the tens of microseconds of a park/unpark round trip: idle workers spin for a
 * short while on the region counter before they park.
 */
public final class WorkerPool implements AutoCloseable {

    /** The body of a parallel region: process chunk {@code chunk} on thread {@code worker}. */
    @FunctionalInterface
    public interface Chunked {
        void run(int chunk, int worker);
    }

    private static final long SPIN_NANOS = 200_000;

    private final int threads;
    private final Thread[] workers;
    private volatile int region;           // incremented to start a region
    private volatile boolean closed;
    private volatile Chunked body;
    private volatile int chunks;
    private final AtomicInteger nextChunk = new AtomicInteger();
    private final AtomicInteger finished = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    public WorkerPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("thread count must be at least 1: " + threads);
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int id = i + 1;
            workers[i] = Thread.ofPlatform().daemon().name("squall-worker-" + id).unstarted(() -> loop(id));
            workers[i].start();
        }
    }

    /** The number of threads that run a region, the caller included. */
    public int threads() { return threads; }

    /**
     * Runs {@code body} for every chunk in {@code [0, chunks)} and returns when all are done.
     * The first exception thrown by any chunk is rethrown here. Not reentrant: a body must not
     * call {@code run}.
     */
    public void run(int chunks, Chunked body) {
        if (chunks <= 0) return;
        if (threads == 1 || chunks == 1) {
            for (int c = 0; c < chunks; c++) body.run(c, 0);
            return;
        }
        if (closed) throw new IllegalStateException("worker pool is closed");
        this.body = body;
        this.chunks = chunks;
        nextChunk.set(0);
        finished.set(0);
        failure.set(null);
        region++;
        for (Thread w : workers) LockSupport.unpark(w);
        work(0);
        while (finished.get() < workers.length) Thread.onSpinWait();
        this.body = null;
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) throw re;
        if (t instanceof Error e) throw e;
        if (t != null) throw new IllegalStateException(t);
    }

    private void work(int worker) {
        Chunked b = body;
        int n = chunks;
        for (int c; (c = nextChunk.getAndIncrement()) < n; ) {
            try {
                b.run(c, worker);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
                nextChunk.set(n);
            }
        }
    }

    private void loop(int worker) {
        int seen = 0;
        while (true) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (region == seen && !closed) {
                if (System.nanoTime() < spinUntil) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            if (closed) return;
            seen = region;
            work(worker);
            finished.incrementAndGet();
        }
    }

    @Override public void close() {
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
    }
}
