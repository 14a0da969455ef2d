package dev.squall.backend.device;

import dev.squall.graph.Batch;
import dev.squall.graph.BatchChecker;
import java.util.function.IntUnaryOperator;

/**
 * The per-call arguments of a device forward pass, packed into one int array that is uploaded once
 * per call (the only host-to-device transfer of a forward pass besides input embeddings): which
 * tokens, at which RoPE positions, in which KV slot and cell, which cells each may attend to, and
 * which rows are outputs.
 *
 * <pre>
 *  index                     holds
 *  TOKENS        (0)         T: tokens in this call
 *  OUTPUTS       (1)         O: output rows in this call
 *  CAPACITY      (2)         C: the most tokens a call may carry (fixes every offset below)
 *  MAX_RANGES    (3)         R: visible ranges per token at most
 *  4 .. HEADER-1             0
 *  HEADER + 0·C + t          token id of token t
 *  HEADER + 1·C + t          its position in its sequence
 *  HEADER + 2·C + t          the KV slot of its sequence
 *  HEADER + 3·C + t          how many visible ranges it has
 *  HEADER + 4·C + o          the batch row of output o
 *  HEADER + 5·C + t          the cache cell token t writes
 *  HEADER + 6·C + t          the fixed context it reads through its squeezed index: N cells, 0 for none
 *  HEADER + 7·C + 2R·t       its visible cell ranges: start0, end0, start1, end1, … (R pairs)
 * </pre>
 * The offset methods use int arithmetic only, so device kernels call them too: the layout is
 * written once, here.
 */
public final class BatchFrame {

    public static final int HEADER = 8;
    public static final int TOKENS = 0, OUTPUTS = 1, CAPACITY = 2, MAX_RANGES = 3;

    private final int capacity, maxRanges;
    private final int[] data;
    private final int[] rangeScratch;

    public BatchFrame(int capacity, int maxRanges) {
        if (capacity < 1 || maxRanges < 1) throw new IllegalArgumentException("frame capacity " + capacity + " and ranges " + maxRanges + " must be positive");
        this.capacity = capacity;
        this.maxRanges = maxRanges;
        this.data = new int[size(capacity, maxRanges)];
        this.rangeScratch = new int[2 * maxRanges];
        data[CAPACITY] = capacity;
        data[MAX_RANGES] = maxRanges;
    }

    /** Ints in a frame of this capacity. */
    public static int size(int capacity, int maxRanges) { return HEADER + 7 * capacity + 2 * maxRanges * capacity; }

    public static int tokenAt(int capacity, int t) { return HEADER + t; }

    public static int positionAt(int capacity, int t) { return HEADER + capacity + t; }

    public static int slotAt(int capacity, int t) { return HEADER + 2 * capacity + t; }

    public static int rangeCountAt(int capacity, int t) { return HEADER + 3 * capacity + t; }

    public static int outputRowAt(int capacity, int o) { return HEADER + 4 * capacity + o; }

    public static int cellAt(int capacity, int t) { return HEADER + 5 * capacity + t; }

    /** Where token t's squeezed fixed-context length is (0: it attends over its ranges as they are). */
    public static int fixedAt(int capacity, int t) { return HEADER + 6 * capacity + t; }

    /** Index of the first range start of token t. */
    public static int rangesAt(int capacity, int maxRanges, int t) { return HEADER + 7 * capacity + 2 * maxRanges * t; }

    public int capacity() { return capacity; }

    public int maxRanges() { return maxRanges; }

    /** The packed ints (the array itself: the backend copies it to the device). */
    public int[] data() { return data; }

    public int tokens() { return data[TOKENS]; }

    public int outputs() { return data[OUTPUTS]; }

    /**
     * Packs batch rows {@code [from, to)}: token ids, positions, cells, the slot of each token's
     * sequence, the visible ranges {@link BatchChecker} resolved for it, and the output rows among
     * them (renumbered from {@code from}). The batch must have been checked; a token with more
     * visible ranges than the frame holds is an error naming it.
     */
    public void pack(Batch b, BatchChecker.Visibility visibility, int from, int to, IntUnaryOperator slotOf) {
        pack(b, visibility, from, to, slotOf, row -> 0);
    }

    /**
     * As {@link #pack(Batch, BatchChecker.Visibility, int, int, IntUnaryOperator)}, with the
     * squeezed fixed-context length {@code fixedOf} gives each batch row (0: none).
     */
    public void pack(Batch b, BatchChecker.Visibility visibility, int from, int to, IntUnaryOperator slotOf, IntUnaryOperator fixedOf) {
        int t = to - from;
        if (t < 1 || t > capacity) throw new IllegalArgumentException("a device call carries 1 to " + capacity + " tokens, not " + t);
        data[TOKENS] = t;
        int outputs = 0;
        for (int i = 0; i < t; i++) {
            int row = from + i;
            data[tokenAt(capacity, i)] = b.token(row);
            data[positionAt(capacity, i)] = b.position(row);
            data[cellAt(capacity, i)] = b.cell(row);
            data[slotAt(capacity, i)] = slotOf.applyAsInt(b.sequence(row));
            data[fixedAt(capacity, i)] = fixedOf.applyAsInt(row);
            int n = visibility.count(row);
            if (n > maxRanges) {
                throw new IllegalArgumentException("batch token " + row + ": " + n + " visible ranges; the device plan supports " + maxRanges);
            }
            n = visibility.copy(row, rangeScratch.length >= 2 * n ? rangeScratch : new int[2 * n]);
            data[rangeCountAt(capacity, i)] = n;
            int at = rangesAt(capacity, maxRanges, i);
            for (int r = 0; r < 2 * maxRanges; r++) data[at + r] = r < 2 * n ? rangeScratch[r] : 0;
        }
        for (int o = 0; o < b.outputCount(); o++) {
            int row = b.outputRow(o);
            if (row >= from && row < to) data[outputRowAt(capacity, outputs++)] = row - from;
        }
        data[OUTPUTS] = outputs;
    }
}
