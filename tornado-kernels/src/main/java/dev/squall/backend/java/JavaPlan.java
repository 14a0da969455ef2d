package dev.squall.backend.java;

import dev.squall.backend.Backend;
import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.backend.Activations;
import dev.squall.backend.AttentionStats;
import dev.squall.cpu.PackedQ8;
import dev.squall.cpu.Q8Activations;
import dev.squall.cpu.RowKernel;
import dev.squall.cpu.RowKernels;
import dev.squall.graph.Act;
import dev.squall.graph.Batch;
import dev.squall.graph.BatchChecker;
import dev.squall.graph.ForwardResult;
import dev.squall.graph.KvCache;
import dev.squall.graph.ModelGraph;
import dev.squall.graph.Op;
import dev.squall.graph.RopeSpec;
import dev.squall.graph.SqueezedIndex;
import dev.squall.ops.Add;
import dev.squall.ops.Attention;
import dev.squall.ops.Matmul;
import dev.squall.ops.RmsNorm;
import dev.squall.ops.Rope;
import dev.squall.ops.SqueezedSelection;
import dev.squall.ops.SwiGlu;
import dev.squall.tensor.WeightTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model graph compiled for the Java backend: each operator becomes a {@link Step} bound to its
 * kernel (chosen once per weight format), its activation buffers and its thread pool.
 *
 * <pre>
 *  forward(batch): check batch (BatchChecker, cache room) ─▶ reserve KV cells ─▶ RoPE tables per token
 *                  ─▶ prologue ─▶ per layer: attention, MLP (minus skipped) ─▶ epilogue on output rows ─▶ result
 * </pre>
 * Activation buffers hold {@code capacity × width} floats and grow with the largest batch seen.
 */
final class JavaPlan implements Plan {

    private final JavaBackend backend;
    private final ModelGraph graph;
    private final PlanOptions options;
    private final WorkerPool pool;
    private final JavaKvCache cache;
    private final Map<Act, Integer> slots = new HashMap<>();
    private final List<Act> acts = new ArrayList<>();
    private float[][] buffers = new float[0][];
    private int tokenCapacity, outputCapacity;
    private final List<Step> prologue, epilogue;
    private final List<List<Step>> attentionSublayers = new ArrayList<>(), mlpSublayers = new ArrayList<>();
    private final BatchChecker.Limits limits;
    private final List<RopeSpec> ropeSpecs = new ArrayList<>();
    private final Map<RopeSpec, Integer> ropeIndex = new IdentityHashMap<>();
    private final float[][] matmulScratch;
    private final float[][] scoreScratch;
    /** The input of the matmul step being run, rounded for the int8 path ({@code --activations q8}), by kind; steps run one at a time. */
    /**
     * Weights copied into the int8 path's layout ({@link PackedQ8}), once per tensor of the plan;
     * a format without one maps to null.
     */
    private final Map<WeightTensor, PackedQ8> packs = new IdentityHashMap<>();

    private final Map<Q8Activations.Kind, Q8Activations> q8Inputs = Map.of(
            Q8Activations.Kind.Q8_0, new Q8Activations(Q8Activations.Kind.Q8_0), Q8Activations.Kind.Q8_K, new Q8Activations(Q8Activations.Kind.Q8_K));
    private final StepProfile profile = StepProfile.enabled() ? new StepProfile() : null;

    /** What a step sees of the batch being computed. */
    private static final class Frame {
        Batch batch;
        BatchChecker.Visibility visibility;
        int tokens, outputs;
        Rope.Table[][] ropeTables = new Rope.Table[0][];  // [spec][token]
    }

    private final Frame frame = new Frame();

    /** One operator bound to its kernel and buffers. */
    private interface Step {
        void run(Frame f);
        /** The activations the step writes (one, or several for a fused matmul group). */
        List<Act> outputs();
        int layer();
    }

    JavaPlan(JavaBackend backend, ModelGraph graph, PlanOptions options) {
        this.backend = backend;
        this.graph = graph;
        this.options = options;
        this.pool = new WorkerPool(options.threads());
        this.squeeze = new Squeeze();
        this.cache = new JavaKvCache(graph.kv(), options.contextSize(), options.totalCacheCells(), options.cacheTypeK(), options.cacheTypeV());
        this.limits = BatchChecker.limits(graph, 0);
        this.prologue = compile(graph.prologue(), -1);
        for (ModelGraph.Layer layer : graph.layers()) {
            attentionSublayers.add(compile(layer.attention(), layer.index()));
            mlpSublayers.add(compile(layer.mlp(), layer.index()));
        }
        this.epilogue = compile(graph.epilogue(), -1);
        int scratch = 0;
        for (Op op : allOps()) if (op instanceof Op.Matmul m) scratch = Math.max(scratch, Matmul.scratchFloats(m.weight()));
        matmulScratch = new float[options.threads()][scratch];
        scoreScratch = new float[options.threads()][options.contextSize()];
        ensureCapacity(1, 1);
    }

    private List<Op> allOps() {
        List<Op> all = new ArrayList<>(graph.prologue());
        for (ModelGraph.Layer l : graph.layers()) all.addAll(l.ops());
        all.addAll(graph.epilogue());
        return all;
    }

    @Override public ModelGraph graph() { return graph; }

    @Override public KvCache cache() { return cache; }

    @Override public Backend backend() { return backend; }

    @Override public void close() {
        if (profile != null) profile.print(System.err, pool.threads());
        pool.close();
    }

    // ---------------------------------------------------------------- forward

    @Override public synchronized ForwardResult forward(Batch batch) {
        if (profile == null || batch.size() != 1) return compute(batch);
        long t0 = System.nanoTime(), regions = pool.regions(), wait = pool.waitNanos();
        ForwardResult result = compute(batch);
        profile.call(System.nanoTime() - t0, pool.regions() - regions, pool.waitNanos() - wait);
        return result;
    }

    private ForwardResult compute(Batch batch) {
        BatchChecker.Visibility visibility = BatchChecker.check(batch, cache, limits);
        checkRoom(batch);
        for (int i = 0; i < batch.size(); i++) cache.prepareWrite(batch.sequence(i), batch.cell(i));
        Frame f = frame;
        f.batch = batch;
        f.visibility = visibility;
        f.tokens = batch.size();
        f.outputs = batch.outputCount();
        ensureCapacity(f.tokens, f.outputs);
        fillRopeTables(f);
        runAll(prologue, f);
        for (int l = 0; l < attentionSublayers.size(); l++) {
            if (!batch.skipsAttention(l)) runAll(attentionSublayers.get(l), f);
            if (!batch.skipsMlp(l)) runAll(mlpSublayers.get(l), f);
        }
        boolean logits = batch.wants(Batch.Output.LOGITS);
        if (f.outputs > 0) {
            for (Step s : epilogue) {
                if (!logits && s.outputs().contains(graph.logits())) continue;
                run(s, f);
            }
        }
        float[] logitRows = logits ? Arrays.copyOf(buffer(graph.logits()), f.outputs * graph.vocabSize()) : null;
        float[] hidden = batch.wants(Batch.Output.HIDDEN) ? Arrays.copyOf(buffer(graph.hidden()), f.outputs * graph.hidden().width()) : null;
        f.batch = null;
        f.visibility = null;
        return new ForwardResult(batch.outputRows(), logitRows, graph.vocabSize(), hidden, graph.hidden().width());
    }

    private void runAll(List<Step> steps, Frame f) {
        for (Step s : steps) run(s, f);
    }

    private void run(Step s, Frame f) {
        if (profile != null && f.tokens == 1) {
            long t0 = System.nanoTime();
            s.run(f);
            profile.step(s.outputs(), System.nanoTime() - t0);
        } else {
            s.run(f);
        }
        if (options.observer() != null) {
            for (Act out : s.outputs()) {
                int rows = out.rows() == Act.Rows.TOKENS ? f.tokens : f.outputs;
                options.observer().observe(out.name(), s.layer(), buffer(out), rows, out.width());
            }
        }
    }

    /** The cache must have room for the batch's new cells before any is reserved. */
    private void checkRoom(Batch b) {
        int n = b.size();
        int[] seqs = new int[n], cells = new int[n];
        for (int i = 0; i < n; i++) {
            seqs[i] = b.sequence(i);
            cells[i] = b.cell(i);
        }
        cache.checkRoom(seqs, cells, n);
    }

    private void fillRopeTables(Frame f) {
        if (f.ropeTables.length < ropeSpecs.size()) f.ropeTables = new Rope.Table[ropeSpecs.size()][];
        for (int s = 0; s < ropeSpecs.size(); s++) {
            RopeSpec spec = ropeSpecs.get(s);
            Rope.Table[] tables = f.ropeTables[s];
            if (tables == null || tables.length < f.tokens) {
                tables = new Rope.Table[Math.max(f.tokens, tables == null ? 0 : tables.length * 2)];
                for (int t = 0; t < tables.length; t++) tables[t] = new Rope.Table(spec.dims());
                f.ropeTables[s] = tables;
            }
            for (int t = 0; t < f.tokens; t++) tables[t].fill(spec, f.batch.position(t));
        }
    }

    // ---------------------------------------------------------------- buffers

    private int slot(Act a) {
        return slots.computeIfAbsent(a, x -> {
            acts.add(x);
            return acts.size() - 1;
        });
    }

    private float[] buffer(Act a) { return buffers[slots.get(a)]; }

    private void ensureCapacity(int tokens, int outputs) {
        if (tokens <= tokenCapacity && outputs <= outputCapacity && buffers.length == acts.size()) return;
        tokenCapacity = Math.max(tokens, tokenCapacity);
        outputCapacity = Math.max(outputs, outputCapacity);
        buffers = new float[acts.size()][];
        for (int i = 0; i < acts.size(); i++) {
            Act a = acts.get(i);
            int rows = a.rows() == Act.Rows.TOKENS ? tokenCapacity : outputCapacity;
            buffers[i] = new float[rows * a.width()];
        }
    }

    private int rows(Act a, Frame f) { return a.rows() == Act.Rows.TOKENS ? f.tokens : f.outputs; }

    // ---------------------------------------------------------------- compile

    /**
     * Compiles a list of operators; consecutive matmuls that read the same activation (Q, K and V;
     * the FFN's gate and up) become one step, so their rows share one parallel region.
     */
    private List<Step> compile(List<Op> ops, int layer) {
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i) instanceof Op.Matmul first) {
                List<Op.Matmul> group = new ArrayList<>(List.of(first));
                while (i + 1 < ops.size() && ops.get(i + 1) instanceof Op.Matmul next && next.in().equals(first.in())
                        && group.stream().noneMatch(m -> m.out().equals(next.in()))) {
                    group.add(next);
                    i++;
                }
                steps.add(matmuls(group, layer));
            } else {
                steps.add(compile(ops.get(i), layer));
            }
        }
        return steps;
    }

    private Step compile(Op op, int layer) {
        return switch (op) {
            case Op.Embed e -> embed(e);
            case Op.RmsNorm n -> rmsNorm(n, layer);
            case Op.Matmul m -> matmuls(List.of(m), layer);
            case Op.Rope r -> rope(r, layer);
            case Op.Attention a -> attention(a);
            case Op.Add a -> add(a, layer);
            case Op.SwiGlu s -> swiGlu(s, layer);
            case Op.GatherOutputs g -> gather(g);
        };
    }

    private record Bound(Act output, int layer, java.util.function.Consumer<Frame> body) implements Step {
        @Override public void run(Frame f) { body.accept(f); }
        @Override public List<Act> outputs() { return List.of(output); }
    }

    private Step embed(Op.Embed e) {
        int out = slot(e.out());
        WeightTensor table = e.table();
        RowKernel kernel = RowKernels.forFormat(table.format());
        int width = e.out().width();
        if (table.columns() != width) throw new IllegalArgumentException("embedding table " + table.name() + " has rows of " + table.columns() + ", activation " + e.out().name() + " is " + width + " wide");
        return new Bound(e.out(), -1, f -> {
            float[] o = buffers[out];
            float[] given = f.batch.embeddings();
            for (int t = 0; t < f.tokens; t++) {
                if (given != null) System.arraycopy(given, t * width, o, t * width, width);
                else kernel.decode(table.data(), table.rowOffset(f.batch.token(t)), o, t * width, width);
            }
        });
    }

    private Step rmsNorm(Op.RmsNorm n, int layer) {
        int in = slot(n.in()), out = slot(n.out());
        float[] w = vector(n.weight(), n.groupSize());
        int width = n.in().width(), group = n.groupSize();
        float eps = n.eps();
        return new Bound(n.out(), layer, f -> {
            float[] x = buffers[in], o = buffers[out];
            int rows = rows(n.in(), f);
            parallelRows(rows, width, (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    for (int g = 0; g < width; g += group) RmsNorm.cpu(x, r * width + g, group, w, eps, o, r * width + g);
                }
            });
        });
    }

    /** One or more matmuls over the same input, their row chunks claimed from one parallel region. */
    private Step matmuls(List<Op.Matmul> group, int layer) {
        int n = group.size();
        int[] in = new int[n], out = new int[n];
        WeightTensor[] w = new WeightTensor[n];
        RowKernel[] kernels = new RowKernel[n];
        float[][] bias = new float[n][];
        for (int i = 0; i < n; i++) {
            Op.Matmul m = group.get(i);
            w[i] = m.weight();
            if (w[i].columns() != m.in().width() || w[i].rows() != m.out().width()) {
                throw new IllegalArgumentException("matmul " + w[i] + ": input " + m.in().name() + " is " + m.in().width()
                        + " wide and output " + m.out().name() + " " + m.out().width() + "; the weight needs " + w[i].columns() + " → " + w[i].rows());
            }
            in[i] = slot(m.in());
            out[i] = slot(m.out());
            kernels[i] = RowKernels.forFormat(w[i].format());
            bias[i] = m.bias() == null ? null : vector(m.bias(), w[i].rows());
        }
        Act input = group.get(0).in();
        List<Act> outputs = group.stream().map(Op.Matmul::out).toList();
        // per weight, the rounded input its int8 path reads (null: float activations); each kind rounded once per step
        Q8Activations[] x8 = new Q8Activations[n];
        PackedQ8[] packed = new PackedQ8[n];
        java.util.Set<Q8Activations> rounded = new java.util.LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            if (options.activations() == Activations.Q8 && kernels[i].dotsQ8()) {
                x8[i] = q8Inputs.get(kernels[i].q8Kind());
                rounded.add(x8[i]);
                packed[i] = packs.computeIfAbsent(w[i], kernels[i]::packQ8);
            }
        }
        Q8Activations[] toRound = rounded.toArray(new Q8Activations[0]);
        return new Step() {
            @Override public void run(Frame f) {
                int tokens = rows(input, f);
                for (Q8Activations a : toRound) a.quantize(buffers[in[0]], tokens, input.width());
                ParallelMatmul.run(pool, w, kernels, buffers[in[0]], tokens, buffers, out, bias, matmulScratch,
                        toRound.length == 0 ? null : x8, toRound.length == 0 ? null : packed);
            }
            @Override public List<Act> outputs() { return outputs; }
            @Override public int layer() { return layer; }
        };
    }

    private Step rope(Op.Rope r, int layer) {
        int x = slot(r.x());
        int spec = ropeIndex.computeIfAbsent(r.spec(), s -> {
            ropeSpecs.add(s);
            return ropeSpecs.size() - 1;
        });
        int width = r.x().width();
        return new Bound(r.x(), layer, f -> {
            float[] buf = buffers[x];
            Rope.Table[] tables = f.ropeTables[spec];
            for (int t = 0; t < f.tokens; t++) Rope.cpu(buf, t * width, r.heads(), r.headSize(), r.spec(), tables[t]);
        });
    }

    /**
     * Stores the batch's keys and values, then attends each token and query head over its visible
     * ranges. A token of a sequence with a squeezed fixed context that sees all of it reads only
     * the fixed cells its query selects ({@link SqueezedSelection}, per query head), then the rest
     * of its ranges: one softmax over both parts, which is the log-sum-exp merge of the two.
     */
    private Step attention(Op.Attention a) {
        int q = slot(a.q()), k = slot(a.k()), v = slot(a.v()), out = slot(a.out());
        int heads = a.heads(), kvHeads = a.kvHeads(), hs = a.headSize(), layer = a.layer();
        int group = heads / kvHeads;
        if (heads % kvHeads != 0) throw new IllegalArgumentException("layer " + layer + ": " + heads + " query heads do not divide into " + kvHeads + " KV heads");
        int kvWidth = kvHeads * hs, qWidth = heads * hs;
        float scale = (float) (1.0 / Math.sqrt(hs));
        return new Bound(a.out(), layer, f -> {
            long start = System.nanoTime();
            float[] qb = buffers[q], kb = buffers[k], vb = buffers[v], ob = buffers[out];
            Batch b = f.batch;
            for (int t = 0; t < f.tokens; t++) cache.write(layer, b.sequence(t), b.cell(t), kb, t * kvWidth, vb, t * kvWidth);
            BatchChecker.Visibility vis = f.visibility;
            Attention.KvPages[] views = new Attention.KvPages[f.tokens];
            SqueezedIndex[] squeezed = new SqueezedIndex[f.tokens];
            Map<Integer, Attention.KvPages> bySeq = new HashMap<>();
            for (int t = 0; t < f.tokens; t++) {
                views[t] = bySeq.computeIfAbsent(b.sequence(t), s -> cache.view(layer, s));
                SqueezedIndex index = cache.index(b.sequence(t));
                if (index != null && vis.start(t, 0) == 0 && vis.end(t, 0) >= index.length()) {
                    squeezed[t] = index;
                    squeeze.fit(index, vis.maxCount());
                }
            }
            int[] ranges = vis.ranges();
            int[] caps = new int[f.tokens];
            for (int t = 0; t < f.tokens; t++) caps[t] = b.policy(b.sequence(t)).distanceCap();
            pool.run(f.tokens * heads, (item, worker) -> {
                int t = item / heads, h = item % heads;
                int qo = t * qWidth + h * hs;
                SqueezedIndex index = squeezed[t];
                if (index == null) {
                    Attention.cpu(qb, qo, hs, scale, views[t], (h / group) * hs, ranges, vis.offsets()[t], vis.count(t),
                            a.rope(), b.position(t), caps[t], scoreScratch[worker], ob, qo);
                    return;
                }
                long t0 = System.nanoTime();
                int[] r = squeeze.ranges[worker];
                int n = SqueezedSelection.select(qb, qo, scale, index.head(layer, h / group), index.thresholds(), squeeze.scores[worker], r, 0);
                long kept = 0;
                for (int i = 0; i < n; i++) kept += r[2 * i + 1] - r[2 * i];
                squeeze.count(worker, System.nanoTime() - t0, index.length(), kept);
                if (vis.end(t, 0) > index.length()) n = pair(r, n, index.length(), vis.end(t, 0));
                for (int i = 1; i < vis.count(t); i++) n = pair(r, n, vis.start(t, i), vis.end(t, i));
                Attention.cpu(qb, qo, hs, scale, views[t], (h / group) * hs, r, 0, n, a.rope(), b.position(t), caps[t], scoreScratch[worker], ob, qo);
            });
            squeeze.attentionNanos += System.nanoTime() - start;
        });
    }

    private static int pair(int[] ranges, int n, int start, int end) {
        ranges[2 * n] = start;
        ranges[2 * n + 1] = end;
        return n + 1;
    }

    /** Per-worker scratch and counters of squeezed attention. */
    private final class Squeeze {
        int[][] ranges = new int[0][];
        float[][] scores = new float[0][];
        final long[][] counters = new long[pool.threads()][4];    // queries, lookup ns, fixed cells, kept cells
        long attentionNanos;                                        // written by the calling thread only

        /** Makes each worker's scratch fit one query's selection in {@code index} plus {@code extraRanges} ranges. */
        void fit(SqueezedIndex index, int extraRanges) {
            int clusters = 0, floats = 0;
            for (int l = 0; l < index.layers(); l++) {
                for (int h = 0; h < index.kvHeads(); h++) {
                    clusters = Math.max(clusters, index.head(l, h).clusters());
                    floats = Math.max(floats, SqueezedSelection.scratchFloats(index.head(l, h)));
                }
            }
            int need = 2 * (clusters + extraRanges + 1);
            if (ranges.length != pool.threads() || ranges[0].length < need) ranges = new int[pool.threads()][need];
            if (scores.length != pool.threads() || scores[0].length < floats) scores = new float[pool.threads()][floats];
        }

        void count(int worker, long nanos, int fixed, long kept) {
            long[] c = counters[worker];
            c[0]++;
            c[1] += nanos;
            c[2] += fixed;
            c[3] += kept;
        }

        AttentionStats total() {
            long[] sum = new long[4];
            for (long[] c : counters) for (int i = 0; i < 4; i++) sum[i] += c[i];
            return new AttentionStats(attentionNanos, sum[0], sum[1], sum[2], sum[3]);
        }
    }

    private final Squeeze squeeze;

    @Override public AttentionStats attentionStats() { return squeeze.total(); }

    private Step add(Op.Add a, int layer) {
        int x = slot(a.a()), y = slot(a.b()), out = slot(a.out());
        int width = a.out().width();
        return new Bound(a.out(), layer, f -> {
            float[] xa = buffers[x], ya = buffers[y], o = buffers[out];
            parallelRows(rows(a.out(), f), width, (r0, r1) -> Add.cpu(xa, r0 * width, ya, r0 * width, (r1 - r0) * width, o, r0 * width));
        });
    }

    private Step swiGlu(Op.SwiGlu s, int layer) {
        int g = slot(s.gate()), u = slot(s.up()), out = slot(s.out());
        int width = s.out().width();
        return new Bound(s.out(), layer, f -> {
            float[] gb = buffers[g], ub = buffers[u], o = buffers[out];
            parallelRows(rows(s.out(), f), width, (r0, r1) -> SwiGlu.cpu(gb, r0 * width, ub, r0 * width, (r1 - r0) * width, o, r0 * width));
        });
    }

    private Step gather(Op.GatherOutputs g) {
        int in = slot(g.in()), out = slot(g.out());
        int width = g.in().width();
        return new Bound(g.out(), -1, f -> {
            float[] x = buffers[in], o = buffers[out];
            for (int i = 0; i < f.outputs; i++) System.arraycopy(x, f.batch.outputRow(i) * width, o, i * width, width);
        });
    }

    private interface RowRange {
        void run(int r0, int r1);
    }

    /** Splits element-wise work over rows when there is enough of it to pay for the hand-off. */
    private void parallelRows(int rows, int width, RowRange body) {
        long work = (long) rows * width;
        if (work < 32_768 || rows < 2) {
            body.run(0, rows);
            return;
        }
        int chunks = Math.min(rows, pool.threads() * 4);
        pool.run(chunks, (c, w) -> body.run((int) ((long) rows * c / chunks), (int) ((long) rows * (c + 1) / chunks)));
    }

    /** A small 1-D weight (norm, bias) decoded once at compile time. */
    private static float[] vector(WeightTensor t, int expected) {
        if (t.columns() != expected || t.rows() != 1) {
            throw new IllegalArgumentException("tensor " + t + ": expected a vector of " + expected + " elements");
        }
        float[] v = new float[expected];
        t.format().decode(t.data(), 0, v, 0, expected);
        return v;
    }
}
