package dev.squall.context;

import dev.squall.graph.SqueezedIndex;
import dev.squall.ops.SqueezedSelection;

/**
 * Calibrates the selection thresholds of a {@link SqueezedIndex} to a target sparsity (Squeezed
 * Attention §3.2): the per-key weight estimates of calibration queries (the last queries of the
 * fixed context itself) over every layer and query head are pooled, each cluster weighted by its
 * size, and the threshold is the quantile below which the target fraction of keys falls: one global
 * threshold. With two levels the coarse threshold is the quantile for half the target sparsity, and
 * the fine threshold then brings the keys skipped by both levels to the target.
 *
 * <p>Quantiles come from a histogram of bins {@value #BIN} wide in log space, so the sparsity
 * reached on the calibration queries is the target or at most one bin's keys more.
 */
public final class Calibration {

    private Calibration() {}

    static final double BIN = 1.0 / 256, LOW = -120, HIGH = 40;

    /**
     * The thresholds that skip {@code sparsity} of the fixed context's keys for the calibration
     * queries {@code queries[layer]} ({@code count × heads·headSize} floats, rotated as attention
     * sees them).
     */
    public static SqueezedIndex.Thresholds thresholds(SqueezedIndex index, float[][] queries, int count, int heads, double sparsity) {
        if (!(sparsity >= 0 && sparsity < 1)) throw new IllegalArgumentException("--sparsity must lie in [0, 1), not " + sparsity);
        if (sparsity == 0) return SqueezedIndex.Thresholds.DENSE;
        if (count < 1) throw new IllegalArgumentException("calibrating a squeezed index needs at least one query");
        float coarse = Float.NEGATIVE_INFINITY;
        if (index.hierarchical()) coarse = (float) histogram(index, queries, count, heads, true, Float.NEGATIVE_INFINITY).quantile(sparsity / 2);
        float fine = (float) histogram(index, queries, count, heads, false, coarse).quantile(sparsity);
        return new SqueezedIndex.Thresholds(sparsity, coarse, fine);
    }

    /** The fraction of fixed-context keys the thresholds skip for the given queries. */
    public static double sparsity(SqueezedIndex index, float[][] queries, int count, int heads, SqueezedIndex.Thresholds t) {
        Histogram h = histogram(index, queries, count, heads, false, t.coarse());
        return h.below(t.fine());
    }

    private static Histogram histogram(SqueezedIndex index, float[][] queries, int count, int heads, boolean coarseLevel, float coarse) {
        int hs = index.headSize(), group = heads / index.kvHeads();
        float scale = (float) (1 / Math.sqrt(hs));
        Histogram hist = new Histogram();
        for (int l = 0; l < index.layers(); l++) {
            for (int h = 0; h < heads; h++) {
                SqueezedIndex.Head head = index.head(l, h / group);
                float[] est = new float[SqueezedSelection.scratchFloats(head)];
                int c = head.clusters();
                for (int i = 0; i < count; i++) {
                    SqueezedSelection.estimates(queries[l], (i * heads + h) * hs, scale, head, coarse, est);
                    if (coarseLevel) {
                        for (int K = 0; K < head.coarseClusters(); K++) hist.add(est[c + K], head.coarseCounts()[K]);
                    } else {
                        for (int f = 0; f < c; f++) hist.add(est[f], head.size(f));
                    }
                }
            }
        }
        return hist;
    }

    /** Weights of log estimates in bins; {@link Float#NEGATIVE_INFINITY} (a dropped coarse cluster's keys) kept apart. */
    private static final class Histogram {
        final double[] bins = new double[(int) ((HIGH - LOW) / BIN) + 1];
        double dropped, total;

        void add(float logP, double weight) {
            total += weight;
            if (logP == Float.NEGATIVE_INFINITY) {
                dropped += weight;
                return;
            }
            int b = (int) Math.floor((Math.max(LOW, Math.min(HIGH, logP)) - LOW) / BIN);
            bins[Math.min(bins.length - 1, b)] += weight;
        }

        /** The smallest bin edge below which at least {@code q} of the weight lies. */
        double quantile(double q) {
            double target = q * total, cumulative = dropped;
            if (cumulative >= target) return LOW;
            for (int b = 0; b < bins.length; b++) {
                cumulative += bins[b];
                if (cumulative >= target) return LOW + (b + 1) * BIN;
            }
            return HIGH;
        }

        /** The fraction of the weight below {@code t}. */
        double below(float t) {
            double w = dropped;
            for (int b = 0; b < bins.length && LOW + (b + 1) * BIN <= t; b++) w += bins[b];
            return total == 0 ? 0 : w / total;
        }
    }
}
