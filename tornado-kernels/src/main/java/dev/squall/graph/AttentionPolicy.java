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
     * The RoPE distance beyond which a key is scored as though it were exactly this far from the
     * query, or 0 for no cap (every policy but {@link #lmInfinite}). A visible cell {@code j} is
     * taken to hold the key of position {@code j} (a sequence's cells in order, as a session
     * writes them): a query at position {@code q} with {@code q - j > cap} scores that key with
     * itself rotated back by {@code q - j - cap}, i.e. as a query at position {@code j + cap}.
     */
    default int distanceCap() { return 0; }

    /**
     * Λ-shaped attention: the first {@code sinks} positions of the sequence plus the last
     * {@code window} positions up to the query.
     */
    static AttentionPolicy sinksAndWindow(int sinks, int window) {
        return new SinksAndWindow(sinks, window, false);
    }

    /**
     * LM-Infinite (Han et al. 2023, "LM-Infinite: Zero-Shot Extreme Length Generalization for
     * Large Language Models", §4): the Λ mask of {@link #sinksAndWindow} plus a cap on the
     * relative distance: a sink key further than {@code window} from the query is scored as though
     * it were {@code window} away ({@link #distanceCap()} = {@code window}). Keys of the window are
     * nearer than {@code window}, so only sink keys are ever capped. With {@code window} at least
     * the sequence's length this is causal attention, bit for bit.
     */
    static AttentionPolicy lmInfinite(int sinks, int window) {
        return new SinksAndWindow(sinks, window, true);
    }

    /** The Λ mask of {@link #sinksAndWindow} and {@link #lmInfinite}; {@code capped} sets the distance cap to the window. */
    record SinksAndWindow(int sinks, int window, boolean capped) implements AttentionPolicy {
        public SinksAndWindow {
            if (sinks < 0 || window < 1) throw new IllegalArgumentException("Λ attention needs sinks ≥ 0 and window ≥ 1: " + sinks + ", " + window);
        }

        @Override public int visibleRanges(int q, int[] r) {
            int windowStart = Math.max(0, q - window + 1);
            if (windowStart <= sinks) {
                r[0] = 0;
                r[1] = q + 1;
                return 1;
            }
            if (sinks == 0) {
                r[0] = windowStart;
                r[1] = q + 1;
                return 1;
            }
            r[0] = 0;
            r[1] = sinks;
            r[2] = windowStart;
            r[3] = q + 1;
            return 2;
        }

        @Override public int maxRanges() { return 2; }

        @Override public int distanceCap() { return capped ? window : 0; }

        @Override public String toString() {
            return capped ? "lm-infinite(sinks " + sinks + ", window " + window + ")" : "sinks(" + sinks + ")+window(" + window + ")";
        }
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
