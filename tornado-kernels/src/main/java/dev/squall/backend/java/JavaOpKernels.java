package dev.squall.backend.java;

import dev.squall.backend.OpKernels;
import dev.squall.cpu.RowKernel;
import dev.squall.cpu.RowKernels;
import dev.squall.format.WeightFormat;
import dev.squall.graph.RopeSpec;
import dev.squall.ops.Add;
import dev.squall.ops.Attention;
import dev.squall.ops.Matmul;
import dev.squall.ops.RmsNorm;
import dev.squall.ops.Rope;
import dev.squall.ops.Softmax;
import dev.squall.ops.SwiGlu;
import dev.squall.tensor.WeightTensor;
import java.util.Optional;

/** The Java backend's CPU kernels one operator at a time, matmul split over the same pool as a plan. */
final class JavaOpKernels implements OpKernels {

    private final WorkerPool pool;

    JavaOpKernels(int threads) {
        this.pool = new WorkerPool(threads);
    }

    @Override public String device() { return "java"; }

    @Override public Optional<String> unsupported(String op, WeightFormat format) { return Optional.empty(); }

    private float[][] scratch = new float[0][];

    @Override public void matmul(WeightTensor w, float[] x, int tokens, float[] out, int outOffset) {
        int need = Matmul.scratchFloats(w);
        if (scratch.length != pool.threads() || scratch[0].length < need) scratch = new float[pool.threads()][need];
        ParallelMatmul.run(pool, w, RowKernels.forFormat(w.format()), x, tokens, out, outOffset, null, scratch);
    }

    @Override public void embed(WeightTensor table, int[] tokens, float[] out, int outOffset) {
        RowKernel k = RowKernels.forFormat(table.format());
        for (int t = 0; t < tokens.length; t++) {
            k.decode(table.data(), table.rowOffset(tokens[t]), out, outOffset + t * table.columns(), table.columns());
        }
    }

    @Override public void rmsNorm(float[] x, int rows, int n, float[] weight, float eps, float[] out, int outOffset) {
        for (int r = 0; r < rows; r++) RmsNorm.cpu(x, r * n, n, weight, eps, out, outOffset + r * n);
    }

    @Override public void rope(float[] x, int offset, int tokens, int heads, int headSize, int[] positions, RopeSpec spec) {
        Rope.Table table = new Rope.Table(spec.dims());
        for (int t = 0; t < tokens; t++) {
            table.fill(spec, positions[t]);
            Rope.cpu(x, offset + t * heads * headSize, heads, headSize, spec, table);
        }
    }

    @Override public void softmax(float[] x, int offset, int rows, int n, float scale) {
        for (int r = 0; r < rows; r++) Softmax.cpu(x, offset + r * n, n, scale);
    }

    @Override public void attention(float[] q, int tokens, int heads, int kvHeads, int headSize, float[] keys, float[] values,
                                    int positions, int[] queryPositions, float[] out, int outOffset) {
        Attention.KvPages kv = new Attention.KvPages(new float[][] {keys}, new float[][] {values}, new int[] {0}, 30, kvHeads * headSize);
        float scale = (float) (1.0 / Math.sqrt(headSize));
        int group = heads / kvHeads;
        pool.run(tokens * heads, (item, worker) -> {
            int t = item / heads, h = item % heads;
            int qo = t * heads * headSize + h * headSize;
            Attention.cpu(q, qo, headSize, scale, kv, (h / group) * headSize, new int[] {0, queryPositions[t] + 1}, 1,
                    new float[positions], out, outOffset + qo);
        });
    }

    @Override public void swiGlu(float[] gate, float[] up, int n, float[] out, int outOffset) {
        SwiGlu.cpu(gate, 0, up, 0, n, out, outOffset);
    }

    @Override public void add(float[] a, float[] b, int n, float[] out, int outOffset) {
        Add.cpu(a, 0, b, 0, n, out, outOffset);
    }

    @Override public void close() { pool.close(); }
}
