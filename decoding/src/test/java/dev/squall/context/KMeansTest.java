package dev.squall.context;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KMeansTest {

    /** {@code k} tight blobs far apart in {@code dim} dimensions, {@code per} points each, shuffled; {@code truth[i]} the blob of point i. */
    private static float[] blobs(int k, int per, int dim, int[] truth, SplittableRandom r) {
        float[][] centres = new float[k][dim];
        for (float[] c : centres) for (int d = 0; d < dim; d++) c[d] = (float) (20 * r.nextGaussian());
        int n = k * per;
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        float[] pts = new float[n * dim];
        for (int i = 0; i < n; i++) {
            int blob = perm[i] / per;
            truth[i] = blob;
            for (int d = 0; d < dim; d++) pts[i * dim + d] = centres[blob][d] + (float) (0.01 * r.nextGaussian());
        }
        return pts;
    }

    @Test
    void separatedBlobsAreRecoveredExactly() {
        int k = 6, per = 30, dim = 19;
        int[] truth = new int[k * per];
        float[] pts = blobs(k, per, dim, truth, new SplittableRandom(1));
        KMeans.Result r = KMeans.cluster(pts, k * per, dim, k, 20, 42);
        assertEquals(k, r.clusters());
        // the same partition, whatever the numbering
        int[] map = new int[k];
        Arrays.fill(map, -1);
        for (int i = 0; i < truth.length; i++) {
            if (map[truth[i]] < 0) map[truth[i]] = r.assignment()[i];
            assertEquals(map[truth[i]], r.assignment()[i], "point " + i);
        }
    }

    @Test
    void theSameSeedGivesTheSameClusters() {
        int[] truth = new int[200];
        float[] pts = blobs(4, 50, 8, truth, new SplittableRandom(2));
        assertArrayEquals(KMeans.cluster(pts, 200, 8, 10, 10, 7).assignment(), KMeans.cluster(pts, 200, 8, 10, 10, 7).assignment());
    }

    @Test
    void noClusterIsEmptyAndKIsAtMostN() {
        int[] truth = new int[12];
        float[] pts = blobs(3, 4, 5, truth, new SplittableRandom(3));
        KMeans.Result r = KMeans.cluster(pts, 12, 5, 50, 10, 1);
        assertTrue(r.clusters() <= 12);
        int[] sizes = new int[r.clusters()];
        for (int a : r.assignment()) sizes[a]++;
        for (int j = 0; j < sizes.length; j++) assertTrue(sizes[j] > 0, "cluster " + j + " is empty");
    }
}
