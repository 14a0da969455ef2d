package dev.squall.tokenizer;

import java.util.Arrays;

/**
 * A binary min-heap of candidate merges of adjacent symbols, without boxing. Each entry has an
 * ordering key and three ints of payload (the left and right symbol and a check value the caller
 * uses to tell whether the candidate is still current when popped, as llama.cpp's sessions do).
 *
 * <p>Keys put the merge priority in the high 32 bits and the left symbol's index in the low 32
 * bits, so that equal priorities pop leftmost first, as llama.cpp's comparators order them.
 */
final class PairQueue {
    private long[] keys = new long[16];
    private int[] left = new int[16];
    private int[] right = new int[16];
    private int[] check = new int[16];
    private int size;

    int poppedLeft;
    int poppedRight;
    int poppedCheck;

    /** Key for a priority where smaller pops first (a BPE merge rank). */
    static long ascending(int priority, int leftIndex) {
        return ((long) priority << 32) | leftIndex;
    }

    /** Key for a score where larger pops first (a SentencePiece piece score). */
    static long descending(float score, int leftIndex) {
        int bits = Float.floatToIntBits(score == 0f ? 0f : score);
        int sortable = bits ^ ((bits >> 31) & 0x7FFFFFFF);
        return ((long) ~sortable << 32) | leftIndex;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void clear() {
        size = 0;
    }

    void push(long key, int l, int r, int c) {
        if (size == keys.length) {
            int capacity = size * 2;
            keys = Arrays.copyOf(keys, capacity);
            left = Arrays.copyOf(left, capacity);
            right = Arrays.copyOf(right, capacity);
            check = Arrays.copyOf(check, capacity);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (keys[parent] <= key) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        keys[i] = key;
        left[i] = l;
        right[i] = r;
        check[i] = c;
    }

    /** Removes the smallest entry into {@link #poppedLeft}, {@link #poppedRight}, {@link #poppedCheck}. */
    void pop() {
        poppedLeft = left[0];
        poppedRight = right[0];
        poppedCheck = check[0];
        size--;
        if (size == 0) {
            return;
        }
        long key = keys[size];
        int l = left[size];
        int r = right[size];
        int c = check[size];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && keys[child + 1] < keys[child]) {
                child++;
            }
            if (key <= keys[child]) {
                break;
            }
            move(child, i);
            i = child;
        }
        keys[i] = key;
        left[i] = l;
        right[i] = r;
        check[i] = c;
    }

    private void move(int from, int to) {
        keys[to] = keys[from];
        left[to] = left[from];
        right[to] = right[from];
        check[to] = check[from];
    }
}
