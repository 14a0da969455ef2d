package dev.squall.speculative;

import dev.squall.generation.Decoder;
import dev.squall.generation.DraftTree;
import dev.squall.generation.Session;
import dev.squall.generation.SpeculationStats;
import dev.squall.generation.Verifier;
import dev.squall.sampling.Distribution;
import java.util.Arrays;

/**
 * Speculative decoding with a draft model (Leviathan et al. 2023; Chen et al. 2023): a small
 * model of the same vocabulary drafts up to k tokens one by one, the target verifies them in one
 * forward call. Greedy: the target keeps the drafted tokens equal to its own choices (exact).
 * Sampling: token d drawn from the draft's distribution q is kept with probability
 * min(1, p(d)/q(d)), else the target draws from norm(max(0, p − q)), so the output follows p.
 *
 * <p>The draft length adapts between {@code draftMin} and {@code draftMax}: it grows after a step
 * that kept every drafted token and shrinks after one that kept fewer than half; drafting also
 * stops early once the draft's own top probability falls below {@code pMin} (after
 * {@code draftMin} tokens). {@code draftMin = draftMax} and {@code pMin = 0} give a fixed length.
 */
public final class DraftModel implements Decoder {

    private final Session draft;
    private final int draftMin, draftMax;
    private final double pMin;
    private final SpeculationStats stats = new SpeculationStats();
    private int length;

    /** {@code draft} is a session on the draft model's plan, with a sampler of the target's settings (its own seed). */
    public DraftModel(Session draft, int draftMin, int draftMax, double pMin) {
        if (draftMax < 1) throw new IllegalArgumentException("--draft-max " + draftMax + " is out of range (a positive count)");
        if (draftMin < 0 || draftMin > draftMax) throw new IllegalArgumentException("--draft-min " + draftMin + " is out of range (0 to --draft-max " + draftMax + ")");
        if (!(pMin >= 0 && pMin <= 1)) throw new IllegalArgumentException("--draft-p-min " + pMin + " is out of range [0, 1]");
        this.draft = draft;
        this.draftMin = draftMin;
        this.draftMax = draftMax;
        this.pMin = pMin;
        this.length = Math.max(1, (draftMin + draftMax + 1) / 2);
    }

    @Override public String name() { return "draft"; }

    @Override public SpeculationStats stats() { return stats; }

    @Override public void step(Session s) {
        long t0 = System.nanoTime();
        long f0 = draft.forwards();
        sync(s);
        int k = Math.min(length, Math.min(s.draftBudget(), Math.min(s.draftRoom(), draft.draftRoom())));
        int[] drafted = new int[k];
        Distribution[] q = new Distribution[k];
        int n = 0;
        while (n < k) {
            float[] logits = draft.logits();
            q[n] = draft.sampler().distribution(logits);
            int d = draft.sampler().draw(q[n]);
            drafted[n++] = d;
            draft.push(d);
            if (n >= draftMin && pMin > 0 && topProbability(logits) < pMin) break;
        }
        stats.drafting(System.nanoTime() - t0, (int) (draft.forwards() - f0));
        Session.Evaluation e = s.evaluate(DraftTree.chain(Arrays.copyOf(drafted, n)), null);
        Distribution[] qs = q;
        Verifier.Outcome o = Verifier.choose(s, e, node -> qs[node]);
        int committed = s.accept(e, o.path(), o.bonus());
        stats.verified(e.tree().size(), Math.min(o.path().length, committed), committed);
        int kept = o.path().length;
        if (kept == e.tree().size() && n == length) length = Math.min(draftMax, length + 1);
        else if (2 * kept < n) length = Math.max(Math.max(1, draftMin), length - 1);
    }

    /** Brings the draft session to the target's committed tokens, keeping what they share. */
    private void sync(Session s) {
        int[] target = s.tokens(), mine = draft.tokens();
        int common = 0;
        while (common < target.length && common < mine.length && target[common] == mine[common]) common++;
        if (common < mine.length) draft.rollback(common);
        for (int i = common; i < target.length; i++) draft.push(target[i]);
    }

    /** The largest softmax probability of {@code logits} (temperature 1): the draft's confidence. */
    static double topProbability(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double sum = 0;
        for (float l : logits) sum += Math.exp(l - max);
        return 1 / sum;
    }

    @Override public void close() { draft.close(); }
}
