package dev.squall.backend.tornado;

import dev.squall.backend.Backend;
import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.backend.device.BatchFrame;
import dev.squall.backend.device.DeviceBudget;
import dev.squall.backend.device.SlotKvCache;
import dev.squall.backend.tornado.kernels.AttentionKernels;
import dev.squall.backend.tornado.kernels.CacheKernels;
import dev.squall.backend.tornado.kernels.ElementwiseKernels;
import dev.squall.backend.tornado.kernels.NormKernels;
import dev.squall.backend.tornado.kernels.RopeKernels;
import dev.squall.backend.tornado.kernels.SqueezedKernels;
import dev.squall.graph.Act;
import dev.squall.graph.AttentionPolicy;
import dev.squall.graph.Batch;
import dev.squall.graph.BatchChecker;
import dev.squall.graph.ForwardResult;
import dev.squall.graph.KvCache;
import dev.squall.graph.ModelGraph;
import dev.squall.graph.Op;
import dev.squall.graph.SqueezedIndex;
import dev.squall.tensor.WeightTensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import uk.ac.manchester.tornado.api.DataRange;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * A model graph compiled for one TornadoVM device: one TornadoExecutionPlan over these TaskGraphs,
 * built from the same backend-neutral {@link ModelGraph} as the Java backend.
 *
 * <pre>
 *  graph        runs                  owns (allocates)                     tasks
 *  init         once, when built      activations, KV cache of all layers  claim (touch each array)
 *  prologue     every call            frame (in, every call), embedding    embed → x
 *  inputs       calls with embeddings frame, input embeddings (in)         copy → x
 *  layer i attn every call it runs    layer i's attention weights          the attention sublayer's operators
 *  layer i mlp  every call it runs    layer i's MLP weights (in, first)    the MLP sublayer's operators
 *  logits       calls with outputs    output norm and projection weights   gather → norm → logits
 *  hidden       hidden-only calls     output norm weights                  gather → norm
 *  fork         on KvCache.fork       fork arguments (in, every fork)      copy a slot, per layer
 *  compact      on KvCache.compact    move arguments (in, every move)      move cells within a slot, per layer
 * </pre>
 *
 * Data flow: everything but the frame and the weights is shared. Each graph after init consumes
 * the shared arrays and persists them (TornadoVM hands a consumed array's device buffer from the
 * graph that ran last to the next), so activations and the KV cache never leave the device, and a
 * skipped sublayer's graph is simply not run. Per call the host uploads one int array (the
 * {@link BatchFrame}: token ids, positions, KV slots, visible ranges, output rows) and downloads
 * only the requested rows of logits (and hidden states when asked), as partial copies. Worker
 * grids follow the call's token and output counts; the kernels read the counts from the frame.
 *
 * <p>The KV cache holds {@link DeviceBudget#slots} sequences of the context size in fixed slots
 * ({@link SlotKvCache}); a fork runs the fork graph, a device-to-device copy of the prefix. A batch
 * longer than {@link DeviceBudget#tokens} runs as consecutive calls. A bad batch is rejected before
 * anything runs.
 */
final class TornadoPlan implements Plan {

    /**
     * Visible ranges per token the frame holds: every built-in policy needs at most 2, a token of
     * a candidate tree one more per branch point on its path (trees are laid out depth first).
     */
    static final int MAX_RANGES = 16;

    private static int plans;

    private final TornadoBackend backend;
    private final ModelGraph graph;
    private final DeviceBudget budget;
    private final SlotKvCache cache;
    private final BatchFrame frame;
    private final IntArray deviceFrame;
    /** Squeezed Attention: the index beside the cache (ints, floats), the per-call floats (thresholds, scale), the load staging. */
    private final int squeezedClusters;
    private final IntArray indexInts, loadArgs;
    private final FloatArray indexFloats, callFloats, loadStaged;
    private final int indexIntCount, indexFloatCount, loadCells;
    private SqueezedIndex uploaded;
    private final int load;
    private final Map<Act, FloatArray> acts = new LinkedHashMap<>();
    private final FloatArray keys, values;
    private final Map<WeightTensor, DeviceTensor> tensors = new IdentityHashMap<>();
    private final List<Object> shared = new ArrayList<>();
    private final GridScheduler grids = new GridScheduler();
    private final List<DeviceGraph> graphs = new ArrayList<>();
    private final int init, prologue, inputs, firstLayer, logitsEpilogue, hiddenEpilogue, fork, compact;
    private final BatchChecker.Limits limits;
    private final FloatArray inputEmbeddings;
    private final int layerFloats;
    private final FloatArray noBias = new FloatArray(1);
    private final IntArray forkArgs = new IntArray(CacheKernels.ARGS);
    private final IntArray moveArgs;
    private final TornadoExecutionPlan plan;
    private final String prefix;
    private final Stats stats = new Stats();
    private long weightBytes;

    /**
     * What the plan moved and ran, for reports: calls, graphs and tasks run, bytes copied each way
     * (counted by the plan). With {@code -Dsquall.tornado.profile=true} TornadoVM's profiler runs
     * too, and its own counts and times are added up: bytes it copied in and out, device kernel
     * time and whole-graph time in nanoseconds.
     */
    static final class Stats {
        long calls, graphsRun, tasksRun, bytesIn, bytesOut;
        long profiledBytesIn, profiledBytesOut, kernelNanos, graphNanos;

        @Override public String toString() {
            return String.format(java.util.Locale.ROOT, "%d calls, %d graphs, %d tasks, %d bytes in, %d bytes out",
                    calls, graphsRun, tasksRun, bytesIn, bytesOut);
        }
    }

    private static final boolean PROFILE = Boolean.getBoolean("squall.tornado.profile");

    TornadoPlan(TornadoBackend backend, ModelGraph graph, PlanOptions options) {
        if (options.observer() != null) {
            throw new IllegalArgumentException("--device " + backend.id() + ": activation observers (debug checkpoints) need the Java backend (--device java)");
        }
        this.backend = backend;
        this.graph = graph;
        this.prefix = "m" + nextPlan() + "_";
        ModelGraph.KvGeometry kv = graph.kv();
        this.budget = DeviceBudget.of(kv, options.contextSize(), backend.globalMemory(), backend.maxAllocation(),
                Integer.getInteger("squall.tornado.sequences", 0), Integer.getInteger("squall.tornado.batch", 0));
        this.frame = new BatchFrame(budget.tokens(), MAX_RANGES);
        this.deviceFrame = new IntArray(frame.data().length);
        this.cache = new SlotKvCache(budget.slots(), options.contextSize(), this::copySlot, this::moveCells, this::loadContext);
        this.moveArgs = new IntArray(CacheKernels.MOVE_ARGS + options.contextSize());
        this.limits = BatchChecker.limits(graph, MAX_RANGES);
        for (Op op : allOps()) for (Act a : acts(op)) acts.computeIfAbsent(a, x -> new FloatArray(budget.tokens() * x.width()));
        this.layerFloats = budget.slots() * options.contextSize() * kv.kvWidth();
        this.keys = new FloatArray(kv.layers() * layerFloats);
        this.values = new FloatArray(kv.layers() * layerFloats);
        shared.addAll(acts.values());
        shared.add(keys);
        shared.add(values);
        // the squeezed index (one level): per layer and KV head up to C centroids; scratch per (token, query head)
        this.squeezedClusters = options.squeezedClusters();
        int cap = squeezedClusters, heads = graph.layers().isEmpty() ? 1 : attentionHeads(), heads2 = kv.layers() * kv.kvHeads();
        int rangeStride = 2 * (cap + MAX_RANGES + 1);
        this.indexIntCount = SqueezedKernels.META + SqueezedKernels.META_INTS * heads2 + heads2 * (cap + 1);
        this.indexFloatCount = SqueezedKernels.CENTROIDS + heads2 * cap * kv.headSize();
        this.indexInts = new IntArray(indexIntCount + budget.tokens() * heads * rangeStride);
        this.indexFloats = new FloatArray(indexFloatCount + budget.tokens() * heads * 2 * Math.max(1, cap));
        indexInts.set(SqueezedKernels.MAX_CLUSTERS, cap);
        indexInts.set(SqueezedKernels.RANGE_STRIDE, rangeStride);
        indexInts.set(SqueezedKernels.RANGE_BASE, indexIntCount);
        indexInts.set(SqueezedKernels.SCORE_BASE, indexFloatCount);
        this.callFloats = new FloatArray(SqueezedKernels.CALL_FLOATS);
        callFloats.set(SqueezedKernels.SCALE, (float) (1.0 / Math.sqrt(kv.headSize())));
        this.loadCells = Math.max(1, Math.min(options.contextSize(), (1 << 22) / (2 * kv.layers() * kv.kvWidth())));
        this.loadArgs = new IntArray(SqueezedKernels.ARGS + indexIntCount);
        this.loadStaged = new FloatArray(indexFloatCount + 2 * kv.layers() * loadCells * kv.kvWidth());
        shared.add(indexInts);
        shared.add(indexFloats);
        if (squeezed()) shared.add(callFloats);
        this.inputEmbeddings = new FloatArray(budget.tokens() * graph.embeddingSize());

        this.init = add(initGraph());
        this.prologue = add(prologueGraph());
        this.inputs = add(inputsGraph());
        this.firstLayer = graphs.size();
        for (ModelGraph.Layer layer : graph.layers()) {
            add(opsGraph("layer" + layer.index() + "_attention", layer.attention(), null));
            add(opsGraph("layer" + layer.index() + "_mlp", layer.mlp(), null));
        }
        this.logitsEpilogue = add(opsGraph("logits", graph.epilogue(), null));
        this.hiddenEpilogue = add(opsGraph("hidden", graph.epilogue(), graph.logits()));
        this.fork = add(forkGraph());
        this.compact = add(compactGraph());
        this.load = add(loadGraph());

        ImmutableTaskGraph[] snapshots = new ImmutableTaskGraph[graphs.size()];
        for (int i = 0; i < snapshots.length; i++) snapshots[i] = graphs.get(i).graph.snapshot();
        this.plan = backend.configure(new TornadoExecutionPlan(snapshots)).withGridScheduler(grids);
        if (PROFILE) plan.withProfiler(uk.ac.manchester.tornado.api.enums.ProfilerMode.SILENT);
        try {
            run(init);
            uploadIndexHeader();
            warmUp();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static synchronized int nextPlan() { return plans++; }

    /**
     * Runs one token through the prologue, every layer and the logits epilogue, so that TornadoVM
     * compiles their kernels while the model loads rather than in the first forward call. The token
     * writes position 0 of slot 0, which no sequence holds yet.
     */
    private void warmUp() {
        frame.pack(Batch.sequence(0, 0, new int[] {0}), new BatchChecker.Visibility(new int[] {0, 1}, new int[] {0, 1}), 0, 1, seq -> 0);
        MemorySegment.copy(frame.data(), 0, deviceFrame.getSegment(), ValueLayout.JAVA_INT, 0, frame.data().length);
        for (DeviceGraph g : graphs) g.resize(1, 1);
        run(prologue);
        for (int l = 0; l < 2 * graph.layers().size(); l++) run(firstLayer + l);
        run(logitsEpilogue);
    }

    private int add(DeviceGraph g) {
        graphs.add(g);
        return graphs.size() - 1;
    }

    private List<Op> allOps() {
        List<Op> all = new ArrayList<>(graph.prologue());
        for (ModelGraph.Layer l : graph.layers()) all.addAll(l.ops());
        all.addAll(graph.epilogue());
        return all;
    }

    private static List<Act> acts(Op op) {
        return switch (op) {
            case Op.Embed e -> List.of(e.out());
            case Op.RmsNorm n -> List.of(n.in(), n.out());
            case Op.Matmul m -> List.of(m.in(), m.out());
            case Op.Rope r -> List.of(r.x());
            case Op.Attention a -> List.of(a.q(), a.k(), a.v(), a.out());
            case Op.Add a -> List.of(a.a(), a.b(), a.out());
            case Op.SwiGlu s -> List.of(s.gate(), s.up(), s.out());
            case Op.GatherOutputs g -> List.of(g.in(), g.out());
        };
    }

    @Override public ModelGraph graph() { return graph; }

    @Override public KvCache cache() { return cache; }

    @Override public Backend backend() { return backend; }

    /** The slots and tokens per call this plan was built with. */
    DeviceBudget budget() { return budget; }

    /** What the plan has run and moved so far. */
    Stats stats() { return stats; }

    /** Bytes of weights transferred to the device (once). */
    long weightBytes() { return weightBytes; }

    /** Graphs and tasks one decoded token runs (prologue, both sublayers of every layer, the logits epilogue). */
    int[] perTokenGraphsAndTasks() {
        int g = 0, t = 0;
        for (int i : new int[] {prologue, logitsEpilogue}) {
            g++;
            t += graphs.get(i).launches.size();
        }
        for (int l = 0; l < 2 * graph.layers().size(); l++) {
            g++;
            t += graphs.get(firstLayer + l).launches.size();
        }
        return new int[] {g, t};
    }

    @Override public void close() {
        if (plan == null) return;
        try {
            plan.close();
        } catch (Exception e) {
            throw new IllegalStateException("releasing the device memory of " + graph.name() + " on " + backend.id() + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- forward

    /**
     * The device attention kernel scores every key with the query as it arrives: a policy that
     * caps RoPE distances (LM-Infinite) would need a rotated query per far key, which it does not
     * compute, so such a batch is refused before anything changes.
     */
    private void refuseDistanceCaps(Batch batch) {
        for (int i = 0; i < batch.size(); i++) {
            AttentionPolicy p = batch.policy(batch.sequence(i));
            if (p.distanceCap() > 0) {
                throw new IllegalArgumentException("batch token " + i + ": attention policy " + p + " caps RoPE distances, which " + backend.id()
                        + "'s attention kernel does not (dense and plain Λ windows run here); --attention lm-infinite runs on --device java");
            }
        }
    }

    @Override public ForwardResult forward(Batch batch) {
        synchronized (cache) {
            BatchChecker.Visibility visibility = BatchChecker.check(batch, cache, limits);
            refuseDistanceCaps(batch);
            boolean wantLogits = batch.wants(Batch.Output.LOGITS), wantHidden = batch.wants(Batch.Output.HIDDEN);
            int vocab = graph.vocabSize(), hiddenWidth = graph.hidden().width();
            float[] logits = wantLogits ? new float[batch.outputCount() * vocab] : null;
            float[] hidden = wantHidden ? new float[batch.outputCount() * hiddenWidth] : null;
            int done = 0;
            for (int from = 0; from < batch.size(); from += budget.tokens()) {
                int to = Math.min(batch.size(), from + budget.tokens());
                for (int i = from; i < to; i++) cache.prepareWrite(batch.sequence(i), batch.cell(i));
                frame.pack(batch, visibility, from, to, cache::slot, row -> squeezedFixed(batch, visibility, row));
                if (squeezed()) setThresholds(batch, visibility, from, to);
                int tokens = frame.tokens(), outputs = frame.outputs();
                MemorySegment.copy(frame.data(), 0, deviceFrame.getSegment(), ValueLayout.JAVA_INT, 0, frame.data().length);
                stats.bytesIn += deviceFrame.getNumBytesOfSegment();
                for (DeviceGraph g : graphs) g.resize(tokens, outputs);
                if (batch.embeddings() != null) {
                    int w = graph.embeddingSize();
                    MemorySegment.copy(batch.embeddings(), from * w, inputEmbeddings.getSegment(), ValueLayout.JAVA_FLOAT, 0, tokens * w);
                    stats.bytesIn += inputEmbeddings.getNumBytesOfSegment();
                    run(inputs);
                } else {
                    run(prologue);
                }
                for (int l = 0; l < graph.layers().size(); l++) {
                    if (!batch.skipsAttention(l)) run(firstLayer + 2 * l);
                    if (!batch.skipsMlp(l)) run(firstLayer + 2 * l + 1);
                }
                if (outputs > 0 && (wantLogits || wantHidden)) {
                    TornadoExecutionResult r = run(wantLogits ? logitsEpilogue : hiddenEpilogue);
                    if (wantLogits) copyOut(r, acts.get(graph.logits()), outputs * vocab, logits, done * vocab);
                    if (wantHidden) copyOut(r, acts.get(graph.hidden()), outputs * hiddenWidth, hidden, done * hiddenWidth);
                }
                done += outputs;
                stats.calls++;
            }
            return new ForwardResult(batch.outputRows(), logits, vocab, hidden, hiddenWidth);
        }
    }

    /** The fixed-context length a batch row reads through the squeezed index (it sees all of it), else 0. */
    private int squeezedFixed(Batch b, BatchChecker.Visibility vis, int row) {
        SqueezedIndex index = cache.index(b.sequence(row));
        if (index == null || vis.start(row, 0) != 0 || vis.end(row, 0) < index.length()) return 0;
        if (uploaded == null || uploaded.head(0, 0) != index.head(0, 0)) throw new IllegalStateException("sequence " + b.sequence(row) + "'s squeezed index is not the one on the device");
        return index.length();
    }

    /** The call floats' thresholds: those of the squeezed rows' index, which must agree. */
    private void setThresholds(Batch b, BatchChecker.Visibility vis, int from, int to) {
        SqueezedIndex.Thresholds t = null;
        for (int row = from; row < to; row++) {
            if (squeezedFixed(b, vis, row) == 0) continue;
            SqueezedIndex.Thresholds mine = cache.index(b.sequence(row)).thresholds();
            if (t != null && !t.equals(mine)) throw new IllegalArgumentException("batch rows " + from + " to " + (to - 1) + " read the squeezed index with different sparsities; the device takes one per call");
            t = mine;
        }
        if (t == null) t = SqueezedIndex.Thresholds.DENSE;
        callFloats.set(SqueezedKernels.COARSE, t.coarse());
        callFloats.set(SqueezedKernels.FINE, t.fine());
        stats.bytesIn += callFloats.getNumBytesOfSegment();
    }

    private TornadoExecutionResult run(int g) {
        TornadoExecutionResult r = plan.withGraph(g).execute();
        stats.graphsRun++;
        stats.tasksRun += graphs.get(g).launches.size();
        if (PROFILE) {
            var p = r.getProfilerResult();
            stats.profiledBytesIn += p.getTotalBytesCopyIn();
            stats.profiledBytesOut += p.getTotalBytesCopyOut();
            stats.kernelNanos += p.getDeviceKernelTime();
            stats.graphNanos += p.getTotalTime();
        }
        return r;
    }

    private void copyOut(TornadoExecutionResult r, FloatArray a, int n, float[] dst, int offset) {
        r.transferToHost(new DataRange(a).withSize(n));
        MemorySegment.copy(a.getSegment(), ValueLayout.JAVA_FLOAT, 0, dst, offset, n);
        stats.bytesOut += (long) n * Float.BYTES;
    }

    /** Fork: copies positions [0, n) of every layer from one slot to another with the fork graph. */
    private void copySlot(int from, int to, int n) {
        synchronized (cache) {
            forkArgs.set(CacheKernels.FROM, from);
            forkArgs.set(CacheKernels.TO, to);
            forkArgs.set(CacheKernels.LENGTH, n);
            forkArgs.set(CacheKernels.KV_WIDTH, graph.kv().kvWidth());
            forkArgs.set(CacheKernels.POSITIONS, cache.capacity());
            forkArgs.set(CacheKernels.SLOTS, budget.slots());
            forkArgs.set(CacheKernels.LAYERS, graph.kv().layers());
            graphs.get(fork).resize(n, 0);
            stats.bytesIn += forkArgs.getNumBytesOfSegment();
            run(fork);
        }
    }

    /** Compact: moves cells {@code from[i]} to {@code to + i} of one slot, in every layer, with the compact graph. */
    private void moveCells(int slot, int to, int[] from) {
        synchronized (cache) {
            moveArgs.set(CacheKernels.SLOT, slot);
            moveArgs.set(CacheKernels.TARGET, to);
            moveArgs.set(CacheKernels.MOVES, from.length);
            moveArgs.set(CacheKernels.MOVE_KV_WIDTH, graph.kv().kvWidth());
            moveArgs.set(CacheKernels.MOVE_POSITIONS, cache.capacity());
            moveArgs.set(CacheKernels.MOVE_SLOTS, budget.slots());
            moveArgs.set(CacheKernels.MOVE_LAYERS, graph.kv().layers());
            for (int i = 0; i < from.length; i++) moveArgs.set(CacheKernels.MOVE_ARGS + i, from[i]);
            graphs.get(compact).resize(1, 0);
            stats.bytesIn += moveArgs.getNumBytesOfSegment();
            run(compact);
        }
    }

    // ---------------------------------------------------------------- graphs

    private DeviceGraph newGraph(String name) { return new DeviceGraph(prefix + name, grids, backend.localSize()); }

    /** Borrows the shared arrays (and the frame, unless this graph uploads it) from the graph that ran last. */
    private void borrowShared(DeviceGraph g, boolean frameToo) {
        g.graph.consumeFromDevice(shared.toArray());
        if (frameToo) g.graph.consumeFromDevice(frameArrays());
    }

    private void keepShared(DeviceGraph g, boolean frameToo) {
        g.graph.persistOnDevice(shared.toArray());
        if (frameToo) g.graph.persistOnDevice(frameArrays());
    }

    /** Allocates every shared array on the device: claim tasks over them, eight at a time. */
    private DeviceGraph initGraph() {
        DeviceGraph g = newGraph("init");
        List<FloatArray> all = new ArrayList<>();
        List<IntArray> ints = new ArrayList<>();
        for (Object o : shared) {
            if (o instanceof FloatArray f) all.add(f);
            else ints.add((IntArray) o);
        }
        if (ints.size() % 2 != 0) ints.add(new IntArray(1));
        for (int i = 0; i < ints.size(); i += 2) g.task("claim_ints" + i / 2, Launch.Size.items((t, o) -> 1), CacheKernels::claimInts, ints.get(i), ints.get(i + 1));
        int claimed = CacheKernels.CLAIMED;
        while (all.size() % claimed != 0) all.add(new FloatArray(1));
        for (int i = 0; i < all.size(); i += claimed) {
            g.task("claim" + i / claimed, Launch.Size.items((t, o) -> 1), CacheKernels::claim, all.get(i), all.get(i + 1), all.get(i + 2),
                    all.get(i + 3), all.get(i + 4), all.get(i + 5), all.get(i + 6), all.get(i + 7));
        }
        keepShared(g, false);
        return g;
    }

    private DeviceGraph prologueGraph() {
        DeviceGraph g = newGraph("prologue");
        borrowShared(g, false);
        g.graph.transferToDevice(DataTransferMode.EVERY_EXECUTION, frameArrays());
        addOps(g, graph.prologue(), null);
        keepShared(g, true);
        return g;
    }

    /** The prologue of a batch given as embeddings: they are copied into the residual stream. */
    private DeviceGraph inputsGraph() {
        DeviceGraph g = newGraph("inputs");
        borrowShared(g, false);
        g.graph.transferToDevice(DataTransferMode.EVERY_EXECUTION, frameArrays());
        g.graph.transferToDevice(DataTransferMode.EVERY_EXECUTION, inputEmbeddings);
        Act x = embedOutput();
        IntArray shape = shape(ElementwiseKernels.SHAPE, ElementwiseKernels.WIDTH, x.width(), ElementwiseKernels.COUNT, BatchFrame.TOKENS);
        g.graph.transferToDevice(DataTransferMode.FIRST_EXECUTION, shape);
        g.task("copy_inputs", Launch.Size.items((t, o) -> t * x.width()), ElementwiseKernels::copyRows, deviceFrame, shape, inputEmbeddings, acts.get(x));
        keepShared(g, true);
        return g;
    }

    private Act embedOutput() {
        for (Op op : graph.prologue()) if (op instanceof Op.Embed e) return e.out();
        return graph.residual();
    }

    /** A graph running {@code ops} (a layer or the epilogue), skipping ops that write {@code skip}. */
    private DeviceGraph opsGraph(String name, List<Op> ops, Act skip) {
        DeviceGraph g = newGraph(name);
        borrowShared(g, true);
        addOps(g, ops, skip);
        keepShared(g, true);
        return g;
    }

    /** What every call uploads: the frame, and with a squeezed index the call floats. */
    private Object[] frameArrays() { return squeezed() ? new Object[] {deviceFrame, callFloats} : new Object[] {deviceFrame}; }

    /** Whether the plan reserved room for a squeezed index (its attention then runs {@link SqueezedKernels#attention}). */
    private boolean squeezed() { return squeezedClusters > 0; }

    private int attentionHeads() {
        for (ModelGraph.Layer l : graph.layers()) for (Op op : l.attention()) if (op instanceof Op.Attention a) return a.heads();
        return 1;
    }

    private DeviceGraph loadGraph() {
        DeviceGraph g = newGraph("load");
        borrowShared(g, false);
        g.graph.transferToDevice(DataTransferMode.EVERY_EXECUTION, loadArgs, loadStaged);
        g.task("load", Launch.Size.items((t, o) -> t), SqueezedKernels::load, loadArgs, loadStaged, indexInts, indexFloats, keys, values);
        keepShared(g, false);
        return g;
    }

    /**
     * Writes a fixed context into a slot and, with an index, makes it the device's squeezed
     * index: the index first (with the first block of cells), then the cells in blocks of
     * {@code loadCells}. One index at a time: another one is refused while a sequence reads the
     * one loaded.
     */
    private void loadContext(int slot, dev.squall.graph.KvCache.Rows rows, SqueezedIndex index) {
        synchronized (cache) {
            ModelGraph.KvGeometry kv = graph.kv();
            int[] ints = null;
            float[] floats = null;
            if (index != null) {
                if (!squeezed()) {
                    throw new IllegalArgumentException("--device " + backend.id() + ": this plan has no room for a squeezed index (compile it with PlanOptions.withSqueezedClusters; --context does that from the file)");
                }
                if (index.hierarchical()) {
                    throw new IllegalArgumentException("--device " + backend.id() + ": two-level squeezed indexes run on the Java backend only (--device java); build the context with --levels 1");
                }
                if (uploaded != null && uploaded.head(0, 0) != index.head(0, 0) && cache.indexInUse(-1)) {
                    throw new IllegalArgumentException("--device " + backend.id() + ": the device holds another squeezed context in use; one at a time");
                }
                int[][] packed = new int[1][];
                floats = packIndex(index, packed);
                ints = packed[0];
            }
            int n = rows.length(), width = kv.kvWidth();
            float[] k = new float[width], v = new float[width];
            for (int first = 0; first < n || (first == 0 && ints != null); first += loadCells) {
                int cells = Math.min(loadCells, n - first);
                int nInts = first == 0 && ints != null ? ints.length : 0, nFloats = first == 0 && floats != null ? floats.length : 0;
                int[] head = {nInts, nFloats, cells, first, slot, width, cache.capacity(), budget.slots(), kv.layers()};
                for (int i = 0; i < head.length; i++) loadArgs.set(i, head[i]);
                for (int i = 0; i < nInts; i++) loadArgs.set(SqueezedKernels.ARGS + i, ints[i]);
                for (int i = 0; i < nFloats; i++) loadStaged.set(i, floats[i]);
                for (int c = 0; c < cells; c++) {
                    for (int l = 0; l < kv.layers(); l++) {
                        rows.read(l, first + c, k, v);
                        int at = nFloats + 2 * l * cells * width + c * width;
                        MemorySegment.copy(k, 0, loadStaged.getSegment(), ValueLayout.JAVA_FLOAT, (long) at * 4, width);
                        MemorySegment.copy(v, 0, loadStaged.getSegment(), ValueLayout.JAVA_FLOAT, (long) (at + cells * width) * 4, width);
                    }
                }
                graphs.get(load).resize(Math.max(Math.max(nInts, nFloats), kv.layers() * cells * width), 0);
                stats.bytesIn += loadArgs.getNumBytesOfSegment() + loadStaged.getNumBytesOfSegment();
                run(load);
            }
            if (index != null) uploaded = index;
        }
    }

    /** The index's header (capacities and scratch offsets, no context loaded) onto the device, before any attention runs. */
    private void uploadIndexHeader() {
        int[] head = {SqueezedKernels.META, 0, 0, 0, 0, graph.kv().kvWidth(), cache.capacity(), budget.slots(), graph.kv().layers()};
        for (int i = 0; i < head.length; i++) loadArgs.set(i, head[i]);
        for (int i = 0; i < SqueezedKernels.META; i++) loadArgs.set(SqueezedKernels.ARGS + i, indexInts.get(i));
        graphs.get(load).resize(SqueezedKernels.META, 0);
        run(load);
    }

    /** The index ints and floats of {@code index} in {@link SqueezedKernels}'s layout; refuses an index larger than the plan's room. */
    private float[] packIndex(SqueezedIndex index, int[][] intsOut) {
        ModelGraph.KvGeometry kv = graph.kv();
        int cap = squeezedClusters, hs = kv.headSize();
        int[] ints = new int[indexIntCount];
        float[] floats = new float[indexFloatCount];
        ints[SqueezedKernels.FIXED] = index.length();
        ints[SqueezedKernels.LEVELS] = 1;
        ints[SqueezedKernels.MAX_CLUSTERS] = cap;
        ints[SqueezedKernels.RANGE_STRIDE] = indexInts.get(SqueezedKernels.RANGE_STRIDE);
        ints[SqueezedKernels.RANGE_BASE] = indexIntCount;
        ints[SqueezedKernels.SCORE_BASE] = indexFloatCount;
        int ip = SqueezedKernels.META + SqueezedKernels.META_INTS * kv.layers() * kv.kvHeads(), fp = SqueezedKernels.CENTROIDS;
        for (int l = 0; l < kv.layers(); l++) {
            for (int h = 0; h < kv.kvHeads(); h++) {
                SqueezedIndex.Head head = index.head(l, h);
                int c = head.clusters();
                if (c > cap) {
                    throw new IllegalArgumentException("--device " + backend.id() + ": the squeezed index has " + c + " clusters per head, the plan has room for " + cap);
                }
                int meta = SqueezedKernels.META + SqueezedKernels.META_INTS * (l * kv.kvHeads() + h);
                ints[meta] = c;
                ints[meta + 1] = fp;
                System.arraycopy(head.centroids(), 0, floats, fp, c * hs);
                fp += c * hs;
                ints[meta + 2] = ip;
                System.arraycopy(head.starts(), 0, ints, ip, c + 1);
                ip += c + 1;
            }
        }
        intsOut[0] = ints;
        return floats;
    }

    private DeviceGraph forkGraph() {
        DeviceGraph g = newGraph("fork");
        borrowShared(g, false);
        g.graph.transferToDevice(DataTransferMode.EVERY_EXECUTION, forkArgs);
        int floats = graph.kv().layers() * graph.kv().kvWidth();
        g.task("copy_slot", Launch.Size.items((t, o) -> t * floats), CacheKernels::copySlot, forkArgs, keys, values);
        keepShared(g, false);
        return g;
    }

    private DeviceGraph compactGraph() {
        DeviceGraph g = newGraph("compact");
        borrowShared(g, false);
        g.graph.transferToDevice(DataTransferMode.EVERY_EXECUTION, moveArgs);
        int floats = graph.kv().layers() * graph.kv().kvWidth();
        g.task("move_cells", Launch.Size.items((t, o) -> floats), CacheKernels::moveCells, moveArgs, keys, values);
        keepShared(g, false);
        return g;
    }

    private void addOps(DeviceGraph g, List<Op> ops, Act skip) {
        List<Object> owned = new ArrayList<>();
        int i = 0;
        for (Op op : ops) {
            if (skip != null && writes(op, skip)) continue;
            addOp(g, op, "s" + (i++) + "_", owned);
        }
        if (!owned.isEmpty()) g.graph.transferToDevice(DataTransferMode.FIRST_EXECUTION, owned.toArray());
    }

    private static boolean writes(Op op, Act a) {
        return switch (op) {
            case Op.Matmul m -> m.out().equals(a);
            default -> false;
        };
    }

    private static IntArray shape(int size, int... indexValuePairs) {
        IntArray s = new IntArray(size);
        for (int i = 0; i < indexValuePairs.length; i += 2) s.set(indexValuePairs[i], indexValuePairs[i + 1]);
        return s;
    }

    private static int countIndex(Act a) { return a.rows() == Act.Rows.TOKENS ? BatchFrame.TOKENS : BatchFrame.OUTPUTS; }

    private static int count(Act a, int tokens, int outputs) { return a.rows() == Act.Rows.TOKENS ? tokens : outputs; }

    private DeviceTensor tensor(WeightTensor w, List<Object> owned) {
        DeviceTensor t = tensors.computeIfAbsent(w, DeviceTensor::of);
        for (Object a : t.arrays()) {
            if (!owned.contains(a)) {
                owned.add(a);
                weightBytes += ((uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray) a).getNumBytesOfSegment();
            }
        }
        return t;
    }

    /** A 1-D weight (norm gain, bias) decoded to floats. */
    private static FloatArray vector(WeightTensor t, int expected) {
        if (t.columns() != expected || t.rows() != 1) throw new IllegalArgumentException("tensor " + t + ": expected a vector of " + expected + " elements");
        float[] v = new float[expected];
        t.format().decode(t.data(), 0, v, 0, expected);
        return FloatArray.fromArray(v);
    }

    private void addOp(DeviceGraph g, Op op, String n, List<Object> owned) {
        IntArray f = deviceFrame;
        switch (op) {
            case Op.Embed e -> {
                DeviceTensor table = tensor(e.table(), owned);
                int width = e.out().width();
                if (table.columns() != width) throw new IllegalArgumentException("embedding table " + e.table().name() + " has rows of " + table.columns() + ", activation " + e.out().name() + " is " + width + " wide");
                IntArray s = table.embedShape();
                owned.add(s);
                table.embed(g, n + "embed", Launch.Size.items((t, o) -> t * width), f, s, acts.get(e.out()));
            }
            case Op.RmsNorm r -> {
                int width = r.in().width(), group = r.groupSize();
                FloatArray w = vector(r.weight(), group);
                IntArray s = shape(NormKernels.SHAPE, NormKernels.WIDTH, width, NormKernels.GROUP_SIZE, group, NormKernels.COUNT, countIndex(r.in()));
                owned.add(w);
                owned.add(s);
                Act in = r.in();
                g.task(n + "rmsnorm_" + r.out().name(), Launch.Size.groups((t, o) -> count(in, t, o) * (width / group)), NormKernels::rmsNorm,
                        new KernelContext(), f, s, acts.get(r.in()), w, acts.get(r.out()), r.eps());
            }
            case Op.Matmul m -> {
                WeightTensor w = m.weight();
                if (w.columns() != m.in().width() || w.rows() != m.out().width()) {
                    throw new IllegalArgumentException("matmul " + w + ": input " + m.in().name() + " is " + m.in().width() + " wide and output "
                            + m.out().name() + " " + m.out().width() + "; the weight needs " + w.columns() + " → " + w.rows());
                }
                DeviceTensor t = tensor(w, owned);
                FloatArray bias = m.bias() == null ? noBias : vector(m.bias(), w.rows());
                IntArray s = t.matmulShape(countIndex(m.in()), m.bias() != null);
                if (!owned.contains(bias)) owned.add(bias);
                owned.add(s);
                t.matmul(g, n + "matmul_" + m.out().name(), Launch.Size.fixedGroups(w.rows()), f, s, bias, acts.get(m.in()), acts.get(m.out()));
            }
            case Op.Rope r -> {
                int half = r.spec().dims() / 2, heads = r.heads();
                FloatArray params = RopeParams.of(r.spec());
                IntArray s = shape(RopeKernels.SHAPE, RopeKernels.HEADS, heads, RopeKernels.HEAD_SIZE, r.headSize(), RopeKernels.DIMS, r.spec().dims(),
                        RopeKernels.NEOX, r.spec().pairing() == dev.squall.graph.RopeSpec.Pairing.NEOX ? 1 : 0, RopeKernels.WIDTH, r.x().width());
                owned.add(params);
                owned.add(s);
                g.task(n + "rope_" + r.x().name(), Launch.Size.items((t, o) -> t * heads * half), RopeKernels::rope, f, s, params, acts.get(r.x()));
            }
            case Op.Attention a -> {
                if (a.heads() % a.kvHeads() != 0) throw new IllegalArgumentException("layer " + a.layer() + ": " + a.heads() + " query heads do not divide into " + a.kvHeads() + " KV heads");
                if (a.headSize() > AttentionKernels.MAX_HEAD_SIZE) {
                    throw new IllegalArgumentException("layer " + a.layer() + ": head size " + a.headSize() + " exceeds " + AttentionKernels.MAX_HEAD_SIZE
                            + ", the largest the device attention kernel takes");
                }
                int heads = a.heads(), kvWidth = a.kvHeads() * a.headSize();
                IntArray s = shape(AttentionKernels.SHAPE, AttentionKernels.HEADS, heads, AttentionKernels.KV_HEADS, a.kvHeads(),
                        AttentionKernels.HEAD_SIZE, a.headSize(), AttentionKernels.POSITIONS, cache.capacity(),
                        AttentionKernels.CACHE_BASE, a.layer() * layerFloats);
                owned.add(s);
                float scale = (float) (1.0 / Math.sqrt(a.headSize()));
                g.task(n + "store_kv", Launch.Size.items((t, o) -> t * kvWidth), AttentionKernels::storeKv, f, s, acts.get(a.k()), acts.get(a.v()),
                        keys, values);
                if (squeezed()) {
                    g.task(n + "attention", Launch.Size.groups((t, o) -> t * heads), SqueezedKernels::attention, new KernelContext(), f, s, callFloats,
                            indexInts, indexFloats, acts.get(a.q()), keys, values, acts.get(a.out()), a.layer());
                } else {
                    g.task(n + "attention", Launch.Size.groups((t, o) -> t * heads), AttentionKernels::attention, new KernelContext(), f, s,
                            acts.get(a.q()), keys, values, acts.get(a.out()), scale);
                }
            }
            case Op.Add a -> {
                int width = a.out().width();
                Act out = a.out();
                IntArray s = shape(ElementwiseKernels.SHAPE, ElementwiseKernels.WIDTH, width, ElementwiseKernels.COUNT, countIndex(out));
                owned.add(s);
                g.task(n + "add_" + out.name(), Launch.Size.items((t, o) -> count(out, t, o) * width), ElementwiseKernels::add, f, s,
                        acts.get(a.a()), acts.get(a.b()), acts.get(out));
            }
            case Op.SwiGlu sw -> {
                int width = sw.out().width();
                Act out = sw.out();
                IntArray s = shape(ElementwiseKernels.SHAPE, ElementwiseKernels.WIDTH, width, ElementwiseKernels.COUNT, countIndex(out));
                owned.add(s);
                g.task(n + "swiglu_" + out.name(), Launch.Size.items((t, o) -> count(out, t, o) * width), ElementwiseKernels::swiGlu, f, s,
                        acts.get(sw.gate()), acts.get(sw.up()), acts.get(out));
            }
            case Op.GatherOutputs go -> {
                int width = go.in().width();
                IntArray s = shape(ElementwiseKernels.SHAPE, ElementwiseKernels.WIDTH, width, ElementwiseKernels.COUNT, BatchFrame.OUTPUTS);
                owned.add(s);
                g.task(n + "gather_" + go.out().name(), Launch.Size.items((t, o) -> o * width), ElementwiseKernels::gatherOutputs, f, s,
                        acts.get(go.in()), acts.get(go.out()));
            }
        }
    }
}
