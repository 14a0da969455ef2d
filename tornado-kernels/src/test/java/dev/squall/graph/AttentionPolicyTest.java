package dev.squall.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

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
}
