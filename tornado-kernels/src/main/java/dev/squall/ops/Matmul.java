package dev.squall.ops;

import dev.squall.cpu.Lanes;
import dev.squall.cpu.RowKernel;
import dev.squall.format.WeightFormat;
import dev.squall.tensor.WeightTensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix multiplication of a weight matrix by a batch of activations:
 * {@code out[t][r] = Σ_k W[r][k] · x[t][k]} for {@code r < rows}, {@code t < tokens}.
 *
 * <p>Layout: W as stored ({@code rows × K} in its format's blocks, row-major), x as
 * {@code tokens × K} floats and out as {@code tokens × rows} floats, both row-major.
 *
 * <p>Every (r, t) result is computed the same way whatever the batch size or tiling: one vector
 * accumulator fed by fused multiply-adds over the K/L full vectors in order, its L lanes folded
 * pairwise ({@link Lanes#sum}), then the tail elements fused in one by one. Hence a token's logits do not depend
 * on which batch it came in — batch and token-by-token results are bit-identical. F32 rows are read
 * in place from the mapped file; quantized rows are decoded in registers for small batches
 * ({@link RowKernel#dot4}, the same order) and otherwise decoded exactly
 * ({@link RowKernel#decode}) into a small per-thread scratch that every token of the batch reuses.
 */
public final class Matmul {

    private Matmul() {}

    private static final VectorSpecies<Float> F = Lanes.F;
    private static final int L = F.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /**
     * Up to this many tokens, quantized rows are decoded in registers, token by token
     * ({@link RowKernel#dot4}): each row is read from memory once per token, which costs nothing
     * when a handful of tokens reuse it from the cache. Larger batches decode rows once into a
     * scratch that every token reuses.
     */
    public static final int IN_REGISTER_TOKENS = 4;

    /** Rows decoded at a time by the quantized path: sized so the scratch stays in L2. */
    public static int chunkRows(int columns) {
        return Math.max(4, Math.min(64, (256 * 1024) / (columns * Float.BYTES)) & ~3);
    }

    /** Floats of scratch one thread needs for {@link #cpuRows} with this tensor. */
    public static int scratchFloats(WeightTensor w) {
        return isF32(w.format()) ? LANE_SCRATCH : Math.max(RowKernel.laneScratch(), chunkRows(w.columns()) * w.columns());
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
     * needs {@link #scratchFloats} floats (none for F32).
     */
    public static void cpuRows(WeightTensor w, RowKernel kernel, float[] x, int tokens, float[] out, int outOffset,
                               int r0, int r1, float[] scratch) {
        int k = w.columns(), rows = w.rows();
        if (isF32(w.format())) {
            tile(w.data(), w.rowOffset(r0), w.rowBytes(), r1 - r0, k, x, tokens, out, rows, outOffset + r0, scratch);
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
        MemorySegment decoded = MemorySegment.ofArray(scratch);
        float[] lanes = new float[LANE_SCRATCH];
        int chunk = chunkRows(k);
        for (int c0 = r0; c0 < r1; c0 += chunk) {
            int n = Math.min(chunk, r1 - c0);
            for (int i = 0; i < n; i++) kernel.decode(w.data(), w.rowOffset(c0 + i), scratch, i * k, k);
            tile(decoded, 0, (long) k * Float.BYTES, n, k, x, tokens, out, rows, outOffset + c0, lanes);
        }
    }

    private static boolean isF32(WeightFormat f) { return f.ggmlType() == 0; }

    /**
     * F32 rows {@code [0, n)} at {@code base + i·stride} bytes of {@code w} times every token;
     * results go to {@code out[t·outStride + firstRow + i]}.
     */
    static void tile(MemorySegment w, long base, long stride, int n, int k, float[] x, int tokens,
                     float[] out, int outStride, int firstRow, float[] lanes) {
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            long o = base + i * stride;
            int t = 0;
            for (; t + 4 <= tokens; t += 4) tile4x4(w, o, stride, k, x, t, out, outStride, firstRow + i, lanes);
            for (; t < tokens; t++) tile4x1(w, o, stride, k, x, t, out, outStride, firstRow + i, lanes);
        }
        for (; i < n; i++) {
            for (int t = 0; t < tokens; t++) {
                out[t * outStride + firstRow + i] = dot(w, base + i * stride, k, x, t * k, lanes);
            }
        }
    }

    private static void tile4x4(MemorySegment w, long o, long stride, int k, float[] x, int t,
                                float[] out, int outStride, int row, float[] lanes) {
        int x0 = t * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int bound = F.loopBound(k);
        for (int i = 0; i < bound; i += L) {
            long b = o + (long) i * Float.BYTES;
            FloatVector w0 = FloatVector.fromMemorySegment(F, w, b, LE);
            FloatVector w1 = FloatVector.fromMemorySegment(F, w, b + stride, LE);
            FloatVector w2 = FloatVector.fromMemorySegment(F, w, b + 2 * stride, LE);
            FloatVector w3 = FloatVector.fromMemorySegment(F, w, b + 3 * stride, LE);
            FloatVector v0 = FloatVector.fromArray(F, x, x0 + i);
            FloatVector v1 = FloatVector.fromArray(F, x, x1 + i);
            FloatVector v2 = FloatVector.fromArray(F, x, x2 + i);
            FloatVector v3 = FloatVector.fromArray(F, x, x3 + i);
            a00 = w0.fma(v0, a00); a01 = w0.fma(v1, a01); a02 = w0.fma(v2, a02); a03 = w0.fma(v3, a03);
            a10 = w1.fma(v0, a10); a11 = w1.fma(v1, a11); a12 = w1.fma(v2, a12); a13 = w1.fma(v3, a13);
            a20 = w2.fma(v0, a20); a21 = w2.fma(v1, a21); a22 = w2.fma(v2, a22); a23 = w2.fma(v3, a23);
            a30 = w3.fma(v0, a30); a31 = w3.fma(v1, a31); a32 = w3.fma(v2, a32); a33 = w3.fma(v3, a33);
        }
        int l = L;
        a00.intoArray(lanes, 0); a01.intoArray(lanes, l); a02.intoArray(lanes, 2 * l); a03.intoArray(lanes, 3 * l);
        a10.intoArray(lanes, 4 * l); a11.intoArray(lanes, 5 * l); a12.intoArray(lanes, 6 * l); a13.intoArray(lanes, 7 * l);
        a20.intoArray(lanes, 8 * l); a21.intoArray(lanes, 9 * l); a22.intoArray(lanes, 10 * l); a23.intoArray(lanes, 11 * l);
        a30.intoArray(lanes, 12 * l); a31.intoArray(lanes, 13 * l); a32.intoArray(lanes, 14 * l); a33.intoArray(lanes, 15 * l);
        int[] xs = {x0, x1, x2, x3};
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                out[(t + c) * outStride + row + r] = finish(lanes, (4 * r + c) * l, w, o + r * stride, k, bound, x, xs[c]);
            }
        }
    }

    private static void tile4x1(MemorySegment w, long o, long stride, int k, float[] x, int t,
                                float[] out, int outStride, int row, float[] lanes) {
        int x0 = t * k;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int bound = F.loopBound(k);
        for (int i = 0; i < bound; i += L) {
            long b = o + (long) i * Float.BYTES;
            FloatVector v = FloatVector.fromArray(F, x, x0 + i);
            a0 = FloatVector.fromMemorySegment(F, w, b, LE).fma(v, a0);
            a1 = FloatVector.fromMemorySegment(F, w, b + stride, LE).fma(v, a1);
            a2 = FloatVector.fromMemorySegment(F, w, b + 2 * stride, LE).fma(v, a2);
            a3 = FloatVector.fromMemorySegment(F, w, b + 3 * stride, LE).fma(v, a3);
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, L);
        a2.intoArray(lanes, 2 * L);
        a3.intoArray(lanes, 3 * L);
        int r = t * outStride + row;
        for (int i = 0; i < 4; i++) out[r + i] = finish(lanes, i * L, w, o + i * stride, k, bound, x, x0);
    }

    private static float dot(MemorySegment w, long o, int k, float[] x, int x0, float[] lanes) {
        FloatVector a = FloatVector.zero(F);
        int bound = F.loopBound(k);
        for (int i = 0; i < bound; i += L) {
            a = FloatVector.fromMemorySegment(F, w, o + (long) i * Float.BYTES, LE).fma(FloatVector.fromArray(F, x, x0 + i), a);
        }
        a.intoArray(lanes, 0);
        return finish(lanes, 0, w, o, k, bound, x, x0);
    }

    /** The stored accumulator's lanes folded, then the tail elements fused in: the one canonical order. */
    private static float finish(float[] lanes, int slot, MemorySegment w, long o, int k, int bound, float[] x, int x0) {
        float s = Lanes.sum(lanes, slot);
        for (int i = bound; i < k; i++) {
            s = Math.fma(w.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE), o + (long) i * Float.BYTES), x[x0 + i], s);
        }
        return s;
    }
}
