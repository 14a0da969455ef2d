package dev.squall.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.graph.SqueezedIndex;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The calibrated thresholds skip the target fraction of keys on the calibration queries themselves. */
class CalibrationTest {

    static final int HEADS = 4, Q = 30;

    static float[][] queries(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] q = new float[SqueezedIndexBuilderTest.LAYERS][Q * HEADS * SqueezedIndexBuilderTest.HS];
        for (float[] l : q) for (int i = 0; i < l.length; i++) l[i] = (float) (2 * r.nextGaussian());
        return q;
    }

    @ParameterizedTest(name = "{0} level(s), sparsity {1}")
    @CsvSource({"1, 0.5", "1, 0.8", "1, 0.9", "2, 0.5", "2, 0.8", "2, 0.9"})
    void thresholdsReachTheTargetOnTheCalibrationQueries(int levels, double sparsity) {
        SqueezedIndex index = new SqueezedIndexBuilder(0.1, levels, 10, 1, 2).build(SqueezedIndexBuilderTest.keys(4), SqueezedIndexBuilderTest.N,
                SqueezedIndexBuilderTest.KV, SqueezedIndexBuilderTest.HS, h -> {});
        float[][] q = queries(5);
        SqueezedIndex.Thresholds t = Calibration.thresholds(index, q, Q, HEADS, sparsity);
        // each cluster's keys fall on one side of the threshold: the sparsity reached overshoots by at most the weight of one bin
        double reached = Calibration.sparsity(index, q, Q, HEADS, t);
        assertTrue(reached >= sparsity - 1e-9 && reached < sparsity + 0.05, "reached " + reached);
        if (levels == 2) assertTrue(t.coarse() > Float.NEGATIVE_INFINITY);
    }

    @Test
    void sparsityZeroIsDense() {
        SqueezedIndex index = new SqueezedIndexBuilder(0.1, 1, 10, 1, 1).build(SqueezedIndexBuilderTest.keys(4), SqueezedIndexBuilderTest.N,
                SqueezedIndexBuilderTest.KV, SqueezedIndexBuilderTest.HS, h -> {});
        assertEquals(SqueezedIndex.Thresholds.DENSE, Calibration.thresholds(index, queries(1), Q, HEADS, 0));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Calibration.thresholds(index, queries(1), Q, HEADS, 1.0)).getMessage().contains("--sparsity"));
    }
}
