package dev.squall.backend.device;

import dev.squall.graph.KvCache;
import java.util.HashMap;
import java.util.Map;

/**
 * The bookkeeping of a KV cache held in fixed slots, for devices that keep each layer's keys and
 * values as one array of {@code slots × capacity} positions: a sequence owns one slot for its
 * whole life; {@link #fork} copies the parent's positions into a free slot on the device (through
 * the backend's {@link SlotCopier}); {@link #truncate} and {@link #remove} only change lengths and
 * free slots, the device memory is overwritten by later writes; {@link #compact} moves cells
 * within a slot on the device (through the backend's {@link CellMover}).
 *
 * <p>Unlike the Java backend's paged cache, a fork copies its prefix (once, device to device) and
 * the number of live sequences is bounded by the slots; asking for one more is an error that says
 * so.
 */
public final class SlotKvCache implements KvCache {

    /** Copies positions {@code [0, positions)} of every layer from one slot to another, on the device. */
    @FunctionalInterface
    public interface SlotCopier {
        void copy(int fromSlot, int toSlot, int positions);
    }

    private final int capacity;
    private final int[] slotOwner;   // sequence id per slot, -1 when free
    private final Map<Integer, Sequence> sequences = new HashMap<>();
    private final SlotCopier copier;
    private final CellMover mover;
    private int nextId;

    private static final class Sequence {
        final int slot;
        int length;

        Sequence(int slot) { this.slot = slot; }
    }

    /**
     * Moves cells within one slot in every layer, on the device: the entry at {@code from[i]} goes
     * to {@code to + i}, in order ({@code from} ascending, {@code from[i] ≥ to + i}).
     */
    @FunctionalInterface
    public interface CellMover {
        void move(int slot, int to, int[] from);
    }

    public SlotKvCache(int slots, int capacity, SlotCopier copier, CellMover mover) {
        if (slots < 1) throw new IllegalArgumentException("a slot KV cache needs at least one slot: " + slots);
        if (capacity < 1) throw new IllegalArgumentException("context size must be at least 1: " + capacity);
        this.capacity = capacity;
        this.slotOwner = new int[slots];
        java.util.Arrays.fill(slotOwner, -1);
        this.copier = copier;
        this.mover = mover;
    }

    @Override public synchronized int newSequence() {
        int id = nextId++;
        sequences.put(id, new Sequence(claimSlot(id)));
        return id;
    }

    @Override public synchronized int fork(int seq) {
        Sequence parent = get(seq);
        int id = nextId;
        Sequence child = new Sequence(claimSlot(id));
        nextId++;
        try {
            if (parent.length > 0) copier.copy(parent.slot, child.slot, parent.length);
        } catch (RuntimeException e) {
            slotOwner[child.slot] = -1;
            throw e;
        }
        child.length = parent.length;
        sequences.put(id, child);
        return id;
    }

    @Override public synchronized void truncate(int seq, int length) {
        Sequence s = get(seq);
        if (length < 0 || length > s.length) {
            throw new IllegalArgumentException("cannot truncate sequence " + seq + " of length " + s.length + " to " + length);
        }
        s.length = length;
    }

    @Override public synchronized void compact(int seq, int start, int[] cells) {
        Sequence s = get(seq);
        KvCache.checkCompaction(seq, s.length, start, cells);
        int first = 0;
        while (first < cells.length && cells[first] == start + first) first++;
        if (first < cells.length) mover.move(s.slot, start + first, java.util.Arrays.copyOfRange(cells, first, cells.length));
        s.length = start + cells.length;
    }

    @Override public synchronized int freeCells(int seq) {
        Sequence s = get(seq);
        return capacity - s.length;
    }

    @Override public synchronized int freeCells() {
        long free = 0;
        for (int owner : slotOwner) free += owner < 0 ? capacity : capacity - sequences.get(owner).length;
        return (int) Math.min(Integer.MAX_VALUE, free);
    }

    /** Whether a new sequence (or a fork) can be had now: a slot is free. */
    public synchronized boolean hasFreeSlot() {
        for (int owner : slotOwner) if (owner < 0) return true;
        return false;
    }

    @Override public synchronized void remove(int seq) {
        Sequence s = get(seq);
        slotOwner[s.slot] = -1;
        sequences.remove(seq);
    }

    @Override public synchronized int length(int seq) { return get(seq).length; }

    @Override public int capacity() { return capacity; }

    @Override public synchronized boolean contains(int seq) { return sequences.containsKey(seq); }

    /** The slot that holds {@code seq}'s positions. */
    public synchronized int slot(int seq) { return get(seq).slot; }

    /** How many sequences may be live at once. */
    public int slots() { return slotOwner.length; }

    /**
     * Extends {@code seq} to cover {@code pos} before a forward pass writes it; positions must arrive
     * without gaps and within the context size.
     */
    public synchronized void prepareWrite(int seq, int pos) {
        Sequence s = get(seq);
        if (pos > s.length) throw new IllegalArgumentException("sequence " + seq + " holds " + s.length + " positions; position " + pos + " would leave a gap");
        if (pos >= capacity) throw new IllegalArgumentException("position " + pos + " is beyond the context size " + capacity);
        s.length = Math.max(s.length, pos + 1);
    }

    private int claimSlot(int id) {
        for (int i = 0; i < slotOwner.length; i++) {
            if (slotOwner[i] < 0) {
                slotOwner[i] = id;
                return i;
            }
        }
        throw new IllegalStateException("the device KV cache holds at most " + slotOwner.length + " sequences (each up to "
                + capacity + " positions) and all are in use; remove a sequence before starting or forking another");
    }

    private Sequence get(int seq) {
        Sequence s = sequences.get(seq);
        if (s == null) throw new IllegalArgumentException("no sequence " + seq + " in the KV cache");
        return s;
    }
}
