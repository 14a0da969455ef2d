package dev.squall.validation.squeezed;

import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.context.ContextBuilder;
import dev.squall.context.FixedContext;
import dev.squall.context.SqueezedIndexBuilder;
import dev.squall.graph.Batch;
import dev.squall.graph.ForwardResult;
import dev.squall.graph.KvCache;
import dev.squall.graph.ModelGraph;
import dev.squall.graph.Op;
import dev.squall.graph.SqueezedIndex;
import dev.squall.model.Model;
import dev.squall.ops.SqueezedSelection;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Squeezed attention against dense attention on one fixed context and one question (the tokens
 * after it): the logits of every question token with the context attended densely, through the
 * squeezed index at a sparsity, and through a random subset of the context's keys of the same size
 * (the baseline an index must beat); the recall of each query's true top-k context keys.
 *
 * <p>Built once per context (prefill, k-means for one and for two levels); each measurement then
 * loads the context into a fresh sequence of the same plan and feeds the question in one call.
 */
final class SqueezedFidelity implements AutoCloseable {

    static final int TOP_K = 8;

    private final Plan plan;
    private final ModelGraph graph;
    private final ContextBuilder builder;
    private final int[] context, question;
    private final ContextBuilder.Computed computed;
    private final SqueezedIndex[] indexes = new SqueezedIndex[3];     // by levels
    private final float[] denseLogits;
    private final float[][] questionQueries;                          // per layer, question × heads·hs
    private final String qName;
    private boolean recording;
    private final int heads, headSize, kvHeads;

    /** What one configuration gave over the question. */
    record Result(double kl, double top1, double sparsity, double recall, double randomKl) {}

    SqueezedFidelity(Model model, dev.squall.backend.Backend backend, int threads, int[] context, int[] question, double centroids, long seed) {
        this.graph = model.graph();
        this.builder = new ContextBuilder(graph);
        this.context = context.clone();
        this.question = question.clone();
        String name = null;
        int h = 0, hs = 0;
        for (ModelGraph.Layer l : graph.layers()) for (Op op : l.attention()) if (op instanceof Op.Attention a) { name = a.q().name(); h = a.heads(); hs = a.headSize(); }
        this.qName = name;
        this.heads = h;
        this.headSize = hs;
        this.kvHeads = graph.kv().kvHeads();
        this.questionQueries = new float[graph.layers().size()][question.length * h * hs];
        PlanOptions.ActivationObserver calibration = builder.observer();
        PlanOptions.ActivationObserver both = (n, layer, data, rows, width) -> {
            calibration.observe(n, layer, data, rows, width);
            if (recording && layer >= 0 && n.equals(qName)) System.arraycopy(data, 0, questionQueries[layer], 0, rows * width);
        };
        int ctx = context.length + question.length + 8;
        try (Plan java = model.compile(new dev.squall.backend.java.JavaBackend(), new PlanOptions(ctx, threads, null).withObserver(both))) {
            this.computed = builder.compute(java, context, 512, n -> {});
            for (int levels = 1; levels <= 2; levels++) {
                indexes[levels] = new SqueezedIndexBuilder(centroids, levels, 10, seed, threads).build(computed.keys(), context.length, kvHeads, hs, x -> {});
            }
            recording = true;
            feedOn(java, null, null);                      // the question's queries, for the recall
            recording = false;
        }
        int clusters = 0;
        for (int levels = 1; levels <= 2; levels++) {
            for (int l = 0; l < graph.layers().size(); l++) for (int kh = 0; kh < kvHeads; kh++) clusters = Math.max(clusters, indexes[levels].head(l, kh).clusters());
        }
        this.plan = model.compile(backend, new PlanOptions(ctx, threads, null).withSqueezedClusters(clusters));
        this.denseLogits = feed(null, 0, null);
    }

    /** The context's length and the question's. */
    int contextLength() { return context.length; }

    int questionLength() { return question.length; }

    /** The index over the context for one or two levels, thresholds dense. */
    SqueezedIndex index(int levels) { return indexes[levels]; }

    /** The question's logits with squeezed attention of {@code levels} at {@code sparsity}, every row. */
    float[] squeezedLogits(int levels, double sparsity) {
        return feed(builder.context(computed, indexes[levels], sparsity, "-", "-"), levels, null);
    }

    /** The logits of squeezed attention with {@code levels} at {@code sparsity} against dense (and, on the Java backend, a random subset of keys). */
    Result measure(int levels, double sparsity, long seed) {
        FixedContext ctx = builder.context(computed, indexes[levels], sparsity, "-", "-");
        long before = plan.attentionStats().keptCells(), fixed0 = plan.attentionStats().fixedCells();
        float[] squeezed = feed(ctx, levels, null);
        if (!plan.backend().id().equals("java")) return new Result(compare(denseLogits, squeezed)[0], compare(denseLogits, squeezed)[1], Double.NaN, Double.NaN, Double.NaN);
        long kept = plan.attentionStats().keptCells() - before, fixed = plan.attentionStats().fixedCells() - fixed0;
        double measured = 1 - (double) kept / fixed;
        int budget = (int) Math.round((1 - measured) * context.length);
        double[] kl = compare(denseLogits, squeezed);
        double klRandom = Double.NaN;
        if (plan.backend().id().equals("java")) klRandom = compare(denseLogits, feed(null, 0, randomSubset(budget, new SplittableRandom(seed))))[0];
        return new Result(kl[0], kl[1], measured, recall(ctx.index()), klRandom);
    }

    /** NMSE of the squeezed logits at sparsity 0 against dense. */
    double denseNmse(int levels) {
        return nmse(denseLogits, feed(builder.context(computed, indexes[levels], 0, "-", "-"), levels, null));
    }

    /** Σ(got − expected)² / Σ expected². */
    static double nmse(float[] expected, float[] got) {
        double num = 0, den = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = got[i] - expected[i];
            num += d * d;
            den += (double) expected[i] * expected[i];
        }
        return num / den;
    }

    /**
     * The question's logits, all rows: the context loaded from {@code ctx} (squeezed), or densely
     * from the computed rows; with {@code visible} the question sees only those context cells.
     */
    private float[] feed(FixedContext ctx, int levels, int[] visible) { return feedOn(plan, ctx, visible); }

    private float[] feedOn(Plan plan, FixedContext ctx, int[] visible) {
        KvCache cache = plan.cache();
        int seq = cache.newSequence();
        try {
            if (ctx != null) cache.load(seq, ctx.rows(), ctx.index());
            else cache.load(seq, FixedContext.rows(computed.keys(), computed.values(), context.length, kvHeads, headSize, null), null);
            Batch.Builder b = Batch.builder();
            int n = context.length;
            for (int i = 0; i < question.length; i++) {
                int[] ranges = null;
                if (visible != null) {
                    ranges = Arrays.copyOf(visible, visible.length + 2);
                    ranges[visible.length] = n;
                    ranges[visible.length + 1] = n + i + 1;
                }
                b.token(seq, n + i, n + i, question[i], true, ranges);
            }
            ForwardResult r = plan.forward(b.build());
            float[] all = new float[question.length * graph.vocabSize()];
            for (int i = 0; i < question.length; i++) System.arraycopy(r.logits(i), 0, all, i * graph.vocabSize(), graph.vocabSize());
            return all;
        } finally {
            cache.remove(seq);
        }
    }

    /** {@code count} cells of the context chosen uniformly, as ascending ranges. */
    private int[] randomSubset(int count, SplittableRandom random) {
        int n = context.length;
        int[] cells = new int[n];
        for (int i = 0; i < n; i++) cells[i] = i;
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(n - i);
            int t = cells[i];
            cells[i] = cells[j];
            cells[j] = t;
        }
        int[] chosen = Arrays.copyOf(cells, Math.max(1, count));
        Arrays.sort(chosen);
        int[] ranges = new int[2 * chosen.length];
        int r = 0;
        for (int i = 0; i < chosen.length; i++) {
            if (r > 0 && ranges[2 * r - 1] == chosen[i]) ranges[2 * r - 1]++;
            else {
                ranges[2 * r] = chosen[i];
                ranges[2 * r + 1] = chosen[i] + 1;
                r++;
            }
        }
        return Arrays.copyOf(ranges, 2 * r);
    }

    /** Mean KL(dense ‖ other) in nats over the question's rows, and the fraction of rows whose top token agrees. */
    private double[] compare(float[] dense, float[] other) {
        int v = graph.vocabSize(), rows = question.length;
        double kl = 0;
        int agree = 0;
        for (int r = 0; r < rows; r++) {
            double[] p = softmax(dense, r * v, v), q = softmax(other, r * v, v);
            double k = 0;
            for (int i = 0; i < v; i++) if (p[i] > 0) k += p[i] * (Math.log(p[i]) - Math.log(Math.max(q[i], 1e-300)));
            kl += k;
            if (argmax(dense, r * v, v) == argmax(other, r * v, v)) agree++;
        }
        return new double[] {kl / rows, (double) agree / rows};
    }

    /** The fraction of each question query's top-{@value #TOP_K} context keys (exact scores) that the index keeps, over every layer and query head. */
    private double recall(SqueezedIndex index) {
        int n = context.length, width = kvHeads * headSize, group = heads / kvHeads;
        float scale = (float) (1 / Math.sqrt(headSize));
        long hit = 0, total = 0;
        int[] ranges = new int[2 * n];
        boolean[] kept = new boolean[n];
        for (int l = 0; l < graph.layers().size(); l++) {
            for (int h = 0; h < heads; h++) {
                SqueezedIndex.Head head = index.head(l, h / group);
                float[] scratch = new float[SqueezedSelection.scratchFloats(head)];
                for (int t = 0; t < question.length; t++) {
                    int qo = (t * heads + h) * headSize;
                    double[] scores = new double[n];
                    for (int p = 0; p < n; p++) {
                        double s = 0;
                        for (int d = 0; d < headSize; d++) s += (double) questionQueries[l][qo + d] * computed.keys()[l][p * width + (h / group) * headSize + d];
                        scores[p] = s;
                    }
                    Arrays.fill(kept, false);
                    int count = SqueezedSelection.select(questionQueries[l], qo, scale, head, index.thresholds(), scratch, ranges, 0);
                    for (int r = 0; r < count; r++) for (int c = ranges[2 * r]; c < ranges[2 * r + 1]; c++) kept[head.order()[c]] = true;
                    Integer[] byScore = new Integer[n];
                    for (int p = 0; p < n; p++) byScore[p] = p;
                    Arrays.sort(byScore, (a, b) -> Double.compare(scores[b], scores[a]));
                    for (int i = 0; i < Math.min(TOP_K, n); i++) if (kept[byScore[i]]) hit++;
                    total += Math.min(TOP_K, n);
                }
            }
        }
        return (double) hit / total;
    }

    private static double[] softmax(float[] x, int from, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[from + i]);
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) sum += p[i] = Math.exp(x[from + i] - max);
        for (int i = 0; i < n; i++) p[i] /= sum;
        return p;
    }

    private static int argmax(float[] x, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (x[from + i] > x[from + best]) best = i;
        return best;
    }

    @Override public void close() { plan.close(); }
}
