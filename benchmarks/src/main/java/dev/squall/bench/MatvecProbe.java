package dev.squall.bench;

import dev.squall.cpu.RowKernels;
import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.ops.Matmul;
import dev.squall.tensor.WeightTensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.SplittableRandom;

/** Single-thread matrix-vector speed per format on a matrix larger than the caches (a development aid). */
public final class MatvecProbe {
    public static void main(String[] args) {
        int rows = 32000, cols = 768;
        for (String name : args.length > 0 ? args : new String[] {"f32", "f16", "q8_0", "q4_0"}) {
            WeightFormat f = WeightFormats.byName(name);
            Arena arena = Arena.ofShared();
            MemorySegment seg = arena.allocate(f.rowBytes(cols) * rows, 64);
            float[] row = new float[cols];
            SplittableRandom r = new SplittableRandom(1);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) row[j] = (float) r.nextGaussian();
                f.encode(row, 0, cols, seg, i * f.rowBytes(cols));
            }
            WeightTensor w = new WeightTensor("w", f, new long[] {cols, rows}, seg);
            float[] x = new float[cols], out = new float[rows], scratch = new float[Math.max(1, Matmul.scratchFloats(w))];
            for (int j = 0; j < cols; j++) x[j] = (float) r.nextGaussian();
            var k = RowKernels.forFormat(f);
            for (int it = 0; it < 30; it++) Matmul.cpuRows(w, k, x, 1, out, 0, 0, rows, scratch);
            var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long alloc0 = mx.getCurrentThreadAllocatedBytes();
            long best = Long.MAX_VALUE;
            for (int it = 0; it < 20; it++) {
                long t0 = System.nanoTime();
                Matmul.cpuRows(w, k, x, 1, out, 0, 0, rows, scratch);
                best = Math.min(best, System.nanoTime() - t0);
            }
            long allocated = (mx.getCurrentThreadAllocatedBytes() - alloc0) / 20;
            long t0 = System.nanoTime();
            float s = 0;
            for (int it = 0; it < 20; it++) for (int i = 0; i < rows; i++) s += k.dot(seg, i * f.rowBytes(cols), x, 0, cols);
            double dotNs = (System.nanoTime() - t0) / 20.0;
            System.out.printf(Locale.ROOT, "%-5s matmul %.2f ms (%.1f GB/s, %d bytes allocated)   RowKernel.dot %.2f ms (%.1f GB/s) %s%n", name, best / 1e6,
                    seg.byteSize() / (double) best, allocated, dotNs / 1e6, seg.byteSize() / dotNs, s == 0 ? "" : "");
            arena.close();
        }
    }
}
