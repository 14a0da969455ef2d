package dev.squall.speculative;

import dev.squall.generation.DraftTree;
import dev.squall.generation.Session;
import dev.squall.generation.Verifier;
import dev.squall.graph.Batch;
import dev.squall.heads.Dense;
import dev.squall.heads.DraftHeads;
import dev.squall.heads.HeadTree;

/**
 * Medusa / Hydra decoding: the heads guess from the target's own final hidden state, so there is
 * no second model. Each verifying call also returns the hidden states of its rows; the one where
 * the kept path ended (where the target chose its next token) feeds the heads, whose guesses form
 * the next step's tree ({@link HeadTree}) under that still pending token.
 *
 * <p>Greedy acceptance is {@link Verifier}'s: lossless. {@code typical} swaps in
 * {@link Verifier#typical} (lossy at T > 0, reported as such). The first step after a prompt has
 * no hidden state yet and verifies its pending token alone.
 */
public final class HeadsDecoder extends TreeDecoder {

    private final DraftHeads heads;
    private final HeadTree.Shape shape;
    private final Dense dense;
    private final Double typicalEpsilon, typicalAlpha;
    private float[] hidden;       // the hidden state where the pending token was chosen
    private int hiddenFor = -1;   // the session length it belongs to

    /**
     * Heads drafting trees of {@code shape}; {@code epsilon}/{@code alpha} non-null select typical
     * acceptance (lossy) instead of the lossless rule.
     */
    public HeadsDecoder(DraftHeads heads, HeadTree.Shape shape, Dense dense, Double epsilon, Double alpha) {
        this.heads = heads;
        this.shape = shape;
        this.dense = dense;
        this.typicalEpsilon = epsilon;
        this.typicalAlpha = alpha;
        if (epsilon != null) stats.lossy("typical acceptance ε=" + epsilon + " α=" + alpha);
    }

    @Override public String name() { return heads.kind().label(); }

    /** Whether acceptance is typical (lossy). */
    public boolean lossy() { return typicalEpsilon != null; }

    public HeadTree.Shape shape() { return shape; }

    @Override public DraftTree propose(Session s) {
        if (hidden == null || hiddenFor != s.length() || s.pending() != 1) return new DraftTree();
        return HeadTree.draft(shape, heads, dense, hidden, s.token(s.length() - 1));
    }

    @Override protected void configure(Batch.Builder b) { b.outputs(Batch.Output.LOGITS, Batch.Output.HIDDEN); }

    @Override protected Verifier.Outcome choose(Session s, Session.Evaluation e) {
        Verifier.Outcome o = lossy() ? Verifier.typical(s, e, typicalEpsilon, typicalAlpha) : Verifier.choose(s, e);
        int[] path = o.path();
        hidden = e.hiddenIfComputed(path.length == 0 ? DraftTree.ROOT : path[path.length - 1]);
        hiddenFor = s.length() + path.length + 1;
        return o;
    }
}
