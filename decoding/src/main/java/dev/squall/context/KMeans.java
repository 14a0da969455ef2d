package dev.squall.context;

import dev.squall.ops.SqueezedSelection;
import java.util.Arrays;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * k-means (Lloyd's algorithm) with k-means++ seeding (Arthur and Vassilvitskii 2007), seeded, on
 * {@code n} points of {@code dim} floats: the clustering behind {@link SqueezedIndexBuilder}.
 *
 * <p>Assignment is to the nearest centre in squared Euclidean distance, computed as
 * {@code argmax_j (x·m_j − |m_j|²/2)} with the centres stored by dimension so that a point's dot
 * products with every centre are vertical multiply-adds. It stops when no point changes cluster or
 * after {@code iterations} rounds. Empty clusters are dropped from the result.
 */
final class KMeans {

    private KMeans() {}

    /** The cluster of each point, numbered {@code 0 .. clusters)} with no empty cluster. */
    record Result(int[] assignment, int clusters, int iterations) {}

    static Result cluster(float[] points, int n, int dim, int k, int iterations, long seed) {
        if (k < 1 || n < 1) throw new IllegalArgumentException("k-means of " + n + " points into " + k + " clusters");
        k = Math.min(k, n);
        float[] centres = seed(points, n, dim, k, new SplittableRandom(seed));   // by dimension: d·k + j
        int[] assignment = new int[n];
        Arrays.fill(assignment, -1);
        float[] dots = new float[k], halfNorms = new float[k];
        int rounds = 0;
        for (; rounds < Math.max(1, iterations); rounds++) {
            for (int j = 0; j < k; j++) {
                double s = 0;
                for (int d = 0; d < dim; d++) s += (double) centres[d * k + j] * centres[d * k + j];
                halfNorms[j] = (float) (s / 2);
            }
            int changed = 0;
            for (int i = 0; i < n; i++) {
                SqueezedSelection.scores(points, i * dim, dim, 1f, centres, k, dots, 0);
                int best = 0;
                float bestScore = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < k; j++) {
                    float score = dots[j] - halfNorms[j];
                    if (score > bestScore) {
                        bestScore = score;
                        best = j;
                    }
                }
                if (assignment[i] != best) changed++;
                assignment[i] = best;
            }
            if (changed == 0) break;
            double[] sums = new double[k * dim];
            int[] counts = new int[k];
            for (int i = 0; i < n; i++) {
                int j = assignment[i];
                counts[j]++;
                for (int d = 0; d < dim; d++) sums[j * dim + d] += points[i * dim + d];
            }
            for (int j = 0; j < k; j++) {
                if (counts[j] == 0) continue;      // keeps its centre; dropped at the end if still empty
                for (int d = 0; d < dim; d++) centres[d * k + j] = (float) (sums[j * dim + d] / counts[j]);
            }
        }
        return compact(assignment, k, rounds);
    }

    /** k-means++: the first centre uniformly, each next one with probability proportional to the squared distance to the nearest centre so far. */
    private static float[] seed(float[] points, int n, int dim, int k, SplittableRandom random) {
        float[] centres = new float[dim * k];
        float[] norms = new float[n];
        for (int i = 0; i < n; i++) norms[i] = dot(points, i * dim, points, i * dim, dim);
        double[] nearest = new double[n];
        Arrays.fill(nearest, Double.POSITIVE_INFINITY);
        int chosen = random.nextInt(n);
        for (int j = 0; j < k; j++) {
            for (int d = 0; d < dim; d++) centres[d * k + j] = points[chosen * dim + d];
            double total = 0;
            for (int i = 0; i < n; i++) {
                double s = Math.max(0, norms[i] + norms[chosen] - 2.0 * dot(points, i * dim, points, chosen * dim, dim));
                nearest[i] = Math.min(nearest[i], s);
                total += nearest[i];
            }
            if (j + 1 == k) break;
            if (total <= 0) {
                chosen = random.nextInt(n);        // every point sits on a centre: any point will do
                continue;
            }
            double r = random.nextDouble() * total;
            chosen = n - 1;
            for (int i = 0; i < n; i++) {
                r -= nearest[i];
                if (r < 0) {
                    chosen = i;
                    break;
                }
            }
        }
        return centres;
    }

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            acc = FloatVector.fromArray(F, a, aOffset + i).fma(FloatVector.fromArray(F, b, bOffset + i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s = Math.fma(a[aOffset + i], b[bOffset + i], s);
        return s;
    }

    private static Result compact(int[] assignment, int k, int rounds) {
        int[] renumber = new int[k];
        Arrays.fill(renumber, -1);
        int clusters = 0;
        for (int a : assignment) if (renumber[a] < 0) renumber[a] = clusters++;
        // keep the numbering in order of first centre index, so that results do not depend on point order beyond the seed
        int[] used = new int[k];
        int u = 0;
        for (int j = 0; j < k; j++) if (renumber[j] >= 0) used[u++] = j;
        for (int i = 0; i < u; i++) renumber[used[i]] = i;
        int[] out = new int[assignment.length];
        for (int i = 0; i < out.length; i++) out[i] = renumber[assignment[i]];
        return new Result(out, clusters, rounds);
    }
}
