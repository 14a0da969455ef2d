package dev.squall.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The BPE merge list of a byte-level vocabulary, as ranks over interned symbols: every string that
 * can appear during merging (the 256 byte characters and both sides and the result of every merge)
 * gets a symbol number, so merging compares ints rather than strings.
 *
 * <p>Parsing follows llama.cpp: a merge {@code "a b"} splits at the first space after the first
 * byte; an entry without one becomes the pair ("", ""); when a pair repeats, its first rank wins.
 */
final class MergeTable {
    private static final long EMPTY = -1L;

    private final Map<String, Integer> symbolIds = new HashMap<>();
    private final List<String> symbolTexts = new ArrayList<>();
    private long[] pairKeys;
    private long[] pairValues;

    MergeTable(String[] merges) {
        for (int b = 0; b < 256; b++) {
            intern(String.valueOf(ByteLevel.charOf(b)));
        }
        int capacity = Integer.highestOneBit(Math.max(16, merges.length * 2)) << 1;
        pairKeys = new long[capacity];
        pairValues = new long[capacity];
        java.util.Arrays.fill(pairKeys, EMPTY);
        for (int rank = 0; rank < merges.length; rank++) {
            String merge = merges[rank];
            int space = merge.indexOf(' ', 1);
            String first = space < 0 ? "" : merge.substring(0, space);
            String second = space < 0 ? "" : merge.substring(space + 1);
            int l = intern(first);
            int r = intern(second);
            long key = ((long) l << 32) | r;
            if (find(key) < 0) {
                insert(key, ((long) rank << 32) | intern(first + second));
            }
        }
    }

    /** The symbol of the character that spells byte {@code b}. */
    static int byteSymbol(int b) {
        return b & 0xFF;
    }

    int symbolCount() {
        return symbolTexts.size();
    }

    String symbolText(int symbol) {
        return symbolTexts.get(symbol);
    }

    /**
     * The merge of {@code l} and {@code r}: its rank in the high 32 bits and the resulting symbol in
     * the low 32 bits, or -1 when the list has no such merge.
     */
    long lookup(int l, int r) {
        int slot = find(((long) l << 32) | r);
        return slot < 0 ? -1L : pairValues[slot];
    }

    private int intern(String text) {
        Integer id = symbolIds.get(text);
        if (id != null) {
            return id;
        }
        int next = symbolTexts.size();
        symbolIds.put(text, next);
        symbolTexts.add(text);
        return next;
    }

    private int find(long key) {
        int mask = pairKeys.length - 1;
        int slot = hash(key) & mask;
        while (pairKeys[slot] != EMPTY) {
            if (pairKeys[slot] == key) {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    private void insert(long key, long value) {
        int mask = pairKeys.length - 1;
        int slot = hash(key) & mask;
        while (pairKeys[slot] != EMPTY) {
            slot = (slot + 1) & mask;
        }
        pairKeys[slot] = key;
        pairValues[slot] = value;
    }

    private static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29));
    }
}
