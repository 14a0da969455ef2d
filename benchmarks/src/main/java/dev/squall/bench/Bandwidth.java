package dev.squall.bench;

import dev.squall.cpu.Lanes;
import jdk.incubator.vector.FloatVector;

/**
 * The machine's read bandwidth as Squall's kernels see it: {@code threads} threads each stream
 * their own 1 GiB / {@code threads} of floats through Vector API loads (four independent sums, so
 * the loads, not the adds, bound the loop); the best of several passes.
 *
 * <p>The buffers are Java arrays, not off-heap memory segments, on purpose: the JIT profiles the
 * JDK's memory-segment access code by the segment classes it has seen, and one pass over a
 * malloc'ed segment in the same JVM as a model's mapped weights made every kernel compiled
 * afterwards polymorphic: F32 decode on the 134M sample fell from 81 to 49 tokens/s.
 */
public final class Bandwidth {

    private Bandwidth() {}

    public static double readGigabytesPerSecond(int threads) {
        long bytes = 1L << 30;
        int floats = (int) (bytes / Float.BYTES / threads);
        float[][] shares = new float[threads][];
        for (int i = 0; i < threads; i++) {
            shares[i] = new float[floats];
            java.util.Arrays.fill(shares[i], 1f);
        }
        double best = 0;
        for (int pass = 0; pass < 6; pass++) {
            Thread[] ts = new Thread[threads];
            long t0 = System.nanoTime();
            for (int i = 0; i < threads; i++) {
                float[] share = shares[i];
                ts[i] = Thread.ofPlatform().start(() -> sink(stream(share)));
            }
            for (Thread t : ts) join(t);
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (pass > 0) best = Math.max(best, (double) floats * threads * Float.BYTES / seconds / 1e9);
        }
        return best;
    }

    private static volatile float sink;

    private static void sink(float v) { sink = v; }

    private static float stream(float[] share) {
        int step = Lanes.F.length();
        FloatVector a0 = FloatVector.zero(Lanes.F), a1 = a0, a2 = a0, a3 = a0;
        for (int o = 0; o + 4 * step <= share.length; o += 4 * step) {
            a0 = a0.add(FloatVector.fromArray(Lanes.F, share, o));
            a1 = a1.add(FloatVector.fromArray(Lanes.F, share, o + step));
            a2 = a2.add(FloatVector.fromArray(Lanes.F, share, o + 2 * step));
            a3 = a3.add(FloatVector.fromArray(Lanes.F, share, o + 3 * step));
        }
        float[] lanes = new float[Lanes.F.length()];
        a0.add(a1).add(a2.add(a3)).intoArray(lanes, 0);
        float s = 0;
        for (float v : lanes) s += v;
        return s;
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
