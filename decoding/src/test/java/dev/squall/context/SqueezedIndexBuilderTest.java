package dev.squall.context;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.graph.SqueezedIndex;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The index's structure: cells are a permutation of positions in cluster order, centroids are their members' mean keys, coarse clusters are runs of fine ones. */
class SqueezedIndexBuilderTest {

    static final int N = 300, KV = 2, HS = 24, LAYERS = 2;

    static float[][] keys(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] k = new float[LAYERS][N * KV * HS];
        for (float[] layer : k) for (int i = 0; i < layer.length; i++) layer[i] = (float) r.nextGaussian() + (i % 3 == 0 ? 2 : 0);
        return k;
    }

    @Test
    void cellsAreAPermutationInClusterOrderAndCentroidsAreMemberMeans() {
        float[][] keys = keys(1);
        SqueezedIndex index = new SqueezedIndexBuilder(0.05, 1, 10, 3, 2).build(keys, N, KV, HS, h -> {});
        assertEquals(N, index.length());
        for (int l = 0; l < LAYERS; l++) {
            for (int h = 0; h < KV; h++) {
                SqueezedIndex.Head head = index.head(l, h);
                assertEquals(15, head.clusters(), "5% of 300 keys");
                boolean[] seen = new boolean[N];
                for (int p : head.order()) {
                    assertTrue(!seen[p], "position " + p + " twice");
                    seen[p] = true;
                }
                int c = head.clusters();
                for (int f = 0; f < c; f++) {
                    for (int d = 0; d < HS; d++) {
                        double mean = 0;
                        for (int cell = head.starts()[f]; cell < head.starts()[f + 1]; cell++) mean += keys[l][head.order()[cell] * KV * HS + h * HS + d];
                        mean /= head.size(f);
                        assertEquals(mean, head.centroids()[d * c + f], 1e-5, "layer " + l + " head " + h + " cluster " + f + " dim " + d);
                    }
                }
            }
        }
    }

    @Test
    void coarseClustersAreRunsOfFineClustersWithTheirKeyCounts() {
        SqueezedIndex index = new SqueezedIndexBuilder(40, 2, 10, 3, 2).build(keys(2), N, KV, HS, h -> {});
        SqueezedIndex.Head head = index.head(1, 1);
        assertTrue(index.hierarchical());
        assertEquals(SqueezedIndexBuilder.coarseClusters(head.clusters()), head.coarseClusters());
        int total = 0;
        for (int k = 0; k < head.coarseClusters(); k++) {
            assertEquals(head.starts()[head.coarseStarts()[k + 1]] - head.starts()[head.coarseStarts()[k]], head.coarseCounts()[k]);
            total += head.coarseCounts()[k];
        }
        assertEquals(N, total);
    }

    @Test
    void theSameSeedBuildsTheSameIndex() {
        SqueezedIndex a = new SqueezedIndexBuilder(0.1, 2, 10, 5, 2).build(keys(3), N, KV, HS, h -> {});
        SqueezedIndex b = new SqueezedIndexBuilder(0.1, 2, 10, 5, 1).build(keys(3), N, KV, HS, h -> {});
        assertArrayEquals(a.head(0, 1).order(), b.head(0, 1).order());
        assertArrayEquals(a.head(0, 1).centroids(), b.head(0, 1).centroids());
    }

    @Test
    void badSettingsNameTheFlag() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SqueezedIndexBuilder(0.05, 3, 10, 1, 1)).getMessage().contains("--levels"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SqueezedIndexBuilder(0, 1, 10, 1, 1)).getMessage().contains("--centroids"));
    }
}
