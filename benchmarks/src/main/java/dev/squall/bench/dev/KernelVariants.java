package dev.squall.bench.dev;

import dev.squall.cpu.Lanes;
import dev.squall.format.WeightFormats;
import dev.squall.tensor.WeightTensor;
import dev.squall.validation.op.OpInputs;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times kernel variants against each other in one JVM, alternating them for several rounds so a
 * noisy machine affects all alike; each variant is first checked bit for bit against v1.
 * Run: java ... dev.squall.bench.dev.KernelVariants
 */
public final class KernelVariants {

    interface Dot4 { void run(MemorySegment w, long offset, long rowBytes, float[] x, int n, float[] out, int o, float[] lanes); }

    public static void main(String[] args) {
        if (Lanes.F.length() != 16) throw new IllegalStateException("these variants assume 16 float lanes");
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 32000, k = 768;
        WeightTensor w = OpInputs.weights(WeightFormats.Q4_0, rows, k, 1);
        if (args.length > 1 && args[1].equals("global")) {
            MemorySegment g = java.lang.foreign.Arena.global().allocate(w.data().byteSize(), 64);
            g.copyFrom(w.data());
            w = new WeightTensor("w", w.format(), w.shape(), g);
        }
        float[] x = OpInputs.uniform(k, 2);
        Dot4[] variants = {Q4_0Variants::v1, Q4_0Variants::v2, Q4_0Variants::v3, Q4_0Variants::v4, Q4_0Variants::v5, Q4_0Variants::v6, Q4_0Variants::v7, Q4_0Variants::v8, Q4_0Variants::v9};
        float[][] outs = new float[variants.length][rows];
        float[] lanes = new float[64];
        for (int v = 0; v < variants.length; v++) {
            for (int r = 0; r < rows; r += 4) variants[v].run(w.data(), w.rowOffset(r), w.rowBytes(), x, k, outs[v], r, lanes);
            if (!Arrays.equals(outs[0], outs[v])) System.out.println("variant " + (v + 1) + " is not bit-identical to v1 (diagnosis only)");
        }
        int repeat = Math.max(1, 32000 / rows);
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long[] allocated = new long[variants.length];
        long[][] times = new long[variants.length][15];
        for (int round = 0; round < 15 + 10; round++) {
            for (int v = 0; v < variants.length; v++) {
                long a0 = mx.getCurrentThreadAllocatedBytes();
                long t0 = System.nanoTime();
                for (int rep = 0; rep < repeat; rep++) {
                    for (int r = 0; r < rows; r += 4) variants[v].run(w.data(), w.rowOffset(r), w.rowBytes(), x, k, outs[v], r, lanes);
                }
                long t = System.nanoTime() - t0;
                allocated[v] = mx.getCurrentThreadAllocatedBytes() - a0;
                if (round >= 10) times[v][round - 10] = t;
            }
        }
        for (int v = 0; v < variants.length; v++) {
            long[] t = times[v].clone();
            Arrays.sort(t);
            System.out.printf(Locale.ROOT, "Q4_0 v%d: min %.2f ms, median %.2f ms, %d bytes allocated per pass (32000 rows × 768 as %d × %d rows, one thread)%n",
                    v + 1, t[0] / 1e6, t[t.length / 2] / 1e6, allocated[v], repeat, rows);
        }
    }
}
