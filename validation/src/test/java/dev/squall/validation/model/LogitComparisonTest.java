package dev.squall.validation.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The comparison maths of the model-parity cases, on values small enough to compute by hand. */
class LogitComparisonTest {

    private static final float LN3 = (float) Math.log(3);

    @Test
    void logSoftmaxOfOneAndThreeGivesAQuarterAndThreeQuarters() {
        // exp(0) : exp(ln 3) = 1 : 3
        double[] lp = LogitComparison.logSoftmax(new float[] {9f, 0f, LN3}, 1, 2);
        assertArrayEquals(new double[] {Math.log(0.25), Math.log(0.75)}, lp, 1e-7);
    }

    @Test
    void logSoftmaxIsExactForLargeLogits() {
        // a naive exp(1000) overflows; subtracting the max keeps it exact: both log(1/2)
        assertArrayEquals(new double[] {-Math.log(2), -Math.log(2)}, LogitComparison.logSoftmax(new float[] {1000f, 1000f}, 0, 2), 1e-12);
    }

    @Test
    void logProbGapIgnoresAConstantShiftOfTheLogits() {
        // +10 on every logit is the same distribution: gap 0 (up to float rounding of 11, 12, 13)
        float[] a = {1, 2, 3}, b = {11, 12, 13};
        assertEquals(0, LogitComparison.maxLogProbGap(a, b, 1, 3).value(), 1e-6);
    }

    @Test
    void logProbGapNamesTheWorstPositionAndToken() {
        // position 0 equal; position 1: expected (1/2, 1/2), actual (1/4, 3/4):
        // token 0 differs by ln(1/2) − ln(1/4) = ln 2, token 1 by ln(3/4) − ln(1/2) = ln 1.5
        float[] expected = {5, 7, 0, 0}, actual = {5, 7, 0, LN3};
        LogitComparison.LogProbGap g = LogitComparison.maxLogProbGap(expected, actual, 2, 2);
        assertEquals(Math.log(2), g.value(), 1e-7);
        assertEquals(1, g.position());
        assertEquals(0, g.token());
        assertEquals(Math.log(0.5), g.expected(), 1e-7);
        assertEquals(Math.log(0.25), g.actual(), 1e-7);
    }

    @Test
    void logProbGapOfANaNIsNaNAndFailsAnyBound() {
        LogitComparison.LogProbGap g = LogitComparison.maxLogProbGap(new float[] {0, 0}, new float[] {0, Float.NaN}, 1, 2);
        assertTrue(Double.isNaN(g.value()));
        assertFalse(g.value() <= 1e-4);
    }

    @Test
    void nmseIsSquaredErrorOverReferenceEnergyPerPosition() {
        // position 0: (4 − 5)² / (3² + 4²) = 1/25; position 1: (0 − 1)² + (2 − 2)² over 0² + 2² = 1/4
        float[] expected = {3, 4, 0, 2}, actual = {3, 5, 1, 2};
        assertArrayEquals(new double[] {0.04, 0.25}, LogitComparison.nmsePerPosition(expected, actual, 2, 2), 1e-15);
    }

    @Test
    void nmseOfAZeroReferenceIsZeroOnlyWhenBothAreZero() {
        assertEquals(0, LogitComparison.nmse(new float[] {0, 0}, new float[] {0, 0}, 0, 2));
        assertEquals(Double.POSITIVE_INFINITY, LogitComparison.nmse(new float[] {0, 0}, new float[] {0, 1e-30f}, 0, 2));
    }

    @Test
    void maxOfNmsesWithANaNIsNaN() {
        assertEquals(0.25, LogitComparison.max(new double[] {0.04, 0.25}));
        assertTrue(Double.isNaN(LogitComparison.max(new double[] {0.04, Double.NaN, 0.25})));
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertEquals(3, LogitComparison.median(new double[] {5, 1, 3}));
        assertEquals(2.5, LogitComparison.median(new double[] {4, 1, 3, 2}));
    }

    @Test
    void top1TakesTheLowestIdOnTies() {
        float[] logits = {0, 2, 2, 1,   /* position 1 */ 3, 0, 0, 3};
        assertEquals(1, LogitComparison.top1(logits, 0, 4));
        assertEquals(0, LogitComparison.top1(logits, 1, 4));
    }

    @Test
    void top1AgreementCountsPositionsWithTheSameArgmax() {
        float[] expected = {1, 0, 0,   0, 1, 0,   0, 0, 1};
        float[] actual =   {2, 1, 0,   1, 0, 0,   0, 0, 5};   // position 1 picks token 0 instead of 1
        assertEquals(2, LogitComparison.top1Agreement(expected, actual, 3, 3));
    }

    @Test
    void agreeingPrefixStopsAtTheFirstDifference() {
        assertEquals(2, LogitComparison.agreeingPrefix(new int[] {4, 5, 6, 7}, new int[] {4, 5, 9, 7}));
        assertEquals(3, LogitComparison.agreeingPrefix(new int[] {4, 5, 6}, new int[] {4, 5, 6}));
        assertEquals(0, LogitComparison.agreeingPrefix(new int[] {1}, new int[] {2}));
    }
}
