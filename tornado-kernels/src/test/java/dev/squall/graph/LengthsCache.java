package dev.squall.graph;

import java.util.HashMap;
import java.util.Map;

/** A KV cache that only keeps lengths: enough for checking batches without a model. */
public final class LengthsCache implements KvCache {

    private final Map<Integer, Integer> lengths = new HashMap<>();
    private final int capacity;
    private int next;

    public LengthsCache(int capacity) { this.capacity = capacity; }

    /** A cache whose sequences 0 .. count-1 each hold {@code length} cells. */
    public static LengthsCache of(int count, int length, int capacity) {
        LengthsCache c = new LengthsCache(capacity);
        for (int i = 0; i < count; i++) c.lengths.put(c.next++, length);
        return c;
    }

    @Override public int newSequence() { lengths.put(next, 0); return next++; }
    @Override public int fork(int seq) { lengths.put(next, length(seq)); return next++; }
    @Override public void truncate(int seq, int length) { lengths.put(seq, length); }
    @Override public void compact(int seq, int start, int[] cells) { lengths.put(seq, start + cells.length); }
    @Override public void remove(int seq) { lengths.remove(seq); }
    @Override public int length(int seq) { return lengths.get(seq); }
    @Override public int capacity() { return capacity; }
    @Override public int freeCells(int seq) { return capacity - length(seq); }
    @Override public int freeCells() { return Integer.MAX_VALUE; }
    @Override public boolean contains(int seq) { return lengths.containsKey(seq); }
}
