package dev.squall.backend.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlotKvCacheTest {

    /** The copies a cache asked the device for: from slot, to slot, positions. */
    private final List<int[]> copies = new ArrayList<>();

    /** The moves a cache asked the device for: slot, first target cell, cells moved. */
    private final List<int[]> moves = new ArrayList<>();

    private SlotKvCache cache(int slots) {
        return new SlotKvCache(slots, 100, (from, to, n) -> copies.add(new int[] {from, to, n}), (slot, to, from) -> moves.add(new int[] {slot, to, from.length}));
    }

    private static void fill(SlotKvCache c, int seq, int positions) {
        for (int p = c.length(seq); p < positions; p++) c.prepareWrite(seq, p);
    }

    @Test
    void eachLiveSequenceOwnsItsOwnSlot() {
        SlotKvCache c = cache(3);
        int a = c.newSequence(), b = c.newSequence();
        assertNotEquals(c.slot(a), c.slot(b));
        c.remove(a);
        int d = c.newSequence();
        assertEquals(0, c.slot(d), "a removed sequence's slot is reused");
        assertFalse(c.contains(a));
    }

    @Test
    void forkCopiesTheParentsPositionsOnceIntoAFreeSlot() {
        SlotKvCache c = cache(2);
        int a = c.newSequence();
        fill(c, a, 42);
        int b = c.fork(a);
        assertEquals(42, c.length(b));
        assertEquals(1, copies.size());
        assertEquals(List.of(c.slot(a), c.slot(b), 42), List.of(copies.get(0)[0], copies.get(0)[1], copies.get(0)[2]));
    }

    @Test
    void forkingAnEmptySequenceCopiesNothing() {
        SlotKvCache c = cache(2);
        c.fork(c.newSequence());
        assertTrue(copies.isEmpty());
    }

    @Test
    void truncateIsBookkeepingAndAllowsOverwriting() {
        SlotKvCache c = cache(1);
        int a = c.newSequence();
        fill(c, a, 10);
        c.truncate(a, 4);
        assertEquals(4, c.length(a));
        c.prepareWrite(a, 4);
        assertEquals(5, c.length(a));
        assertThrows(IllegalArgumentException.class, () -> c.truncate(a, 6), "truncation cannot grow a sequence");
    }

    @Test
    void writesMayNotLeaveGapsOrPassTheContext() {
        SlotKvCache c = cache(1);
        int a = c.newSequence();
        assertThrows(IllegalArgumentException.class, () -> c.prepareWrite(a, 1));
        fill(c, a, 100);
        assertThrows(IllegalArgumentException.class, () -> c.prepareWrite(a, 100));
    }

    @Test
    void runningOutOfSlotsIsAClearError() {
        SlotKvCache c = cache(2);
        int a = c.newSequence();
        c.newSequence();
        IllegalStateException e = assertThrows(IllegalStateException.class, c::newSequence);
        assertTrue(e.getMessage().contains("at most 2 sequences"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> c.fork(a));
        c.remove(a);
        c.newSequence();
    }

    @Test
    void aFailedCopyLeavesNoSequenceBehind() {
        SlotKvCache c = new SlotKvCache(2, 100, (from, to, n) -> { throw new IllegalStateException("device lost"); }, (slot, to, from) -> {});
        int a = c.newSequence();
        fill(c, a, 3);
        assertThrows(IllegalStateException.class, () -> c.fork(a));
        c.newSequence();
    }

    @Test
    void compactionMovesOnlyTheCellsThatChangePlaceAndCountsFreeCells() {
        SlotKvCache c = cache(2);
        int a = c.newSequence();
        fill(c, a, 20);
        assertEquals(80, c.freeCells(a));
        assertEquals(180, c.freeCells(), "one free slot and a's rest");
        c.compact(a, 10, new int[] {10, 11, 15});
        assertEquals(13, c.length(a));
        assertEquals(1, moves.size());
        assertEquals(List.of(c.slot(a), 12, 1), List.of(moves.get(0)[0], moves.get(0)[1], moves.get(0)[2]));
        c.compact(a, 10, new int[] {10});
        assertEquals(1, moves.size(), "nothing to move");
        assertEquals(11, c.length(a));
        assertThrows(IllegalArgumentException.class, () -> c.compact(a, 5, new int[] {3}));
    }
}
