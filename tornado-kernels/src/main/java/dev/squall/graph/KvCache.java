package dev.squall.graph;

/**
 * The key/value cache of a compiled model, per layer and per sequence, on the backend's device.
 *
 * <p>A sequence holds positions {@code [0, length)}. A forward call writes the keys and values of
 * each token at its position, which must not exceed the sequence's length (no gaps); writing at a
 * position below the length overwrites it (after {@link #truncate}, that is how rejected
 * speculation is replaced). Forks share the parent's positions until either side writes over them.
 */
public interface KvCache {

    /** Creates an empty sequence and returns its id. */
    int newSequence();

    /** Creates a sequence holding the same positions as {@code seq} (shared, copy-on-write). */
    int fork(int seq);

    /** Forgets every position at or after {@code length}. */
    void truncate(int seq, int length);

    /** Releases the sequence and the memory only it used. */
    void remove(int seq);

    /** The number of positions the sequence holds. */
    int length(int seq);

    /** The most positions one sequence may hold (the context size). */
    int capacity();

    /** Whether {@code seq} is a live sequence of this cache. */
    boolean contains(int seq);
}
