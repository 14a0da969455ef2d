package dev.squall.bench;

import dev.squall.cpu.Lanes;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * The machine's read bandwidth as Squall's kernels see it: {@code threads} threads each stream a
 * share of a 1 GiB off-heap buffer through Vector API loads (four independent sums, so the loads,
 * not the adds, bound the loop); the best of several passes.
 */
public final class Bandwidth {

    private Bandwidth() {}

    public static double readGigabytesPerSecond(int threads) {
        long bytes = 1L << 30;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate(bytes, 64);
            seg.fill((byte) 1);
            double best = 0;
            for (int pass = 0; pass < 6; pass++) {
                Thread[] ts = new Thread[threads];
                long share = bytes / threads;
                long t0 = System.nanoTime();
                for (int i = 0; i < threads; i++) {
                    long from = i * share;
                    ts[i] = Thread.ofPlatform().start(() -> sink(stream(seg, from, share)));
                }
                for (Thread t : ts) join(t);
                double seconds = (System.nanoTime() - t0) / 1e9;
                if (pass > 0) best = Math.max(best, bytes / seconds / 1e9);
            }
            return best;
        }
    }

    private static volatile float sink;

    private static void sink(float v) { sink = v; }

    private static float stream(MemorySegment seg, long from, long length) {
        int step = Lanes.F.vectorByteSize();
        FloatVector a0 = FloatVector.zero(Lanes.F), a1 = a0, a2 = a0, a3 = a0;
        for (long o = from; o + 4L * step <= from + length; o += 4L * step) {
            a0 = a0.add(FloatVector.fromMemorySegment(Lanes.F, seg, o, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(Lanes.F, seg, o + step, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(FloatVector.fromMemorySegment(Lanes.F, seg, o + 2L * step, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(FloatVector.fromMemorySegment(Lanes.F, seg, o + 3L * step, ByteOrder.LITTLE_ENDIAN));
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
