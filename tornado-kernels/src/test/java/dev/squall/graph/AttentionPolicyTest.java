package dev.squall.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AttentionPolicyTest {

    private static int[] ranges(AttentionPolicy p, int q) {
        int[] r = new int[2 * p.maxRanges()];
        return Arrays.copyOf(r, 2 * p.visibleRanges(q, r));
    }

    @Test
    void causalSeesEverythingUpToItself() {
        assertArrayEquals(new int[] {0, 6}, ranges(AttentionPolicy.causal(), 5));
    }

    @Test
    void slidingWindowSeesTheLastPositions() {
        assertArrayEquals(new int[] {3, 6}, ranges(AttentionPolicy.slidingWindow(3), 5));
        assertArrayEquals(new int[] {0, 2}, ranges(AttentionPolicy.slidingWindow(3), 1));
    }

    @Test
    void lambdaSeesSinksAndWindowAndMergesWhenTheyMeet() {
        AttentionPolicy p = AttentionPolicy.sinksAndWindow(2, 3);
        assertArrayEquals(new int[] {0, 2, 8, 11}, ranges(p, 10));
        assertArrayEquals(new int[] {0, 5}, ranges(p, 4));
        assertArrayEquals(new int[] {8, 11}, ranges(AttentionPolicy.sinksAndWindow(0, 3), 10));
    }

    @Test
    void lmInfiniteHasTheLambdaRangesAndCapsDistancesAtTheWindow() {
        AttentionPolicy p = AttentionPolicy.lmInfinite(4, 8);
        assertArrayEquals(new int[] {0, 4, 13, 21}, ranges(p, 20));
        assertArrayEquals(new int[] {0, 4, 5, 13}, ranges(p, 12));
        assertArrayEquals(new int[] {0, 12}, ranges(p, 11), "the window reaches the sinks: one range");
        assertArrayEquals(new int[] {0, 1}, ranges(p, 0));
        for (int q = 0; q < 100; q++) assertArrayEquals(ranges(AttentionPolicy.sinksAndWindow(4, 8), q), ranges(p, q), "query " + q);
        assertEquals(8, p.distanceCap());
        assertEquals(0, AttentionPolicy.sinksAndWindow(4, 8).distanceCap(), "plain Λ keeps true distances");
        assertEquals(0, AttentionPolicy.causal().distanceCap());
        assertEquals(0, AttentionPolicy.slidingWindow(8).distanceCap());
    }

    @Test
    void lmInfiniteRejectsNegativeSinksAndEmptyWindows() {
        assertThrows(IllegalArgumentException.class, () -> AttentionPolicy.lmInfinite(-1, 8));
        assertThrows(IllegalArgumentException.class, () -> AttentionPolicy.lmInfinite(4, 0));
    }
}
