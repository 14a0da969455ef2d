package dev.squall.heads;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dense F32 matrix products for training and running draft heads: row-major {@code float[]}
 * matrices, the three forms backpropagation through a linear layer needs, vectorized with the
 * Vector API and split over a fixed pool of threads by blocks of output rows.
 *
 * <pre>
 *   nt:  C[M×N]  = A[M×K] · B[N×K]ᵀ     forward   (y = x·Wᵀ)          4×4 output tiles, dots along K
 *   nn:  C[M×K]  = A[M×N] · B[N×K]      input gradient (dx = dy·W)   4 rows × 64 columns of C per tile
 *   tn:  C[N×K] += A[M×N]ᵀ · B[M×K]     weight gradient (dW += dyᵀ·x) 4 rows × 64 columns of C per tile
 * </pre>
 * Each output element is summed in a fixed order that does not depend on the thread count, so
 * results are the same with 1 or 16 threads.
 */
public final class Dense implements AutoCloseable {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private final ForkJoinPool pool;
    private final int threads;

    public Dense(int threads) {
        if (threads < 1) throw new IllegalArgumentException("thread count must be at least 1: " + threads);
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads);
    }

    public int threads() { return threads; }

    /** Runs {@code body(i)} for every {@code i} in {@code [0, n)}, spread over the pool. */
    public void parallelFor(int n, java.util.function.IntConsumer body) {
        if (pool == null || n <= 1) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        try {
            pool.submit(() -> IntStream.range(0, n).parallel().forEach(body)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        }
    }

    /** {@code C = A·Bᵀ}: A is M×K, B is N×K, C is M×N. */
    public void nt(float[] a, float[] b, float[] c, int m, int n, int k) {
        int rowBlocks = (m + 3) / 4;
        parallelFor(rowBlocks, rb -> {
            int i0 = rb * 4, iEnd = Math.min(m, i0 + 4);
            for (int j0 = 0; j0 < n; j0 += 4) {
                int jEnd = Math.min(n, j0 + 4);
                if (iEnd - i0 == 4 && jEnd - j0 == 4) tile4x4(a, b, c, i0, j0, n, k);
                else for (int i = i0; i < iEnd; i++) for (int j = j0; j < jEnd; j++) c[i * n + j] = dot(a, i * k, b, j * k, k);
            }
        });
    }

    private static void tile4x4(float[] a, float[] b, float[] c, int i0, int j0, int n, int k) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        int a0 = i0 * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k, b0 = j0 * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
        int p = 0, bound = S.loopBound(k);
        for (; p < bound; p += L) {
            FloatVector x0 = FloatVector.fromArray(S, a, a0 + p), x1 = FloatVector.fromArray(S, a, a1 + p);
            FloatVector x2 = FloatVector.fromArray(S, a, a2 + p), x3 = FloatVector.fromArray(S, a, a3 + p);
            FloatVector y = FloatVector.fromArray(S, b, b0 + p);
            c00 = x0.fma(y, c00); c10 = x1.fma(y, c10); c20 = x2.fma(y, c20); c30 = x3.fma(y, c30);
            y = FloatVector.fromArray(S, b, b1 + p);
            c01 = x0.fma(y, c01); c11 = x1.fma(y, c11); c21 = x2.fma(y, c21); c31 = x3.fma(y, c31);
            y = FloatVector.fromArray(S, b, b2 + p);
            c02 = x0.fma(y, c02); c12 = x1.fma(y, c12); c22 = x2.fma(y, c22); c32 = x3.fma(y, c32);
            y = FloatVector.fromArray(S, b, b3 + p);
            c03 = x0.fma(y, c03); c13 = x1.fma(y, c13); c23 = x2.fma(y, c23); c33 = x3.fma(y, c33);
        }
        int ci = i0 * n + j0;
        c[ci] = finish(c00, a, a0, b, b0, p, k); c[ci + 1] = finish(c01, a, a0, b, b1, p, k);
        c[ci + 2] = finish(c02, a, a0, b, b2, p, k); c[ci + 3] = finish(c03, a, a0, b, b3, p, k);
        ci += n;
        c[ci] = finish(c10, a, a1, b, b0, p, k); c[ci + 1] = finish(c11, a, a1, b, b1, p, k);
        c[ci + 2] = finish(c12, a, a1, b, b2, p, k); c[ci + 3] = finish(c13, a, a1, b, b3, p, k);
        ci += n;
        c[ci] = finish(c20, a, a2, b, b0, p, k); c[ci + 1] = finish(c21, a, a2, b, b1, p, k);
        c[ci + 2] = finish(c22, a, a2, b, b2, p, k); c[ci + 3] = finish(c23, a, a2, b, b3, p, k);
        ci += n;
        c[ci] = finish(c30, a, a3, b, b0, p, k); c[ci + 1] = finish(c31, a, a3, b, b1, p, k);
        c[ci + 2] = finish(c32, a, a3, b, b2, p, k); c[ci + 3] = finish(c33, a, a3, b, b3, p, k);
    }

    /** A tile element: its vector lanes summed, then the scalar tail from {@code p} to {@code k}. */
    private static float finish(FloatVector acc, float[] a, int ai, float[] b, int bi, int p, int k) {
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (int t = p; t < k; t++) s += a[ai + t] * b[bi + t];
        return s;
    }

    /** The dot product of {@code k} elements of {@code a} from {@code ai} and of {@code b} from {@code bi}. */
    public static float dot(float[] a, int ai, float[] b, int bi, int k) {
        FloatVector acc = FloatVector.zero(S);
        int p = 0, bound = S.loopBound(k);
        for (; p < bound; p += L) acc = FloatVector.fromArray(S, a, ai + p).fma(FloatVector.fromArray(S, b, bi + p), acc);
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) s += a[ai + p] * b[bi + p];
        return s;
    }

    /** {@code C = A·B}: A is M×N, B is N×K, C is M×K. */
    public void nn(float[] a, float[] b, float[] c, int m, int n, int k) {
        java.util.Arrays.fill(c, 0, m * k, 0f);
        accumulate(a, b, c, m, n, k, false);
    }

    /** {@code C += Aᵀ·B}: A is M×N, B is M×K, C is N×K. */
    public void tn(float[] a, float[] b, float[] c, int m, int n, int k) {
        accumulate(a, b, c, n, m, k, true);
    }

    /**
     * {@code C[rows×K] += Σ_s coef(r, s) · B[s, :]} over {@code s < inner}, where coef is
     * {@code A[r, s]} (A rows×inner) or, transposed, {@code A[s, r]} (A inner×rows).
     */
    private void accumulate(float[] a, float[] b, float[] c, int rows, int inner, int k, boolean transposed) {
        int rowBlocks = (rows + 3) / 4;
        int chunk = 4 * L, chunks = (k + chunk - 1) / chunk;
        parallelFor(rowBlocks * chunks, task -> {
            int r0 = (task / chunks) * 4, col0 = (task % chunks) * chunk;
            int rEnd = Math.min(rows, r0 + 4), colEnd = Math.min(k, col0 + chunk);
            if (rEnd - r0 == 4 && colEnd - col0 == chunk) tile4(a, b, c, r0, col0, rows, inner, k, transposed);
            else {
                for (int r = r0; r < rEnd; r++) {
                    for (int s = 0; s < inner; s++) {
                        float w = transposed ? a[s * rows + r] : a[r * inner + s];
                        if (w == 0f) continue;
                        for (int col = col0; col < colEnd; col++) c[r * k + col] += w * b[s * k + col];
                    }
                }
            }
        });
    }

    private static void tile4(float[] a, float[] b, float[] c, int r0, int col0, int rows, int inner, int k, boolean transposed) {
        int o0 = r0 * k + col0, o1 = o0 + k, o2 = o1 + k, o3 = o2 + k;
        FloatVector c00 = FloatVector.fromArray(S, c, o0), c01 = FloatVector.fromArray(S, c, o0 + L), c02 = FloatVector.fromArray(S, c, o0 + 2 * L), c03 = FloatVector.fromArray(S, c, o0 + 3 * L);
        FloatVector c10 = FloatVector.fromArray(S, c, o1), c11 = FloatVector.fromArray(S, c, o1 + L), c12 = FloatVector.fromArray(S, c, o1 + 2 * L), c13 = FloatVector.fromArray(S, c, o1 + 3 * L);
        FloatVector c20 = FloatVector.fromArray(S, c, o2), c21 = FloatVector.fromArray(S, c, o2 + L), c22 = FloatVector.fromArray(S, c, o2 + 2 * L), c23 = FloatVector.fromArray(S, c, o2 + 3 * L);
        FloatVector c30 = FloatVector.fromArray(S, c, o3), c31 = FloatVector.fromArray(S, c, o3 + L), c32 = FloatVector.fromArray(S, c, o3 + 2 * L), c33 = FloatVector.fromArray(S, c, o3 + 3 * L);
        for (int s = 0; s < inner; s++) {
            float w0, w1, w2, w3;
            if (transposed) {
                int base = s * rows + r0;
                w0 = a[base]; w1 = a[base + 1]; w2 = a[base + 2]; w3 = a[base + 3];
            } else {
                w0 = a[r0 * inner + s]; w1 = a[(r0 + 1) * inner + s]; w2 = a[(r0 + 2) * inner + s]; w3 = a[(r0 + 3) * inner + s];
            }
            if (w0 == 0f && w1 == 0f && w2 == 0f && w3 == 0f) continue;
            int bi = s * k + col0;
            FloatVector y0 = FloatVector.fromArray(S, b, bi), y1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector y2 = FloatVector.fromArray(S, b, bi + 2 * L), y3 = FloatVector.fromArray(S, b, bi + 3 * L);
            FloatVector v = FloatVector.broadcast(S, w0);
            c00 = y0.fma(v, c00); c01 = y1.fma(v, c01); c02 = y2.fma(v, c02); c03 = y3.fma(v, c03);
            v = FloatVector.broadcast(S, w1);
            c10 = y0.fma(v, c10); c11 = y1.fma(v, c11); c12 = y2.fma(v, c12); c13 = y3.fma(v, c13);
            v = FloatVector.broadcast(S, w2);
            c20 = y0.fma(v, c20); c21 = y1.fma(v, c21); c22 = y2.fma(v, c22); c23 = y3.fma(v, c23);
            v = FloatVector.broadcast(S, w3);
            c30 = y0.fma(v, c30); c31 = y1.fma(v, c31); c32 = y2.fma(v, c32); c33 = y3.fma(v, c33);
        }
        c00.intoArray(c, o0); c01.intoArray(c, o0 + L); c02.intoArray(c, o0 + 2 * L); c03.intoArray(c, o0 + 3 * L);
        c10.intoArray(c, o1); c11.intoArray(c, o1 + L); c12.intoArray(c, o1 + 2 * L); c13.intoArray(c, o1 + 3 * L);
        c20.intoArray(c, o2); c21.intoArray(c, o2 + L); c22.intoArray(c, o2 + 2 * L); c23.intoArray(c, o2 + 3 * L);
        c30.intoArray(c, o3); c31.intoArray(c, o3 + L); c32.intoArray(c, o3 + 2 * L); c33.intoArray(c, o3 + 3 * L);
    }

    @Override public void close() {
        if (pool != null) pool.shutdown();
    }
}
