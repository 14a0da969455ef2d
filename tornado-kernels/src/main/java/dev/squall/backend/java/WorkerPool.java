package dev.squall.backend.java;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed pool of worker threads for data-parallel kernels: the calling thread plus
 * {@code threads - 1} workers, created once. A {@link #run} call splits work into chunks that
 * the threads claim from a shared ticket until none are left.
 *
 * <p>A forward pass issues a few hundred parallel regions per token, so the hand-off must cost
 * microseconds: idle workers spin for a short while on the region counter before they park. The
 * caller never waits for a worker that has not started: it claims chunks too, and a region ends
 * when every chunk is done, whoever did it. On a machine whose cores are busy with other work, a
 * descheduled worker therefore slows a region down to one thread's speed instead of stalling it.
 *
 * <p>Each region carries its own counters, so a worker that wakes late and still holds an old
 * region can only find it finished, never claim a chunk of a newer one.
 */
public final class WorkerPool implements AutoCloseable {

    /** The body of a parallel region: process chunk {@code chunk} on thread {@code worker}. */
    @FunctionalInterface
    public interface Chunked {
        void run(int chunk, int worker);
    }

    private static final long SPIN_NANOS = 500_000;

    /** One parallel region: its own chunk counters, so a late worker can only ever touch its own. */
    private static final class Region {
        final Chunked body;
        final int chunks;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Region(Chunked body, int chunks) {
            this.body = body;
            this.chunks = chunks;
        }

        /** Claims and runs chunks until none are left. */
        void work(int worker) {
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                try {
                    body.run(c, worker);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
                done.incrementAndGet();
            }
        }
    }

    private final int threads;
    private final Thread[] workers;
    private volatile Region current;
    private volatile boolean closed;
    private long regions, waitNanos;

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
        Region r = new Region(body, chunks);
        current = r;
        for (Thread w : workers) LockSupport.unpark(w);
        r.work(0);
        regions++;
        if (r.done.get() < chunks) {
            long t0 = System.nanoTime();
            while (r.done.get() < chunks) Thread.onSpinWait();
            waitNanos += System.nanoTime() - t0;
        }
        Throwable t = r.failure.get();
        if (t instanceof RuntimeException re) throw re;
        if (t instanceof Error e) throw e;
        if (t != null) throw new IllegalStateException(t);
    }

    /** Parallel regions handed to the workers so far (regions of one chunk, or on one thread, run inline and are not counted). */
    public long regions() { return regions; }

    /** Nanoseconds the caller has spent waiting for workers to finish their chunks after finishing its own. */
    public long waitNanos() { return waitNanos; }

    private void loop(int worker) {
        Region seen = null;
        while (true) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (current == seen && !closed) {
                if (System.nanoTime() < spinUntil) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            if (closed) return;
            seen = current;
            seen.work(worker);
        }
    }

    @Override public void close() {
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
    }
}
