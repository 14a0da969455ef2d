package dev.squall.speculative;

import dev.squall.generation.Decoder;
import dev.squall.generation.DraftTree;
import dev.squall.generation.Session;
import dev.squall.generation.SpeculationStats;
import dev.squall.generation.Verifier;

/**
 * A decoder whose guesses are deterministic (n-gram lookups, Jacobi iterations): each step
 * proposes a {@link DraftTree}, verifies it in one forward call with the pending token, keeps the
 * path {@link Verifier} chooses and commits it with the target's own next token. Lossless: greedy
 * output equals plain greedy output token for token, and sampled output follows plain sampling's
 * distribution.
 */
abstract class TreeDecoder implements Decoder {

    protected final SpeculationStats stats = new SpeculationStats();

    /** The guesses to verify after the session's committed tokens (may be empty). */
    public abstract DraftTree propose(Session s);

    /** Sees what one verification computed and kept (to learn from it). */
    protected void verified(Session s, Session.Evaluation e, Verifier.Outcome o) {}

    @Override public final void step(Session s) {
        long t0 = System.nanoTime();
        DraftTree tree = propose(s).limited(Integer.MAX_VALUE, s.draftBudget());
        stats.drafting(System.nanoTime() - t0, 0);
        Session.Evaluation e = s.evaluate(tree, null);
        Verifier.Outcome o = Verifier.choose(s, e);
        int committed = s.accept(e, o.path(), o.bonus());
        stats.verified(e.tree().size(), Math.min(o.path().length, committed), committed);
        verified(s, e, o);
    }

    @Override public SpeculationStats stats() { return stats; }
}
