package dev.squall.speculative;

import dev.squall.generation.Decoder;
import dev.squall.generation.DraftTree;
import dev.squall.generation.Session;
import dev.squall.generation.SpeculationStats;
import dev.squall.generation.Verifier;
import dev.squall.graph.Batch;
import dev.squall.graph.ForwardResult;
import dev.squall.graph.ModelGraph;
import dev.squall.graph.Op;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * SWIFT self-speculative decoding (Xia et al. 2024): the target drafts for itself by skipping
 * some of its attention and MLP sublayers, and verifies the draft with all of them. No second
 * model, no training: the skip set is found on the fly during generation.
 *
 * <p><b>Search.</b> While {@link SkipSetSearch} is not done, every step first scores one candidate
 * set: the last {@value #WINDOW} cached tokens are fed again with the candidate's sublayers skipped
 * ({@link Session#probe}, teacher-forced, one forward call), and its matchness α is the share of
 * those positions where the skipped model's top token equals the full model's (known from the
 * verifications so far, or from one full probe). Random sets first, then Bayesian optimisation;
 * the decoder keeps what it learned across generations.
 *
 * <p><b>Drafting.</b> With the best set found so far (only when it predicts a speedup), up to
 * {@code draftMax} tokens are drafted greedily, one skipped forward each, stopping early once the
 * draft's top probability falls below {@code confidence} (after {@code draftMin} tokens). The
 * target verifies them in one forward call with {@link Verifier}; the guesses are deterministic,
 * so greedy output equals plain greedy output and sampled output follows plain sampling.
 */
public final class Swift implements Decoder {

    public static final double DEFAULT_CONFIDENCE = 0.8;
    public static final int DEFAULT_DRAFT_MAX = 8;
    /** Tokens fed per candidate probe. */
    static final int WINDOW = 16;

    private final int draftMin, draftMax;
    private final double confidence;
    private final long seed;
    private final SpeculationStats stats = new SpeculationStats();
    private SkipSetSearch search;
    private ModelGraph graph;
    private BitSet skip;
    private int probes;
    private long probeNanos;

    /** The full model's top token after the first k tokens of the session being decoded, by k. */
    private final Map<Integer, Integer> fullTop = new HashMap<>();
    private Session last;
    private int lastLength = -1;

    public Swift(int draftMin, int draftMax, double confidence, long seed) {
        if (draftMax < 1) throw new IllegalArgumentException("--draft-max " + draftMax + " is out of range (a positive count)");
        if (draftMin < 0 || draftMin > draftMax) throw new IllegalArgumentException("--draft-min " + draftMin + " is out of range (0 to --draft-max " + draftMax + ")");
        if (!(confidence >= 0 && confidence <= 1)) throw new IllegalArgumentException("--draft-p-min " + confidence + " is out of range [0, 1]");
        this.draftMin = draftMin;
        this.draftMax = draftMax;
        this.confidence = confidence;
        this.seed = seed;
    }

    /** A SWIFT decoder that drafts with {@code skipSet} from the first step and searches nothing (for tests and studies). */
    static Swift fixed(BitSet skipSet, int draftMin, int draftMax, double confidence) {
        Swift s = new Swift(draftMin, draftMax, confidence, 0);
        s.fixedSet = (BitSet) skipSet.clone();
        return s;
    }

    private BitSet fixedSet;

    @Override public String name() { return "swift"; }

    @Override public SpeculationStats stats() { return stats; }

    /** The skip set drafts use now (null: none predicts a speedup yet, steps are plain). */
    public BitSet skipSet() { return skip == null ? null : (BitSet) skip.clone(); }

    /** Whether the search is over. */
    public boolean searched() { return search != null && search.done(); }

    /** What the search found, for the report: the skip set, its matchness and the probes it took. */
    public String summary() {
        if (search == null) return "swift: no step yet";
        BitSet b = search.best();
        String set = b == null ? "none" : describe(b);
        return String.format(Locale.ROOT, "swift: skip %s (matchness %.2f, predicted speedup %.2f; %s after %d probes, %.0f ms)%s", set,
                search.bestAlpha(), search.bestSpeedup(), search.done() ? "search done" : "searching", probes, probeNanos / 1e6,
                slower ? String.format(Locale.ROOT, "; drafting off: measured %.2f ms per token drafting against %.2f ms plain",
                        perToken(0), perToken(1))
                        : skip == null ? "; drafting off: no set predicts a speedup" : "");
    }

    /** "attn 1,3 mlp 4": the layers whose attention and MLP sublayers {@code b} skips. */
    static String describe(BitSet b) {
        StringBuilder attn = new StringBuilder(), mlp = new StringBuilder();
        for (int i = b.nextSetBit(0); i >= 0; i = b.nextSetBit(i + 1)) {
            StringBuilder to = i % 2 == 0 ? attn : mlp;
            if (!to.isEmpty()) to.append(',');
            to.append(i / 2);
        }
        return "attn " + (attn.isEmpty() ? "-" : attn) + " mlp " + (mlp.isEmpty() ? "-" : mlp);
    }

    @Override public void step(Session s) {
        long t0 = System.nanoTime();
        if (fixedSet != null) skip = fixedSet;
        else if (search == null) start(s);
        if (s != last || s.length() != lastLength) fullTop.clear();
        last = s;
        if (fixedSet == null && !search.done()) searchOnce(s);
        int k = Math.min(draftMax, Math.min(s.draftBudget(), s.draftRoom()));
        int[] drafted = new int[Math.max(0, k)];
        int n = 0, forwards = 0;
        if (skip != null && k > 0) {
            Consumer<Batch.Builder> skipping = skipping(skip);
            float[] logits = s.draftForward(new int[0], 0, skipping);
            if (s.pending() > 0) forwards++;
            while (true) {
                drafted[n++] = argmax(logits);
                if (n == k || (n >= draftMin && DraftModel.topProbability(logits) < confidence)) break;
                logits = s.draftForward(Arrays.copyOf(drafted, n), s.pending() + n - 1, skipping);
                forwards++;
            }
        }
        stats.drafting(System.nanoTime() - t0, forwards);
        Session.Evaluation e = s.evaluate(DraftTree.chain(Arrays.copyOf(drafted, n)), null);
        Verifier.Outcome o = Verifier.choose(s, e);
        int prefix = s.length();
        if (e.rootLogits() != null) fullTop.put(prefix, argmax(e.rootLogits()));
        for (int j = 0; j < o.path().length; j++) fullTop.put(prefix + j + 1, argmax(e.logits(o.path()[j])));
        int committed = s.accept(e, o.path(), o.bonus());
        stats.verified(e.tree().size(), Math.min(o.path().length, committed), committed);
        lastLength = s.length();
        if (fixedSet == null && search.done() && !judged) judge(n > 0, System.nanoTime() - t0, committed);
    }

    /**
     * Once the search is over, {@value #JUDGED_STEPS} steps drafting with the skip set found and
     * {@value #JUDGED_STEPS} plain steps are timed; when drafting took longer per committed token,
     * it is turned off for good, since the skip set does not pay on this model and machine.
     */
    private void judge(boolean drafting, long nanos, int committed) {
        int i = drafting ? 0 : 1;
        judgedNanos[i] += nanos;
        judgedTokens[i] += committed;
        if (drafting && ++judgedSteps[0] == JUDGED_STEPS) {
            held = skip;
            skip = null;
        } else if (!drafting && ++judgedSteps[1] >= JUDGED_STEPS && judgedSteps[0] >= JUDGED_STEPS) {
            judged = true;
            slower = perToken(0) > perToken(1);
            skip = slower ? null : held;
        } else if (!drafting && skip == null && held == null && search.best() != null) {
            judged = true;  // no set predicted a speedup: nothing to judge
        }
    }

    private double perToken(int i) { return judgedNanos[i] / 1e6 / Math.max(1, judgedTokens[i]); }

    static final int JUDGED_STEPS = 16;
    private final int[] judgedSteps = new int[2], judgedTokens = new int[2];
    private final long[] judgedNanos = new long[2];
    private BitSet held;
    private boolean judged, slower;

    private void start(Session s) {
        graph = s.plan().graph();
        List<ModelGraph.Layer> layers = graph.layers();
        double[] weight = new double[2 * layers.size()];
        for (ModelGraph.Layer l : layers) {
            weight[2 * l.index()] = parameters(l.attention());
            weight[2 * l.index() + 1] = parameters(l.mlp());
        }
        double inLayers = Arrays.stream(weight).sum();
        // What no skip saves (the output layer, per-call overhead): measured as the time of a forward call skipping
        // every sublayer against one skipping none, on one scratch token; the best of three each.
        BitSet all = new BitSet(weight.length);
        all.set(0, weight.length);
        long none = Long.MAX_VALUE, every = Long.MAX_VALUE;
        int[] scratch = {s.token(s.length() - 1)};
        for (int rep = 0; rep < 3; rep++) {
            long t0 = System.nanoTime();
            s.draftForward(scratch, 0, null);
            long t1 = System.nanoTime();
            s.draftForward(scratch, 0, skipping(all));
            long t2 = System.nanoTime();
            none = Math.min(none, t1 - t0);
            every = Math.min(every, t2 - t1);
        }
        double share = Math.min(0.9, Math.max(0.05, every / (double) none));
        search = new SkipSetSearch(weight, inLayers * share / (1 - share), draftMax, seed);
    }


    private static double parameters(List<Op> ops) {
        double p = 0;
        for (Op op : ops) if (op instanceof Op.Matmul m) p += (double) m.weight().rows() * m.weight().columns();
        return p;
    }

    /** Scores one candidate set on the latest cached tokens (and the full model first where its top tokens are unknown there). */
    private void searchOnce(Session s) {
        int cached = s.cached();
        int from = Math.max(1, cached - WINDOW);
        if (cached - from < WINDOW / 2) return;
        long t0 = System.nanoTime();
        int known = 0;
        for (int k = from + 1; k <= cached; k++) if (fullTop.containsKey(k)) known++;
        if (known < (cached - from) / 2) {
            ForwardResult full = s.probe(from, null);
            if (full == null) return;
            probes++;
            for (int i = 0; i < cached - from; i++) fullTop.put(from + i + 1, argmax(full.logits(i)));
        }
        BitSet candidate = search.next();
        ForwardResult r = s.probe(from, skipping(candidate));
        if (r == null) return;
        probes++;
        int count = 0, matches = 0;
        for (int i = 0; i < cached - from; i++) {
            Integer ref = fullTop.get(from + i + 1);
            if (ref == null) continue;
            count++;
            if (argmax(r.logits(i)) == ref) matches++;
        }
        search.observe(candidate, matches / (double) count);
        skip = search.bestSpeedup() > 1 && !slower ? search.best() : null;
        probeNanos += System.nanoTime() - t0;
    }

    private static Consumer<Batch.Builder> skipping(BitSet set) {
        return b -> {
            for (int i = set.nextSetBit(0); i >= 0; i = set.nextSetBit(i + 1)) {
                if (i % 2 == 0) b.skipAttention(i / 2);
                else b.skipMlp(i / 2);
            }
        };
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }
}
