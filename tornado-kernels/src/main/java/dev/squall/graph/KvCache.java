package dev.squall.graph;

/**
 * The key/value cache of a compiled model, per layer and per sequence, on the backend's device.
 *
 * <p>A sequence holds cells {@code [0, length)}. A forward call writes the key and value of each
 * token into its cell, which must not exceed the sequence's length (no gaps); writing a cell below
 * the length overwrites it (after {@link #truncate}, that is how rejected speculation is
 * replaced). Forks share the parent's cells until either side writes over them.
 */
public interface KvCache {

    /** Creates an empty sequence and returns its id. */
    int newSequence();

    /** Creates a sequence holding the same cells as {@code seq} (shared, copy-on-write where the backend can). */
    int fork(int seq);

    /** Forgets every cell at or after {@code length}. */
    void truncate(int seq, int length);

    /**
     * Keeps the entries of {@code cells} (ascending, each at least {@code start + i}) as cells
     * {@code start, start + 1, …} of {@code seq}, in every layer, and truncates the sequence to
     * {@code start + cells.length}: the accepted path of a candidate tree moved behind its prefix.
     */
    void compact(int seq, int start, int[] cells);

    /** Releases the sequence and the memory only it used. */
    void remove(int seq);

    /** The number of cells the sequence holds. */
    int length(int seq);

    /** The most cells one sequence may hold (the context size). */
    int capacity();

    /** How many more cells {@code seq} can take: the context size and the cache's free memory both bound it. */
    int freeCells(int seq);

    /** Cells no sequence holds yet, over the whole cache. */
    int freeCells();

    /** Whether {@code seq} is a live sequence of this cache. */
    boolean contains(int seq);

    /**
     * The cells of a fixed context to load into a sequence: per layer and cell, the key and value
     * rows ({@code kvWidth} floats each) as the cache should hold them (for a squeezed context,
     * each head's part in its index's cell order).
     */
    interface Rows {
        int length();

        void read(int layer, int cell, float[] key, float[] value);
    }

    /**
     * Writes {@code rows} into cells {@code [0, rows.length())} of the empty sequence {@code seq} and
     * attaches {@code index} (null: a dense fixed context) to them: from then on a query of the
     * sequence that sees the whole fixed context reads only the keys the index selects for it, and
     * the fixed cells can no longer be truncated, compacted or overwritten. Forks inherit both.
     */
    default void load(int seq, Rows rows, SqueezedIndex index) {
        throw new UnsupportedOperationException("this backend's KV cache cannot load a fixed context (Squeezed Attention needs --device java)");
    }

    /** Reads the key and value rows of {@code cell} in {@code layer} ({@code kvWidth} floats each, widened if stored as halves). */
    default void read(int layer, int seq, int cell, float[] key, float[] value) {
        throw new UnsupportedOperationException("this backend's KV cache cannot be read back");
    }

    /** Replaces the selection thresholds of the index attached to {@code seq} ({@code --sparsity} at run time). */
    default void thresholds(int seq, SqueezedIndex.Thresholds thresholds) {
        throw new IllegalArgumentException("sequence " + seq + " holds no squeezed context");
    }

    /** The squeezed index attached to {@code seq}, or null. */
    default SqueezedIndex index(int seq) { return null; }

    /** Cells at the start of {@code seq} that hold a fixed context (0: none). */
    default int fixedLength(int seq) { return 0; }

    /** Checks the arguments of {@link #compact}, naming the one at fault. */
    static void checkCompaction(int seq, int length, int start, int[] cells) {
        if (start < 0 || start > length) {
            throw new IllegalArgumentException("cannot compact sequence " + seq + " of length " + length + " from cell " + start);
        }
        for (int i = 0; i < cells.length; i++) {
            if (cells[i] < start + i || cells[i] >= length || (i > 0 && cells[i] <= cells[i - 1])) {
                throw new IllegalArgumentException("cannot compact sequence " + seq + " of length " + length + ": cell " + cells[i]
                        + " cannot become cell " + (start + i) + " (cells must ascend, lie below the length and not move up)");
            }
        }
    }
}
