package dev.squall.backend.device;

import dev.squall.graph.KvCache;
import dev.squall.graph.SqueezedIndex;
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
        int fixed;                  // cells [0, fixed) hold a loaded fixed context
        SqueezedIndex index;        // its index, or null (dense)

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

    /**
     * Writes a fixed context's rows into cells {@code [0, rows.length())} of a slot and makes
     * {@code index} (null: dense) the device's squeezed index, on the device.
     */
    @FunctionalInterface
    public interface ContextLoader {
        void load(int slot, KvCache.Rows rows, SqueezedIndex index);
    }

    private final ContextLoader loader;

    public SlotKvCache(int slots, int capacity, SlotCopier copier, CellMover mover) {
        this(slots, capacity, copier, mover, null);
    }

    /** A slot cache whose sequences can load fixed contexts through {@code loader} (null: they cannot). */
    public SlotKvCache(int slots, int capacity, SlotCopier copier, CellMover mover, ContextLoader loader) {
        if (slots < 1) throw new IllegalArgumentException("a slot KV cache needs at least one slot: " + slots);
        if (capacity < 1) throw new IllegalArgumentException("context size must be at least 1: " + capacity);
        this.capacity = capacity;
        this.slotOwner = new int[slots];
        java.util.Arrays.fill(slotOwner, -1);
        this.copier = copier;
        this.mover = mover;
        this.loader = loader;
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
        child.fixed = parent.fixed;
        child.index = parent.index;
        sequences.put(id, child);
        return id;
    }

    @Override public synchronized void truncate(int seq, int length) {
        Sequence s = get(seq);
        if (length < 0 || length > s.length) {
            throw new IllegalArgumentException("cannot truncate sequence " + seq + " of length " + s.length + " to " + length);
        }
        if (length < s.fixed) throw new IllegalArgumentException("cannot truncate sequence " + seq + " to " + length + ": its first " + s.fixed + " cells are a fixed context");
        s.length = length;
    }

    @Override public synchronized void compact(int seq, int start, int[] cells) {
        Sequence s = get(seq);
        KvCache.checkCompaction(seq, s.length, start, cells);
        if (start < s.fixed) throw new IllegalArgumentException("cannot compact sequence " + seq + " from cell " + start + ": its first " + s.fixed + " cells are a fixed context");
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

    @Override public synchronized void load(int seq, KvCache.Rows rows, SqueezedIndex index) {
        Sequence s = get(seq);
        if (loader == null) KvCache.super.load(seq, rows, index);
        if (s.length != 0) throw new IllegalArgumentException("a fixed context loads into an empty sequence; sequence " + seq + " holds " + s.length + " cells");
        if (rows.length() < 1 || rows.length() > capacity) throw new IllegalArgumentException("a fixed context of " + rows.length() + " cells does not fit the context size " + capacity);
        if (index != null && index.length() != rows.length()) throw new IllegalArgumentException("the squeezed index covers " + index.length() + " cells, the context " + rows.length());
        loader.load(s.slot, rows, index);
        s.length = rows.length();
        s.fixed = rows.length();
        s.index = index;
    }

    @Override public synchronized void thresholds(int seq, SqueezedIndex.Thresholds thresholds) {
        Sequence s = get(seq);
        if (s.index == null) throw new IllegalArgumentException("sequence " + seq + " holds no squeezed context");
        s.index = s.index.withThresholds(thresholds);
    }

    @Override public synchronized SqueezedIndex index(int seq) { return get(seq).index; }

    @Override public synchronized int fixedLength(int seq) { return get(seq).fixed; }

    /** Whether a live sequence other than {@code except} reads a squeezed index. */
    public synchronized boolean indexInUse(int except) {
        for (var e : sequences.entrySet()) if (e.getKey() != except && e.getValue().index != null) return true;
        return false;
    }

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
