package dev.squall.ops;

import dev.squall.cpu.Lanes;
import dev.squall.cpu.PackedQ8;
import dev.squall.cpu.Q8Activations;
import dev.squall.cpu.RowKernel;
import dev.squall.tensor.WeightTensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix multiplication of a weight matrix by a batch of activations:
 * {@code out[t][r] = Σ_k W[r][k] · x[t][k]} for {@code r < rows}, {@code t < tokens}.
 *
 * <p>Layout: W as stored ({@code rows × K} in its format's blocks, row-major), x as
 * {@code tokens × K} floats and out as {@code tokens × rows} floats, both row-major.
 *
 * <p>Every (r, t) result is computed the same way whatever the batch size or tiling: the canonical
 * order of {@link RowKernel} (one vector accumulator fed by fused multiply-adds over the K/L full
 * vectors in order, its lanes folded in a fixed tree, then the tail elements fused in one by one).
 * Hence a token's logits do not depend on which batch it came in: batch and token-by-token results
 * are bit-identical. Small batches read each row from the mapped file and decode it in registers
 * ({@link RowKernel#dot4}, token by token, or {@link RowKernel#dotTokens}, a few tokens per widening
 * of the row, where the format's kernel has it); larger ones decode a few rows exactly ({@link RowKernel#decode}) into a
 * per-thread scratch that every token of the batch reuses, and run 4 × 4 register tiles over it.
 */
public final class Matmul {

    private Matmul() {}

    private static final VectorSpecies<Float> F = Lanes.F;
    private static final int L = F.length();

    /**
     * Up to this many tokens, rows are decoded in registers, token by token ({@link RowKernel#dot4}):
     * each row is read once per token, which costs little when a handful of tokens reuse it from the
     * cache. Larger batches decode rows once into a scratch that every token reuses.
     */
    public static final int IN_REGISTER_TOKENS = 4;

    /**
     * Up to this many tokens, a kernel that {@link RowKernel#fusesTokens} reads and widens each row
     * in registers once per group of tokens ({@link RowKernel#dotTokens}): a verifying forward call
     * of a few drafted tokens then costs little more than one token's. Larger batches are compute
     * bound and go to the 4 × 4 tiles over decoded rows.
     */
    public static final int FUSED_TOKENS = 8;

    /** Rows decoded at a time for a large batch: sized so the scratch stays in L2. */
    public static int chunkRows(int columns) {
        return Math.max(4, Math.min(64, (256 * 1024) / (columns * Float.BYTES)) & ~3);
    }

    /** Floats of scratch one thread needs for {@link #cpuRows} with this tensor. */
    public static int scratchFloats(WeightTensor w) {
        return Math.max(RowKernel.tokenLaneScratch(), chunkRows(w.columns()) * w.columns() + LANE_SCRATCH);
    }

    /** Room for the 16 accumulators of a 4 × 4 tile, stored to be folded ({@link Lanes#sum(float[], int)}). */
    private static final int LANE_SCRATCH = 16 * 16;

    /** The definition: decode each row with the format's oracle, accumulate in double. */
    public static void oracle(WeightTensor w, float[] x, int tokens, float[] out) {
        int k = w.columns(), rows = w.rows();
        float[] row = new float[k];
        for (int r = 0; r < rows; r++) {
            w.format().decode(w.data(), w.rowOffset(r), row, 0, k);
            for (int t = 0; t < tokens; t++) {
                double sum = 0;
                for (int i = 0; i < k; i++) sum += (double) row[i] * x[t * k + i];
                out[t * rows + r] = (float) sum;
            }
        }
    }

    /**
     * The CPU kernel for rows {@code [r0, r1)} and every token, writing
     * {@code out[outOffset + t·rows + r]}; a caller parallelizes over row ranges. {@code scratch}
     * needs {@link #scratchFloats} floats.
     */
    public static void cpuRows(WeightTensor w, RowKernel kernel, float[] x, int tokens, float[] out, int outOffset,
                               int r0, int r1, float[] scratch) {
        int k = w.columns(), rows = w.rows();
        if (tokens > 1 && tokens <= FUSED_TOKENS && kernel.fusesTokens()) {
            for (int r = r0; r < r1; r++) kernel.dotTokens(w.data(), w.rowOffset(r), x, 0, k, tokens, k, out, outOffset + r, rows, scratch);
            return;
        }
        if (tokens <= IN_REGISTER_TOKENS) {
            long rowBytes = w.rowBytes();
            for (int t = 0; t < tokens; t++) {
                int o = outOffset + t * rows;
                int r = r0;
                for (; r + 4 <= r1; r += 4) kernel.dot4(w.data(), w.rowOffset(r), rowBytes, x, t * k, k, out, o + r, scratch);
                for (; r < r1; r++) out[o + r] = kernel.dot(w.data(), w.rowOffset(r), x, t * k, k);
            }
            return;
        }
        int chunk = chunkRows(k);
        int lanes = chunk * k;
        for (int c0 = r0; c0 < r1; c0 += chunk) {
            int n = Math.min(chunk, r1 - c0);
            for (int i = 0; i < n; i++) kernel.decode(w.data(), w.rowOffset(c0 + i), scratch, i * k, k);
            tile(scratch, n, k, x, tokens, out, rows, outOffset + c0, scratch, lanes);
        }
    }

    /** Rows per pass of the int8 path: every token of a batch reads them while they are in L1. */
    private static final int Q8_ROWS = PackedQ8.PASS_ROWS;

    /**
     * The int8 path for rows {@code [r0, r1)} and every token of {@code x} (activations rounded to
     * Q8_0, {@link RowKernel#dotQ8}), writing {@code out[outOffset + t·rows + r]}. Each (row, token)
     * result is computed by the same call whatever the batch, so batches equal token by token.
     * {@code lanes} needs four {@link Lanes#F}-many floats.
     */
    public static void cpuRowsQ8(WeightTensor w, RowKernel kernel, Q8Activations x, float[] out, int outOffset,
                                 int r0, int r1, float[] lanes) {
        int k = w.columns(), rows = w.rows(), tokens = x.tokens();
        if (x.width() != k) throw new IllegalArgumentException("matmul " + w + ": q8 activations are " + x.width() + " wide, the weight takes " + k);
        for (int c0 = r0; c0 < r1; c0 += Q8_ROWS) {
            int c1 = Math.min(r1, c0 + Q8_ROWS);
            int t = 0;
            for (; t + 4 <= tokens; t += 4) {
                for (int r = c0; r < c1; r++) kernel.dotQ8x4(w.data(), w.rowOffset(r), x, t, out, outOffset + t * rows + r, rows, lanes);
            }
            for (; t < tokens; t++) {
                int o = outOffset + t * rows;
                for (int r = c0; r < c1; r++) out[o + r] = kernel.dotQ8(w.data(), w.rowOffset(r), x, t, lanes);
            }
        }
    }

    /**
     * {@link #cpuRowsQ8} over a copy of the weight in the int8 path's layout ({@link PackedQ8}):
     * the same rows, passes and bits, read from heap arrays.
     */
    public static void cpuRowsQ8(PackedQ8 w, Q8Activations x, float[] out, int outOffset, int r0, int r1, float[] lanes) {
        w.rows(x, out, outOffset, r0, r1, lanes);
    }

    /**
     * Decoded rows {@code [0, n)} of {@code w} ({@code k} floats each, from index 0) times every
     * token; results go to {@code out[t·outStride + firstRow + i]}. Tiles of 4 rows × 4 tokens keep
     * 16 accumulators in registers; their lanes are stored at {@code lanes[lanesOffset ..]} and
     * folded ({@link Lanes#sum(float[], int)}).
     */
    static void tile(float[] w, int n, int k, float[] x, int tokens, float[] out, int outStride, int firstRow,
                     float[] lanes, int lanesOffset) {
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            int t = 0;
            for (; t + 4 <= tokens; t += 4) tile4x4(w, i * k, k, x, t, out, outStride, firstRow + i, lanes, lanesOffset);
            for (; t < tokens; t++) {
                for (int r = i; r < i + 4; r++) out[t * outStride + firstRow + r] = dot(w, r * k, k, x, t * k, lanes, lanesOffset);
            }
        }
        for (; i < n; i++) {
            for (int t = 0; t < tokens; t++) out[t * outStride + firstRow + i] = dot(w, i * k, k, x, t * k, lanes, lanesOffset);
        }
    }

    private static void tile4x4(float[] w, int o, int k, float[] x, int t, float[] out, int outStride, int row,
                                float[] lanes, int lo) {
        int w0 = o, w1 = w0 + k, w2 = w1 + k, w3 = w2 + k;
        int x0 = t * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int bound = F.loopBound(k);
        for (int i = 0; i < bound; i += L) {
            FloatVector r0 = FloatVector.fromArray(F, w, w0 + i), r1 = FloatVector.fromArray(F, w, w1 + i);
            FloatVector r2 = FloatVector.fromArray(F, w, w2 + i), r3 = FloatVector.fromArray(F, w, w3 + i);
            FloatVector v0 = FloatVector.fromArray(F, x, x0 + i), v1 = FloatVector.fromArray(F, x, x1 + i);
            FloatVector v2 = FloatVector.fromArray(F, x, x2 + i), v3 = FloatVector.fromArray(F, x, x3 + i);
            a00 = r0.fma(v0, a00); a01 = r0.fma(v1, a01); a02 = r0.fma(v2, a02); a03 = r0.fma(v3, a03);
            a10 = r1.fma(v0, a10); a11 = r1.fma(v1, a11); a12 = r1.fma(v2, a12); a13 = r1.fma(v3, a13);
            a20 = r2.fma(v0, a20); a21 = r2.fma(v1, a21); a22 = r2.fma(v2, a22); a23 = r2.fma(v3, a23);
            a30 = r3.fma(v0, a30); a31 = r3.fma(v1, a31); a32 = r3.fma(v2, a32); a33 = r3.fma(v3, a33);
        }
        a00.intoArray(lanes, lo); a01.intoArray(lanes, lo + L); a02.intoArray(lanes, lo + 2 * L); a03.intoArray(lanes, lo + 3 * L);
        a10.intoArray(lanes, lo + 4 * L); a11.intoArray(lanes, lo + 5 * L); a12.intoArray(lanes, lo + 6 * L); a13.intoArray(lanes, lo + 7 * L);
        a20.intoArray(lanes, lo + 8 * L); a21.intoArray(lanes, lo + 9 * L); a22.intoArray(lanes, lo + 10 * L); a23.intoArray(lanes, lo + 11 * L);
        a30.intoArray(lanes, lo + 12 * L); a31.intoArray(lanes, lo + 13 * L); a32.intoArray(lanes, lo + 14 * L); a33.intoArray(lanes, lo + 15 * L);
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                int slot = lo + (4 * r + c) * L;
                out[(t + c) * outStride + row + r] = finish(Lanes.sum(lanes, slot), w, o + r * k, k, bound, x, (t + c) * k);
            }
        }
    }

    private static float dot(float[] w, int o, int k, float[] x, int x0, float[] lanes, int lo) {
        FloatVector a = FloatVector.zero(F);
        int bound = F.loopBound(k);
        for (int i = 0; i < bound; i += L) a = FloatVector.fromArray(F, w, o + i).fma(FloatVector.fromArray(F, x, x0 + i), a);
        a.intoArray(lanes, lo);
        return finish(Lanes.sum(lanes, lo), w, o, k, bound, x, x0);
    }

    /** The tail elements fused in one by one after the folded lanes: the end of the canonical order. */
    private static float finish(float s, float[] w, int o, int k, int bound, float[] x, int x0) {
        for (int i = bound; i < k; i++) s = Math.fma(w[o + i], x[x0 + i], s);
        return s;
    }
}
