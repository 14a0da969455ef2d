package dev.squall.generation;

/**
 * How a generation chooses its tokens: each {@link #step} commits one or more tokens to the
 * session ({@link Session#commit} or {@link Session#accept}) and returns once it committed or
 * the session stopped. Plain sampling is one decoder; the speculative family are others, all
 * over the same session and so the same streaming and stopping rules.
 */
public interface Decoder extends AutoCloseable {

    /** The name used by {@code --speculate} and in reports ({@code plain} for plain sampling). */
    String name();

    /** Commits at least one token to {@code session}, unless it has stopped. */
    void step(Session session);

    /** What the decoder's speculation did so far (all zero for plain sampling). */
    SpeculationStats stats();

    /** Releases what the decoder holds (a draft model's sequence, …). */
    @Override default void close() {}

    /** Plain sampling: one token per forward call, drawn from the sampler's distribution. */
    static Decoder plain() {
        return new Decoder() {
            private final SpeculationStats stats = new SpeculationStats();
            @Override public String name() { return "plain"; }
            @Override public void step(Session s) {
                s.commit(s.sampler().draw(s.distribution()));
                stats.verified(0, 0, 1);
            }
            @Override public SpeculationStats stats() { return stats; }
        };
    }
}
