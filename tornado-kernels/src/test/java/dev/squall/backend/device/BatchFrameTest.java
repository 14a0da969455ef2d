package dev.squall.backend.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.graph.AttentionPolicy;
import dev.squall.graph.Batch;
import org.junit.jupiter.api.Test;

class BatchFrameTest {

    /** Sequence s lives in slot 10 + s and holds 1000 positions. */
    private static void pack(BatchFrame f, Batch b, int from, int to) {
        f.pack(b, from, to, seq -> 10 + seq, seq -> 1000);
    }

    @Test
    void packsEachTokensIdPositionSlotAndRanges() {
        Batch b = Batch.builder().token(0, 5, 77, false).token(1, 2, 88, true)
                .policy(1, AttentionPolicy.sinksAndWindow(1, 1)).build();
        BatchFrame f = new BatchFrame(4, 2);
        pack(f, b, 0, 2);
        int[] d = f.data();
        assertEquals(2, f.tokens());
        assertEquals(1, f.outputs());
        assertEquals(4, d[BatchFrame.CAPACITY]);
        assertEquals(88, d[BatchFrame.tokenAt(4, 1)]);
        assertEquals(2, d[BatchFrame.positionAt(4, 1)]);
        assertEquals(11, d[BatchFrame.slotAt(4, 1)]);
        assertEquals(1, d[BatchFrame.rangeCountAt(4, 0)], "causal: one range");
        assertEquals(6, d[BatchFrame.rangesAt(4, 2, 0) + 1], "position 5 sees [0, 6)");
        assertEquals(2, d[BatchFrame.rangeCountAt(4, 1)], "a sink and a window");
        int r = BatchFrame.rangesAt(4, 2, 1);
        assertEquals(java.util.List.of(0, 1, 2, 3), java.util.List.of(d[r], d[r + 1], d[r + 2], d[r + 3]));
        assertEquals(1, d[BatchFrame.outputRowAt(4, 0)]);
    }

    @Test
    void sectionsDoNotOverlap() {
        int c = 7, r = 3;
        int last = BatchFrame.rangesAt(c, r, c - 1) + 2 * r;
        assertEquals(BatchFrame.size(c, r), last);
        assertTrue(BatchFrame.outputRowAt(c, c - 1) < BatchFrame.rangesAt(c, r, 0));
        assertTrue(BatchFrame.tokenAt(c, 0) >= BatchFrame.MAX_RANGES + 1);
    }

    @Test
    void aChunkRenumbersItsOutputRows() {
        Batch b = Batch.sequence(0, 0, new int[] {1, 2, 3, 4, 5});
        BatchFrame f = new BatchFrame(2, 1);
        pack(f, b, 2, 4);
        assertEquals(0, f.outputs(), "row 4 is outside rows [2, 4)");
        pack(f, b, 4, 5);
        assertEquals(1, f.outputs());
        assertEquals(0, f.data()[BatchFrame.outputRowAt(2, 0)]);
        assertEquals(5, f.data()[BatchFrame.tokenAt(2, 0)]);
    }

    @Test
    void rejectsMoreTokensThanItsCapacity() {
        Batch b = Batch.sequence(0, 0, new int[] {1, 2, 3});
        assertThrows(IllegalArgumentException.class, () -> pack(new BatchFrame(2, 1), b, 0, 3));
    }

    @Test
    void rejectsRangesBeyondTheSequence() {
        Batch b = Batch.sequence(0, 0, new int[] {1, 2});
        BatchFrame f = new BatchFrame(4, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.pack(b, 0, 2, s -> 0, s -> 1));
        assertTrue(e.getMessage().contains("batch token 1"), e.getMessage());
    }

    @Test
    void rejectsPoliciesWithMoreRangesThanTheFrameHolds() {
        Batch b = Batch.builder().token(0, 0, 1, true).policy(0, AttentionPolicy.sinksAndWindow(1, 4)).build();
        assertThrows(IllegalArgumentException.class, () -> pack(new BatchFrame(1, 1), b, 0, 1));
    }
}
