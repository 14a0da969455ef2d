package dev.squall.context;

import dev.squall.graph.SqueezedIndex;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * Builds the {@link SqueezedIndex} of a fixed context from its keys (Squeezed Attention §3.1):
 * per layer and KV head, k-means with k-means++ seeding on the L2-normalised keys, each centroid
 * the mean of its members' keys as stored (unnormalised); with two levels, k-means again on the
 * normalised fine centroids, each coarse centroid the mean of its members' keys. Clusters become
 * runs of cells: the keys of a head are ordered by cluster (fine clusters by coarse cluster), in
 * position order within one.
 *
 * @param centroids fine centroids per head: a fraction of the context's keys (0.05 = 5%) when
 *                  below 1, else a count
 * @param levels    1 (flat) or 2 (hierarchical)
 */
public record SqueezedIndexBuilder(double centroids, int levels, int iterations, long seed, int threads) {

    public SqueezedIndexBuilder {
        if (!(centroids > 0)) throw new IllegalArgumentException("--centroids must be a positive fraction or count, not " + centroids);
        if (levels != 1 && levels != 2) throw new IllegalArgumentException("--levels must be 1 or 2, not " + levels);
        if (iterations < 1) throw new IllegalArgumentException("k-means needs at least one iteration, not " + iterations);
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, not " + threads);
    }

    /** Fine clusters for a context of {@code n} keys. */
    public int fineClusters(int n) {
        long k = centroids < 1 ? Math.round(n * centroids) : Math.round(centroids);
        return (int) Math.max(1, Math.min(n, k));
    }

    /** Coarse clusters over {@code fine} fine ones: the square root, rounded, so that both levels hold about as many centroids. */
    public static int coarseClusters(int fine) { return (int) Math.max(1, Math.min(fine, Math.round(Math.sqrt(fine)))); }

    /**
     * The index over {@code keys[layer]} ({@code n × kvHeads·headSize} floats, position-major, in
     * context order), with dense thresholds; {@code progress} receives each finished head's number.
     */
    public SqueezedIndex build(float[][] keys, int n, int kvHeads, int headSize, IntConsumer progress) {
        int layers = keys.length;
        SqueezedIndex.Head[] heads = new SqueezedIndex.Head[layers * kvHeads];
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int i = 0; i < heads.length; i++) {
                int id = i;
                jobs.add(pool.submit(() -> {
                    heads[id] = head(keys[id / kvHeads], n, kvHeads, id % kvHeads, headSize, seed * 1_000_003L + id);
                    progress.accept(id);
                }));
            }
            for (Future<?> f : jobs) f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while clustering keys", e);
        } finally {
            pool.shutdownNow();
        }
        return new SqueezedIndex(layers, kvHeads, headSize, n, heads, SqueezedIndex.Thresholds.DENSE);
    }

    private SqueezedIndex.Head head(float[] layerKeys, int n, int kvHeads, int h, int hs, long seed) {
        int width = kvHeads * hs;
        float[] raw = new float[n * hs], unit = new float[n * hs];
        for (int p = 0; p < n; p++) {
            System.arraycopy(layerKeys, p * width + h * hs, raw, p * hs, hs);
            normalise(raw, p * hs, unit, p * hs, hs);
        }
        KMeans.Result fine = KMeans.cluster(unit, n, hs, fineClusters(n), iterations, seed);
        int c = fine.clusters();
        int[] fineOrder = identity(c);                           // fine cluster at each rank
        int[] coarseOf = null;
        int k = 0;
        if (levels == 2) {
            float[] means = means(raw, fine.assignment(), c, hs, n);
            float[] unitMeans = new float[c * hs];
            for (int j = 0; j < c; j++) normalise(means, j * hs, unitMeans, j * hs, hs);
            KMeans.Result coarse = KMeans.cluster(unitMeans, c, hs, coarseClusters(c), iterations, seed ^ 0x5DEECE66DL);
            k = coarse.clusters();
            coarseOf = coarse.assignment();
            fineOrder = sortedBy(coarseOf, k);
        }
        int[] rank = new int[c];
        for (int r = 0; r < c; r++) rank[fineOrder[r]] = r;
        int[] clusterOfPoint = new int[n];
        for (int p = 0; p < n; p++) clusterOfPoint[p] = rank[fine.assignment()[p]];
        int[] order = sortedBy(clusterOfPoint, c);
        int[] starts = new int[c + 1];
        for (int p = 0; p < n; p++) starts[clusterOfPoint[p] + 1]++;
        for (int j = 0; j < c; j++) starts[j + 1] += starts[j];
        float[] centroids = byDimension(means(raw, clusterOfPoint, c, hs, n), c, hs);
        if (levels == 1) return new SqueezedIndex.Head(centroids, starts, null, null, null, order);
        int[] coarseStarts = new int[k + 1], coarseCounts = new int[k], coarseOfRank = new int[c];
        for (int r = 0; r < c; r++) {
            coarseOfRank[r] = coarseOf[fineOrder[r]];
            coarseStarts[coarseOfRank[r] + 1]++;
        }
        for (int j = 0; j < k; j++) coarseStarts[j + 1] += coarseStarts[j];
        int[] coarseOfPoint = new int[n];
        for (int p = 0; p < n; p++) {
            coarseOfPoint[p] = coarseOfRank[clusterOfPoint[p]];
            coarseCounts[coarseOfPoint[p]]++;
        }
        float[] coarseCentroids = byDimension(means(raw, coarseOfPoint, k, hs, n), k, hs);
        return new SqueezedIndex.Head(centroids, starts, coarseCentroids, coarseStarts, coarseCounts, order);
    }

    private static void normalise(float[] src, int from, float[] dst, int to, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += (double) src[from + i] * src[from + i];
        float inv = s > 0 ? (float) (1 / Math.sqrt(s)) : 0f;
        for (int i = 0; i < n; i++) dst[to + i] = src[from + i] * inv;
    }

    /** The mean of the rows of each cluster, row-major ({@code clusters × dim}). */
    private static float[] means(float[] rows, int[] cluster, int clusters, int dim, int n) {
        double[] sums = new double[clusters * dim];
        int[] counts = new int[clusters];
        for (int p = 0; p < n; p++) {
            counts[cluster[p]]++;
            for (int d = 0; d < dim; d++) sums[cluster[p] * dim + d] += rows[p * dim + d];
        }
        float[] m = new float[clusters * dim];
        for (int j = 0; j < clusters; j++) for (int d = 0; d < dim; d++) m[j * dim + d] = (float) (sums[j * dim + d] / counts[j]);
        return m;
    }

    private static float[] byDimension(float[] rowMajor, int count, int dim) {
        float[] t = new float[rowMajor.length];
        for (int j = 0; j < count; j++) for (int d = 0; d < dim; d++) t[d * count + j] = rowMajor[j * dim + d];
        return t;
    }

    /** The indices {@code 0 .. keys.length)} sorted by key (a counting sort: stable, keys in {@code [0, buckets)}). */
    private static int[] sortedBy(int[] keys, int buckets) {
        int[] next = new int[buckets + 1];
        for (int key : keys) next[key + 1]++;
        for (int b = 0; b < buckets; b++) next[b + 1] += next[b];
        int[] out = new int[keys.length];
        for (int i = 0; i < keys.length; i++) out[next[keys[i]]++] = i;
        return out;
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }
}
