package dev.squall.speculative;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

/**
 * The skip-set search finds, within its budget of observations, a set whose predicted speedup is
 * close to the best of all 2^12 sets, on a synthetic matchness where some sublayers are vital
 * (skipping one costs half the matches) and the others nearly free.
 */
class SkipSetSearchTest {

    static final int BITS = 12;
    static final BitSet VITAL = BitSet.valueOf(new long[] {0b100000100011L});   // sublayers 0, 1, 5, 11

    static double alpha(BitSet s) {
        double a = 0.97;
        for (int i = s.nextSetBit(0); i >= 0; i = s.nextSetBit(i + 1)) a *= VITAL.get(i) ? 0.5 : 0.97;
        return a;
    }

    @Test
    void findsANearOptimalSetWithinItsBudget() {
        double[] weight = new double[BITS];
        Arrays.fill(weight, 1);
        for (long seed = 1; seed <= 5; seed++) {
            SkipSetSearch search = new SkipSetSearch(weight, 2, 8, seed);
            double optimum = 0;
            for (int m = 1; m < (1 << BITS); m++) {
                BitSet s = BitSet.valueOf(new long[] {m});
                optimum = Math.max(optimum, search.speedup(s, alpha(s)));
            }
            while (!search.done()) {
                BitSet next = search.next();
                search.observe(next, alpha(next));
            }
            assertTrue(search.observations() <= SkipSetSearch.MAX_OBSERVATIONS);
            assertTrue(search.bestSpeedup() >= 0.9 * optimum, "seed " + seed + ": found " + search.bestSpeedup() + " (" + search.best()
                    + "), the best set gives " + optimum);
        }
    }

    @Test
    void skippingCostsLessAndPredictsNoSpeedupWithoutMatches() {
        double[] weight = new double[BITS];
        Arrays.fill(weight, 1);
        SkipSetSearch search = new SkipSetSearch(weight, 4, 8, 1);
        BitSet half = new BitSet();
        half.set(0, BITS / 2);
        assertTrue(Math.abs(search.cost(half) - 10.0 / 16) < 1e-12);
        assertTrue(search.speedup(half, 0) < 1, "a draft that never matches is pure cost");
        assertTrue(search.speedup(half, 0.95) > 1);
    }
}
