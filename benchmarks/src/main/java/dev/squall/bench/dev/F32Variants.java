package dev.squall.bench.dev;

import dev.squall.cpu.Lanes;
import dev.squall.format.WeightFormats;
import dev.squall.tensor.WeightTensor;
import dev.squall.validation.op.OpInputs;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;
import jdk.incubator.vector.FloatVector;

/**
 * F32 matrix-vector variants (memory-bound), canonical order, timed against each other in one JVM
 * on a matrix far larger than the caches (32000 × 768 × 4 bytes = 98 MB, the 134M sample's output
 * projection), with one or two threads.
 *
 * <p>Findings (2026-11-26, two threads, quiet moment): all variants land between 17 and 26 GB/s
 * with medians that overlap run to run; eight interleaved rows (v2) were never better than four
 * (v1) and the library keeps v1. Plain streaming reads of the same memory reach 24-27 GB/s from
 * Java (anonymous or mapped segments) and 30 GB/s from C, so a quarter of the bandwidth is lost
 * in the matrix-vector loop itself; the variants here did not find it.
 *
 * <ol>
 *   <li>v1 four rows interleaved (the library kernel as of this note).</li>
 *   <li>v2 eight rows interleaved.</li>
 *   <li>v3 two rows interleaved.</li>
 *   <li>v4 one row per pass.</li>
 * </ol>
 */
public final class F32Variants {

    private static final java.nio.ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    interface Rows { void run(MemorySegment w, long rowBytes, int r0, int r1, float[] x, int k, float[] out, float[] lanes); }

    static FloatVector load(MemorySegment w, long o, int i) { return FloatVector.fromMemorySegment(Lanes.F, w, o + 4L * i, LE); }

    static void v1(MemorySegment w, long rb, int r0, int r1, float[] x, int k, float[] out, float[] lanes) {
        int L = Lanes.F.length();
        for (int r = r0; r < r1; r += 4) {
            long o0 = r * rb, o1 = o0 + rb, o2 = o1 + rb, o3 = o2 + rb;
            FloatVector a0 = FloatVector.zero(Lanes.F), a1 = a0, a2 = a0, a3 = a0;
            for (int i = 0; i < k; i += L) {
                FloatVector v = FloatVector.fromArray(Lanes.F, x, i);
                a0 = load(w, o0, i).fma(v, a0);
                a1 = load(w, o1, i).fma(v, a1);
                a2 = load(w, o2, i).fma(v, a2);
                a3 = load(w, o3, i).fma(v, a3);
            }
            a0.intoArray(lanes, 0); a1.intoArray(lanes, L); a2.intoArray(lanes, 2 * L); a3.intoArray(lanes, 3 * L);
            for (int j = 0; j < 4; j++) out[r + j] = Lanes.sum(lanes, j * L);
        }
    }

    static void v2(MemorySegment w, long rb, int r0, int r1, float[] x, int k, float[] out, float[] lanes) {
        int L = Lanes.F.length();
        for (int r = r0; r < r1; r += 8) {
            long o0 = r * rb;
            FloatVector a0 = FloatVector.zero(Lanes.F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (int i = 0; i < k; i += L) {
                FloatVector v = FloatVector.fromArray(Lanes.F, x, i);
                a0 = load(w, o0, i).fma(v, a0);
                a1 = load(w, o0 + rb, i).fma(v, a1);
                a2 = load(w, o0 + 2 * rb, i).fma(v, a2);
                a3 = load(w, o0 + 3 * rb, i).fma(v, a3);
                a4 = load(w, o0 + 4 * rb, i).fma(v, a4);
                a5 = load(w, o0 + 5 * rb, i).fma(v, a5);
                a6 = load(w, o0 + 6 * rb, i).fma(v, a6);
                a7 = load(w, o0 + 7 * rb, i).fma(v, a7);
            }
            a0.intoArray(lanes, 0); a1.intoArray(lanes, L); a2.intoArray(lanes, 2 * L); a3.intoArray(lanes, 3 * L);
            a4.intoArray(lanes, 4 * L); a5.intoArray(lanes, 5 * L); a6.intoArray(lanes, 6 * L); a7.intoArray(lanes, 7 * L);
            for (int j = 0; j < 8; j++) out[r + j] = Lanes.sum(lanes, j * L);
        }
    }

    static void v3(MemorySegment w, long rb, int r0, int r1, float[] x, int k, float[] out, float[] lanes) {
        int L = Lanes.F.length();
        for (int r = r0; r < r1; r += 2) {
            long o0 = r * rb, o1 = o0 + rb;
            FloatVector a0 = FloatVector.zero(Lanes.F), a1 = a0;
            for (int i = 0; i < k; i += L) {
                FloatVector v = FloatVector.fromArray(Lanes.F, x, i);
                a0 = load(w, o0, i).fma(v, a0);
                a1 = load(w, o1, i).fma(v, a1);
            }
            a0.intoArray(lanes, 0); a1.intoArray(lanes, L);
            out[r] = Lanes.sum(lanes, 0);
            out[r + 1] = Lanes.sum(lanes, L);
        }
    }

    static void v4(MemorySegment w, long rb, int r0, int r1, float[] x, int k, float[] out, float[] lanes) {
        int L = Lanes.F.length();
        for (int r = r0; r < r1; r++) {
            long o0 = r * rb;
            FloatVector a0 = FloatVector.zero(Lanes.F);
            for (int i = 0; i < k; i += L) a0 = load(w, o0, i).fma(FloatVector.fromArray(Lanes.F, x, i), a0);
            a0.intoArray(lanes, 0);
            out[r] = Lanes.sum(lanes, 0);
        }
    }

    public static void main(String[] args) throws Exception {
        int rows = 32000, k = 768, threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        WeightTensor w = OpInputs.weights(WeightFormats.F32, rows, k, 1);
        float[] x = OpInputs.uniform(k, 2);
        Rows[] variants = {F32Variants::v1, F32Variants::v2, F32Variants::v3, F32Variants::v4};
        float[][] outs = new float[variants.length][rows];
        long[][] times = new long[variants.length][12];
        for (int round = 0; round < 20; round++) {
            for (int v = 0; v < variants.length; v++) {
                Rows body = variants[v];
                float[] out = outs[v];
                long t0 = System.nanoTime();
                Thread[] ts = new Thread[threads];
                for (int t = 0; t < threads; t++) {
                    int r0 = rows / threads * t, r1 = t == threads - 1 ? rows : rows / threads * (t + 1);
                    ts[t] = Thread.ofPlatform().start(() -> body.run(w.data(), w.rowBytes(), r0, r1, x, k, out, new float[8 * Lanes.F.length()]));
                }
                for (Thread t : ts) t.join();
                if (round >= 8) times[v][round - 8] = System.nanoTime() - t0;
            }
        }
        for (int v = 0; v < variants.length; v++) {
            if (!Arrays.equals(outs[0], outs[v])) throw new IllegalStateException("v" + (v + 1) + " differs from v1");
            long[] t = times[v].clone();
            Arrays.sort(t);
            System.out.printf(Locale.ROOT, "F32 v%d: min %.2f ms (%.1f GB/s), median %.2f ms, %d threads%n", v + 1, t[0] / 1e6,
                    w.data().byteSize() / (double) t[0], t[t.length / 2] / 1e6, threads);
        }
    }
}
