package dev.squall.speculative;

import dev.squall.generation.Decoder;
import dev.squall.generation.DraftTree;
import dev.squall.generation.Session;
import dev.squall.generation.SpeculationStats;
import dev.squall.generation.Verifier;
import dev.squall.graph.Batch;

/**
 * A decoder whose guesses are deterministic (n-gram lookups, Jacobi iterations): each step
 * proposes a {@link DraftTree}, verifies it in one forward call with the pending token, keeps the
 * path {@link Verifier} chooses and commits it with the target's own next token. Lossless: greedy
 * output equals plain greedy output token for token, and sampled output follows plain sampling's
 * distribution.
 */
public abstract class TreeDecoder implements Decoder {

    protected final SpeculationStats stats = new SpeculationStats();

    /** The guesses to verify after the session's committed tokens (may be empty). */
    public abstract DraftTree propose(Session s);

    /** Sees what one verification computed and kept (to learn from it). */
    protected void verified(Session s, Session.Evaluation e, Verifier.Outcome o) {}

    /** Adds what the verifying forward call must compute besides logits (e.g. hidden states). */
    protected void configure(Batch.Builder b) {}

    /** The path to keep and the token after it: {@link Verifier}'s lossless rule unless a decoder says otherwise. */
    protected Verifier.Outcome choose(Session s, Session.Evaluation e) { return Verifier.choose(s, e); }

    @Override public final void step(Session s) {
        complete(s, s.evaluate(draft(s, s.draftBudget()), this::configure));
    }

    /** The guesses to verify next, at most {@code maxNodes} of them (the drafting time is counted). */
    public final DraftTree draft(Session s, int maxNodes) {
        long t0 = System.nanoTime();
        DraftTree tree = propose(s).limited(Integer.MAX_VALUE, maxNodes);
        stats.drafting(System.nanoTime() - t0, 0);
        return tree;
    }

    /**
     * Keeps the path of a verified {@link #draft} that {@link Verifier} chooses and commits it with
     * the target's next token (as {@link #step} does, for a tree computed in a batch shared with
     * other sequences). Returns how many tokens were committed.
     */
    public final int complete(Session s, Session.Evaluation e) {
        Verifier.Outcome o = choose(s, e);
        int committed = s.accept(e, o.path(), o.bonus());
        stats.verified(e.tree().size(), Math.min(o.path().length, committed), committed);
        verified(s, e, o);
        return committed;
    }

    @Override public SpeculationStats stats() { return stats; }
}
