package dev.squall.ops;

import dev.squall.cpu.Lanes;
import dev.squall.graph.SqueezedIndex;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Which fixed-context keys a query reads under Squeezed Attention (see {@link SqueezedIndex}):
 * the query scores the centroids of its KV head, and the clusters whose size-weighted softmax
 * estimate reaches the threshold are kept, as ranges of cells.
 *
 * <pre>
 *  flat:          s_c = scale·q·c_c           log p_c = s_c − log Σ_j n_j e^{s_j}        keep c if log p_c ≥ T
 *  hierarchical:  coarse as flat with T_coarse; then the fine clusters of the kept coarse ones, with
 *                 Z = Σ_{kept K} Σ_{f ∈ K} n_f e^{s_f} + Σ_{dropped K} n_K e^{s_K}       keep f if s_f − log Z ≥ T
 * </pre>
 * Kept clusters come out as ascending cell ranges, adjacent clusters merged.
 */
public final class SqueezedSelection {

    private SqueezedSelection() {}

    private static final VectorSpecies<Float> F = Lanes.F;

    /**
     * Writes the kept cell ranges of {@code head} for the query at {@code q[qOffset..+headSize)}
     * into {@code ranges} as pairs from pair {@code at} on, and returns how many ranges it wrote.
     * {@code scratch} holds at least {@link #scratchFloats} floats; {@code ranges} room for one pair
     * per fine cluster from {@code at}.
     */
    public static int select(float[] q, int qOffset, float scale, SqueezedIndex.Head head, SqueezedIndex.Thresholds t,
                             float[] scratch, int[] ranges, int at) {
        int c = head.clusters();
        int[] starts = head.starts();
        if (t.dense()) return emit(ranges, at, 0, 0, starts[c]);
        estimates(q, qOffset, scale, head, t.coarse(), scratch);
        int n = 0, open = -1;
        for (int f = 0; f < c; f++) {
            if (scratch[f] >= t.fine()) {
                if (open < 0) open = starts[f];
            } else if (open >= 0) {
                n = emit(ranges, at, n, open, starts[f]);
                open = -1;
            }
        }
        if (open >= 0) n = emit(ranges, at, n, open, starts[c]);
        return n;
    }

    /** Scratch floats {@link #select} and {@link #estimates} need for {@code head}. */
    public static int scratchFloats(SqueezedIndex.Head head) { return head.clusters() + head.coarseClusters(); }

    private static int emit(int[] ranges, int at, int n, int start, int end) {
        ranges[2 * (at + n)] = start;
        ranges[2 * (at + n) + 1] = end;
        return n + 1;
    }

    /**
     * {@code out[to + j] = scale · q·centroid_j} for the {@code count} centroids stored by
     * dimension in {@code centroids} ({@code d · count + j}): vertical multiply-adds over the
     * dimensions, one vector of centroids at a time.
     */
    public static void scores(float[] q, int qOffset, int hs, float scale, float[] centroids, int count, float[] out, int to) {
        scores(q, qOffset, hs, scale, centroids, count, 0, count, out, to);
    }

    /**
     * The scores of columns {@code [from, from + count)} of centroids stored by dimension with
     * {@code stride} columns per dimension, into {@code out[to ..)}: each column's sum runs over
     * the dimensions in order, one fused multiply-add each, in a vector lane or in the scalar tail.
     */
    static void scores(float[] q, int qOffset, int hs, float scale, float[] centroids, int stride, int from, int count, float[] out, int to) {
        int L = F.length(), j = 0;
        for (; j + L <= count; j += L) {
            FloatVector a = FloatVector.zero(F);
            for (int d = 0; d < hs; d++) a = FloatVector.broadcast(F, q[qOffset + d]).fma(FloatVector.fromArray(F, centroids, d * stride + from + j), a);
            a.mul(scale).intoArray(out, to + j);
        }
        for (; j < count; j++) out[to + j] = scale * dot(q, qOffset, centroids, from + j, stride, hs);
    }

    private static float dot(float[] q, int qOffset, float[] centroids, int j, int count, int hs) {
        float s = 0;
        for (int d = 0; d < hs; d++) s = Math.fma(q[qOffset + d], centroids[d * count + j], s);
        return s;
    }

    /**
     * {@code log Σ_j n_j e^{s_j}} over {@code s[from .. from + count)}, the sizes {@code n_j} taken
     * from cluster starts (fine) or from counts (coarse, {@code counts[j]}).
     */
    static float logSumExp(float[] s, int from, int count, int[] starts, int[] counts) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < count; j++) max = Math.max(max, s[from + j]);
        float sum = 0;
        for (int j = 0; j < count; j++) {
            int n = starts != null ? starts[j + 1] - starts[j] : counts[j];
            sum += n * VectorMath.exp(s[from + j] - max);
        }
        return (float) (max + Math.log(sum));
    }

    /**
     * The per-key weight estimates of one query: {@code est[c]} = log p of fine cluster {@code c}
     * for {@code c < C}, and for two levels {@code est[C + K]} = log p of coarse cluster {@code K};
     * the fine clusters of a coarse cluster below {@code coarse} get {@link Float#NEGATIVE_INFINITY}
     * and their coarse centroid stands in for their keys in the denominator.
     */
    public static void estimates(float[] q, int qOffset, float scale, SqueezedIndex.Head head, float coarse, float[] est) {
        int c = head.clusters(), hs = head.centroids().length / c;
        int[] starts = head.starts();
        if (!head.hierarchical()) {
            scores(q, qOffset, hs, scale, head.centroids(), c, est, 0);
            float logZ = logSumExp(est, 0, c, starts, null);
            for (int f = 0; f < c; f++) est[f] -= logZ;
            return;
        }
        int k = head.coarseClusters();
        int[] cs = head.coarseStarts(), counts = head.coarseCounts();
        scores(q, qOffset, hs, scale, head.coarseCentroids(), k, est, c);
        float logZc = logSumExp(est, c, k, null, counts);
        float max = Float.NEGATIVE_INFINITY;
        for (int K = 0; K < k; K++) {
            est[c + K] -= logZc;
            if (est[c + K] >= coarse) {
                scores(q, qOffset, hs, scale, head.centroids(), c, cs[K], cs[K + 1] - cs[K], est, cs[K]);
                for (int f = cs[K]; f < cs[K + 1]; f++) max = Math.max(max, est[f]);
            } else {
                max = Math.max(max, est[c + K] + logZc);
            }
        }
        float sum = 0;
        for (int K = 0; K < k; K++) {
            if (est[c + K] < coarse) sum += counts[K] * VectorMath.exp(est[c + K] + logZc - max);
            else for (int f = cs[K]; f < cs[K + 1]; f++) sum += (starts[f + 1] - starts[f]) * VectorMath.exp(est[f] - max);
        }
        float logZ = (float) (max + Math.log(sum));
        for (int K = 0; K < k; K++) {
            boolean kept = est[c + K] >= coarse;
            for (int f = cs[K]; f < cs[K + 1]; f++) est[f] = kept ? est[f] - logZ : Float.NEGATIVE_INFINITY;
        }
    }
}
