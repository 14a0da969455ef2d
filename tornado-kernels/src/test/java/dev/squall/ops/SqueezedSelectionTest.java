package dev.squall.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.graph.SqueezedIndex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Squeezed Attention's selection against its definition computed in double: the size-weighted
 * softmax estimate per cluster, a threshold, kept clusters as merged cell ranges, flat and with a
 * coarse level; thresholds are placed halfway between two estimates so that float and double
 * agree on every comparison.
 */
class SqueezedSelectionTest {

    private static final int HS = 20;            // not a multiple of the vector length: tails too

    /** A head of {@code c} clusters over {@code n} cells, random centroids and sizes; {@code coarse} groups of fine clusters (0: flat). */
    static SqueezedIndex.Head head(int c, int coarse, SplittableRandom r) {
        int[] starts = new int[c + 1];
        for (int i = 0; i < c; i++) starts[i + 1] = starts[i] + 1 + r.nextInt(9);
        float[] centroids = new float[c * HS];
        for (int i = 0; i < centroids.length; i++) centroids[i] = (float) r.nextGaussian();
        int n = starts[c];
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = n - 1 - i;
        if (coarse == 0) return new SqueezedIndex.Head(centroids, starts, null, null, null, order);
        int[] cs = new int[coarse + 1];
        for (int k = 1; k < coarse; k++) cs[k] = k * c / coarse;
        cs[coarse] = c;
        int[] counts = new int[coarse];
        float[] cc = new float[coarse * HS];
        for (int k = 0; k < coarse; k++) counts[k] = starts[cs[k + 1]] - starts[cs[k]];
        for (int i = 0; i < cc.length; i++) cc[i] = (float) r.nextGaussian();
        return new SqueezedIndex.Head(centroids, starts, cc, cs, counts, order);
    }

    private static double score(float[] q, float[] byDim, int count, int j, float scale) {
        double s = 0;
        for (int d = 0; d < HS; d++) s += (double) q[d] * byDim[d * count + j];
        return s * scale;
    }

    /** log p per fine cluster by the definition (NEGATIVE_INFINITY under a dropped coarse cluster), then log p per coarse cluster. */
    private static double[][] definition(float[] q, SqueezedIndex.Head h, float scale, double coarseThreshold) {
        int c = h.clusters();
        double[] fine = new double[c];
        if (!h.hierarchical()) {
            double z = 0;
            for (int f = 0; f < c; f++) z += h.size(f) * Math.exp(score(q, h.centroids(), c, f, scale));
            for (int f = 0; f < c; f++) fine[f] = score(q, h.centroids(), c, f, scale) - Math.log(z);
            return new double[][] {fine, new double[0]};
        }
        int k = h.coarseClusters();
        double[] coarse = new double[k];
        double zc = 0;
        for (int K = 0; K < k; K++) zc += h.coarseCounts()[K] * Math.exp(score(q, h.coarseCentroids(), k, K, scale));
        double z = 0;
        for (int K = 0; K < k; K++) {
            coarse[K] = score(q, h.coarseCentroids(), k, K, scale) - Math.log(zc);
            if (coarse[K] >= coarseThreshold) for (int f = h.coarseStarts()[K]; f < h.coarseStarts()[K + 1]; f++) z += h.size(f) * Math.exp(score(q, h.centroids(), c, f, scale));
            else z += h.coarseCounts()[K] * Math.exp(score(q, h.coarseCentroids(), k, K, scale));
        }
        for (int K = 0; K < k; K++) {
            for (int f = h.coarseStarts()[K]; f < h.coarseStarts()[K + 1]; f++) {
                fine[f] = coarse[K] >= coarseThreshold ? score(q, h.centroids(), c, f, scale) - Math.log(z) : Double.NEGATIVE_INFINITY;
            }
        }
        return new double[][] {fine, coarse};
    }

    /** A threshold halfway between the two sorted values around the quantile {@code at}. */
    private static float between(double[] values, double at) {
        double[] v = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
        int i = Math.max(1, Math.min(v.length - 1, (int) (at * v.length)));
        return (float) ((v[i - 1] + v[i]) / 2);
    }

    private static int[] expectedRanges(SqueezedIndex.Head h, double[] fine, float threshold) {
        List<int[]> out = new ArrayList<>();
        for (int f = 0; f < h.clusters(); f++) {
            if (!(fine[f] >= threshold)) continue;
            int s = h.starts()[f], e = h.starts()[f + 1];
            if (!out.isEmpty() && out.get(out.size() - 1)[1] == s) out.get(out.size() - 1)[1] = e;
            else out.add(new int[] {s, e});
        }
        return out.stream().flatMapToInt(Arrays::stream).toArray();
    }

    private static int[] select(float[] q, SqueezedIndex.Head h, SqueezedIndex.Thresholds t, float scale) {
        int[] ranges = new int[2 * h.clusters() + 2];
        int n = SqueezedSelection.select(q, 0, scale, h, t, new float[SqueezedSelection.scratchFloats(h)], ranges, 0);
        return Arrays.copyOf(ranges, 2 * n);
    }

    private static float[] query(SplittableRandom r) {
        float[] q = new float[HS];
        for (int d = 0; d < HS; d++) q[d] = (float) (2 * r.nextGaussian());
        return q;
    }

    @Test
    void flatSelectionKeepsTheClustersWhoseEstimateReachesTheThreshold() {
        SplittableRandom r = new SplittableRandom(1);
        float scale = (float) (1 / Math.sqrt(HS));
        for (int trial = 0; trial < 50; trial++) {
            SqueezedIndex.Head h = head(3 + r.nextInt(60), 0, r);
            float[] q = query(r);
            double[] fine = definition(q, h, scale, 0)[0];
            float t = between(fine, r.nextDouble());
            assertArrayEquals(expectedRanges(h, fine, t), select(q, h, new SqueezedIndex.Thresholds(0.5, Float.NEGATIVE_INFINITY, t), scale), "trial " + trial);
        }
    }

    @Test
    void twoLevelsScoreTheFineClustersOfTheKeptCoarseOnesOnly() {
        SplittableRandom r = new SplittableRandom(2);
        float scale = (float) (1 / Math.sqrt(HS));
        for (int trial = 0; trial < 50; trial++) {
            int c = 8 + r.nextInt(60);
            SqueezedIndex.Head h = head(c, 2 + r.nextInt(6), r);
            float[] q = query(r);
            float coarse = between(definition(q, h, scale, Double.NEGATIVE_INFINITY)[1], 0.4);
            double[] fine = definition(q, h, scale, coarse)[0];
            float t = between(fine, r.nextDouble() * 0.8);
            assertArrayEquals(expectedRanges(h, fine, t), select(q, h, new SqueezedIndex.Thresholds(0.5, coarse, t), scale), "trial " + trial);
        }
    }

    @Test
    void estimatesAreAProbabilityPerKey() {
        SplittableRandom r = new SplittableRandom(3);
        SqueezedIndex.Head h = head(40, 0, r);
        float[] est = new float[SqueezedSelection.scratchFloats(h)];
        SqueezedSelection.estimates(query(r), 0, 0.3f, h, Float.NEGATIVE_INFINITY, est);
        double total = 0;
        for (int f = 0; f < h.clusters(); f++) total += h.size(f) * Math.exp(est[f]);
        assertEquals(1.0, total, 1e-5);
    }

    @Test
    void denseThresholdsKeepEveryCellAsOneRange() {
        SplittableRandom r = new SplittableRandom(4);
        SqueezedIndex.Head h = head(30, 5, r);
        assertArrayEquals(new int[] {0, h.starts()[h.clusters()]}, select(query(r), h, SqueezedIndex.Thresholds.DENSE, 0.2f));
        // a threshold that keeps every cluster through the estimates gives the same single range
        assertArrayEquals(new int[] {0, h.starts()[h.clusters()]}, select(query(r), h, new SqueezedIndex.Thresholds(0.1, -1e30f, -1e30f), 0.2f));
    }

    @Test
    void aThresholdAboveEveryEstimateKeepsNothing() {
        SplittableRandom r = new SplittableRandom(5);
        SqueezedIndex.Head h = head(30, 0, r);
        assertEquals(0, select(query(r), h, new SqueezedIndex.Thresholds(0.99, Float.NEGATIVE_INFINITY, 1f), 0.2f).length);
        assertTrue(h.clusters() > 0);
    }
}
