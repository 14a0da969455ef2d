package dev.squall.bench;

import dev.squall.cpu.RowKernel;
import dev.squall.cpu.RowKernels;
import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.ops.Matmul;
import dev.squall.tensor.WeightTensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Single-thread matrix-vector speed (ns per weight) of several formats measured in the same run,
 * interleaved round by round so that a shared, noisy machine affects them alike; the median of the
 * rounds is reported, with the bytes each matmul allocates (a development aid, as
 * {@link MatvecProbe}; arguments: format names, default the FP8/FP4 formats next to Q8_0 and Q4_0).
 */
public final class FormatSpeedProbe {

    public static void main(String[] args) {
        int rows = 32000, cols = 768, rounds = 9;
        List<String> names = args.length > 0 ? List.of(args)
                : List.of("q8_0", "q4_0", "mxfp4", "nvfp4", "mxfp8-e4m3", "mxfp8-e5m2", "fp8-e4m3", "fp8-e5m2", "f16");
        List<WeightTensor> tensors = new ArrayList<>();
        Arena arena = Arena.ofShared();
        SplittableRandom r = new SplittableRandom(1);
        float[] row = new float[cols];
        for (String name : names) {
            WeightFormat f = WeightFormats.byName(name);
            MemorySegment seg = arena.allocate(f.rowBytes(cols) * rows, 64);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) row[j] = (float) (0.02 * r.nextGaussian());
                f.encode(row, 0, cols, seg, i * f.rowBytes(cols));
            }
            tensors.add(new WeightTensor(name, f, new long[] {cols, rows}, seg));
        }
        float[] x = new float[cols], out = new float[rows];
        for (int j = 0; j < cols; j++) x[j] = (float) r.nextGaussian();
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        double[][] ns = new double[names.size()][rounds];
        long[] allocated = new long[names.size()];
        for (int round = -2; round < rounds; round++) {   // two rounds of warm-up
            for (int k = 0; k < tensors.size(); k++) {
                WeightTensor w = tensors.get(k);
                RowKernel kernel = RowKernels.forFormat(w.format());
                float[] scratch = new float[Math.max(1, Matmul.scratchFloats(w))];
                long a0 = mx.getCurrentThreadAllocatedBytes(), best = Long.MAX_VALUE;
                for (int it = 0; it < 5; it++) {
                    long t0 = System.nanoTime();
                    Matmul.cpuRows(w, kernel, x, 1, out, 0, 0, rows, scratch);
                    best = Math.min(best, System.nanoTime() - t0);
                }
                if (round >= 0) {
                    ns[k][round] = best / ((double) rows * cols);
                    allocated[k] = Math.max(allocated[k], (mx.getCurrentThreadAllocatedBytes() - a0) / 5);
                }
            }
        }
        System.out.printf(Locale.ROOT, "single-thread matvec %d x %d, median of %d interleaved rounds (best of 5 each)%n", rows, cols, rounds);
        for (int k = 0; k < names.size(); k++) {
            double[] v = ns[k].clone();
            Arrays.sort(v);
            WeightTensor w = tensors.get(k);
            System.out.printf(Locale.ROOT, "%-11s %.3f ns/weight  (%.2f bytes/weight, %.1f GB/s, %d bytes allocated per matmul)%n",
                    names.get(k), v[rounds / 2], w.data().byteSize() / ((double) rows * cols),
                    w.data().byteSize() / (v[rounds / 2] * rows * cols), allocated[k]);
        }
        arena.close();
    }
}
