package dev.squall.graph;

/**
 * Which cached keys a query may attend to. A policy is given per sequence in a {@link Batch};
 * causal attention is the default.
 *
 * <p>A policy describes the visible key positions of a query at position {@code q} as ascending,
 * disjoint ranges {@code [start, end)} of the sequence's cache positions. Backends check the
 * ranges against the cache and attend exactly over them.
 */
public interface AttentionPolicy {

    /**
     * Writes the visible ranges for a query at {@code queryPos} into {@code ranges} as pairs
     * (start0, end0, start1, end1, …) and returns how many ranges were written (at most
     * {@link #maxRanges()}).
     */
    int visibleRanges(int queryPos, int[] ranges);

    /** The most ranges {@link #visibleRanges} ever writes. */
    int maxRanges();

    /** Every position up to and including the query's own. */
    static AttentionPolicy causal() { return Causal.INSTANCE; }

    /** The last {@code window} positions up to and including the query's own. */
    static AttentionPolicy slidingWindow(int window) {
        if (window < 1) throw new IllegalArgumentException("attention window must be at least 1: " + window);
        return new AttentionPolicy() {
            @Override public int visibleRanges(int q, int[] r) {
                r[0] = Math.max(0, q - window + 1);
                r[1] = q + 1;
                return 1;
            }
            @Override public int maxRanges() { return 1; }
            @Override public String toString() { return "window(" + window + ")"; }
        };
    }

    /**
     * Λ-shaped attention: the first {@code sinks} positions of the sequence plus the last
     * {@code window} positions up to the query.
     */
    static AttentionPolicy sinksAndWindow(int sinks, int window) {
        if (sinks < 0 || window < 1) throw new IllegalArgumentException("Λ attention needs sinks ≥ 0 and window ≥ 1: " + sinks + ", " + window);
        return new AttentionPolicy() {
            @Override public int visibleRanges(int q, int[] r) {
                int windowStart = Math.max(0, q - window + 1);
                if (windowStart <= sinks) {
                    r[0] = 0;
                    r[1] = q + 1;
                    return 1;
                }
                r[0] = 0;
                r[1] = sinks;
                r[2] = windowStart;
                r[3] = q + 1;
                return sinks == 0 ? shiftFirst(r) : 2;
            }
            private int shiftFirst(int[] r) {
                r[0] = r[2];
                r[1] = r[3];
                return 1;
            }
            @Override public int maxRanges() { return 2; }
            @Override public String toString() { return "sinks(" + sinks + ")+window(" + window + ")"; }
        };
    }

    /** The default policy. */
    final class Causal implements AttentionPolicy {
        static final Causal INSTANCE = new Causal();

        private Causal() {}

        @Override public int visibleRanges(int q, int[] r) {
            r[0] = 0;
            r[1] = q + 1;
            return 1;
        }

        @Override public int maxRanges() { return 1; }

        @Override public String toString() { return "causal"; }
    }
}
