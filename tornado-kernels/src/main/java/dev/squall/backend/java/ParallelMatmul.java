package dev.squall.backend.java;

import dev.squall.cpu.PackedQ8;
import dev.squall.cpu.Q8Activations;
import dev.squall.cpu.RowKernel;
import dev.squall.ops.Matmul;
import dev.squall.tensor.WeightTensor;

/** A matmul split over the worker pool by ranges of weight rows, with an optional bias. */
final class ParallelMatmul {

    private ParallelMatmul() {}

    /** Rows per parallel chunk: a multiple of 4, about eight chunks per thread, at least 16 rows. */
    static int chunk(int rows, int threads) {
        int target = rows / (threads * CHUNKS_PER_THREAD);
        return Math.max(MIN_CHUNK, (target + 3) & ~3);
    }

    /** Measured on the 134M sample's decode (Q4_0, 2 threads): 2, 4, 32 or 64 chunks per thread were all slower. */
    private static final int CHUNKS_PER_THREAD = 8;
    private static final int MIN_CHUNK = 16;

    /**
     * Several matmuls over the same input {@code x}, weight i writing {@code buffers[outs[i]]}: the
     * row chunks of all of them go to one parallel region, so a layer's Q, K and V (or gate and
     * up) cost one hand-off to the workers instead of three (or two).
     */
    static void run(WorkerPool pool, WeightTensor[] w, RowKernel[] kernels, float[] x, int tokens, float[][] buffers,
                    int[] outs, float[][] bias, float[][] scratch) {
        run(pool, w, kernels, x, tokens, buffers, outs, bias, scratch, null, null);
    }

    /**
     * As above; weight i with {@code x8[i]} set multiplies it (x rounded for its int8 path)
     * instead of {@code x}, from its packed copy {@code packed[i]} where there is one; {@code x8}
     * and {@code packed} may be null.
     */
    static void run(WorkerPool pool, WeightTensor[] w, RowKernel[] kernels, float[] x, int tokens, float[][] buffers,
                    int[] outs, float[][] bias, float[][] scratch, Q8Activations[] x8, PackedQ8[] packed) {
        int n = w.length;
        int[] chunk = new int[n], first = new int[n + 1];
        for (int i = 0; i < n; i++) {
            chunk[i] = chunk(w[i].rows(), pool.threads());
            first[i + 1] = first[i] + (w[i].rows() + chunk[i] - 1) / chunk[i];
        }
        pool.run(first[n], (c, worker) -> {
            int i = 0;
            while (c >= first[i + 1]) i++;
            int rows = w[i].rows(), r0 = (c - first[i]) * chunk[i], r1 = Math.min(rows, r0 + chunk[i]);
            float[] out = buffers[outs[i]];
            if (packed != null && packed[i] != null) Matmul.cpuRowsQ8(packed[i], x8[i], out, 0, r0, r1, scratch[worker]);
            else if (x8 != null && x8[i] != null) Matmul.cpuRowsQ8(w[i], kernels[i], x8[i], out, 0, r0, r1, scratch[worker]);
            else Matmul.cpuRows(w[i], kernels[i], x, tokens, out, 0, r0, r1, scratch[worker]);
            if (bias[i] != null) {
                for (int t = 0; t < tokens; t++) {
                    for (int r = r0; r < r1; r++) out[t * rows + r] += bias[i][r];
                }
            }
        });
    }

    static void run(WorkerPool pool, WeightTensor w, RowKernel kernel, float[] x, int tokens, float[] out, int outOffset,
                    float[] bias, float[][] scratch) {
        int rows = w.rows();
        int chunk = chunk(rows, pool.threads());
        pool.run((rows + chunk - 1) / chunk, (c, worker) -> {
            int r0 = c * chunk, r1 = Math.min(rows, r0 + chunk);
            Matmul.cpuRows(w, kernel, x, tokens, out, outOffset, r0, r1, scratch[worker]);
            if (bias != null) {
                for (int t = 0; t < tokens; t++) {
                    int o = outOffset + t * rows;
                    for (int r = r0; r < r1; r++) out[o + r] += bias[r];
                }
            }
        });
    }
}
