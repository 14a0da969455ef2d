package dev.squall.backend.java;

import dev.squall.cpu.RowKernel;
import dev.squall.ops.Matmul;
import dev.squall.tensor.WeightTensor;

/** A matmul split over the worker pool by ranges of weight rows, with an optional bias. */
final class ParallelMatmul {

    private ParallelMatmul() {}

    /** Rows per parallel chunk: a multiple of 4, about eight chunks per thread. */
    static int chunk(int rows, int threads) {
        int target = rows / (threads * 8);
        return Math.max(16, (target + 3) & ~3);
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
