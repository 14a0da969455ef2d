package dev.squall.backend.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.graph.AttentionPolicy;
import dev.squall.graph.Batch;
import dev.squall.graph.BatchChecker;
import dev.squall.graph.LengthsCache;
import org.junit.jupiter.api.Test;

class BatchFrameTest {

    private static final BatchChecker.Limits LIMITS = new BatchChecker.Limits(100, 8, 2, 0);

    /** Sequence s lives in slot 10 + s; sequences 0 and 1 hold 1000 cells. */
    private static void pack(BatchFrame f, Batch b, int from, int to) {
        f.pack(b, BatchChecker.check(b, LengthsCache.of(2, 1000, 2000), LIMITS), from, to, seq -> 10 + seq);
    }

    @Test
    void packsEachTokensIdPositionCellSlotAndRanges() {
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
        assertEquals(5, d[BatchFrame.cellAt(4, 0)], "the cell is the position unless given");
    }

    @Test
    void packsACellApartFromThePositionAndTheTokensOwnRanges() {
        Batch b = Batch.builder().token(0, 3, 1003, 9, true, new int[] {0, 3, 1003, 1004}).build();
        BatchFrame f = new BatchFrame(2, 2);
        f.pack(b, BatchChecker.check(b, LengthsCache.of(1, 1003, 2000), LIMITS), 0, 1, seq -> 0);
        int[] d = f.data();
        assertEquals(3, d[BatchFrame.positionAt(2, 0)]);
        assertEquals(1003, d[BatchFrame.cellAt(2, 0)]);
        int r = BatchFrame.rangesAt(2, 2, 0);
        assertEquals(java.util.List.of(0, 3, 1003, 1004), java.util.List.of(d[r], d[r + 1], d[r + 2], d[r + 3]));
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
    void rejectsPoliciesWithMoreRangesThanTheFrameHolds() {
        Batch b = Batch.builder().token(0, 10, 1, true).policy(0, AttentionPolicy.sinksAndWindow(1, 4)).build();
        assertThrows(IllegalArgumentException.class, () -> pack(new BatchFrame(1, 1), b, 0, 1));
    }
}
