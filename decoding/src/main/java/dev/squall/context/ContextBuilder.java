package dev.squall.context;

import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.graph.Batch;
import dev.squall.graph.ForwardResult;
import dev.squall.graph.KvCache;
import dev.squall.graph.ModelGraph;
import dev.squall.graph.Op;
import dev.squall.graph.SqueezedIndex;
import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * Computes a fixed context once (Squeezed Attention's offline phase): prefills its tokens densely,
 * keeps the queries of its last {@code calibrationCount} tokens (through the plan's activation
 * observer, {@link #observer}), reads its keys and values back from the cache, clusters the keys
 * ({@link SqueezedIndexBuilder}) and calibrates the thresholds to a sparsity ({@link Calibration}).
 *
 * <p>Use: compile the plan with {@code options.withObserver(builder.observer())}, then call
 * {@link #compute}. One builder computes one context at a time.
 */
public final class ContextBuilder {

    /** Calibration queries per context, as the paper takes them: its last 100 queries. */
    public static final int CALIBRATION_QUERIES = 100;

    private final ModelGraph graph;
    private final String[] queryNames;      // per layer, the activation attention reads its queries from
    private final int heads, headSize;
    private float[][] calibration;
    private int calibrationStart, calibrationCount, chunkStart;

    public ContextBuilder(ModelGraph graph) {
        this.graph = graph;
        this.queryNames = new String[graph.layers().size()];
        int h = 0, hs = 0;
        for (ModelGraph.Layer layer : graph.layers()) {
            for (Op op : layer.attention()) {
                if (op instanceof Op.Attention a) {
                    queryNames[layer.index()] = a.q().name();
                    h = a.heads();
                    hs = a.headSize();
                }
            }
        }
        this.heads = h;
        this.headSize = hs;
    }

    /**
     * The observer that keeps the calibration queries: the last write of a layer's query
     * activation before its attention is the rotated query.
     */
    public PlanOptions.ActivationObserver observer() {
        return (name, layer, data, rows, width) -> {
            if (calibration == null || layer < 0 || !name.equals(queryNames[layer])) return;
            for (int r = 0; r < rows; r++) {
                int i = chunkStart + r - calibrationStart;
                if (i >= 0 && i < calibrationCount) System.arraycopy(data, r * width, calibration[layer], i * width, width);
            }
        };
    }

    /** A context computed densely, its rows in context order, not yet indexed. */
    public record Computed(int[] tokens, float[][] keys, float[][] values, float[][] calibration, int calibrationCount, float[] lastLogits) {}

    /**
     * Prefills {@code tokens} into a new sequence of {@code plan} in calls of {@code batchSize},
     * reads the cells back and releases the sequence; {@code progress} gets the tokens done.
     */
    public Computed compute(Plan plan, int[] tokens, int batchSize, IntConsumer progress) {
        int n = tokens.length;
        if (n < 2) throw new IllegalArgumentException("a fixed context needs at least 2 tokens, not " + n);
        if (n > plan.cache().capacity()) throw new IllegalArgumentException("the context has " + n + " tokens, the context size is " + plan.cache().capacity() + " (raise it with -c)");
        calibrationCount = Math.min(CALIBRATION_QUERIES, n);
        calibrationStart = n - calibrationCount;
        calibration = new float[graph.layers().size()][calibrationCount * heads * headSize];
        KvCache cache = plan.cache();
        int seq = cache.newSequence();
        try {
            float[] logits = null;
            for (chunkStart = 0; chunkStart < n; chunkStart += batchSize) {
                int end = Math.min(n, chunkStart + batchSize);
                ForwardResult r = plan.forward(Batch.sequence(seq, chunkStart, Arrays.copyOfRange(tokens, chunkStart, end)));
                logits = r.logits(0);
                progress.accept(end);
            }
            int layers = graph.layers().size(), width = graph.kv().kvWidth();
            float[][] keys = new float[layers][n * width], values = new float[layers][n * width];
            float[] k = new float[width], v = new float[width];
            for (int l = 0; l < layers; l++) {
                for (int cell = 0; cell < n; cell++) {
                    cache.read(l, seq, cell, k, v);
                    System.arraycopy(k, 0, keys[l], cell * width, width);
                    System.arraycopy(v, 0, values[l], cell * width, width);
                }
            }
            return new Computed(tokens.clone(), keys, values, calibration, calibrationCount, logits);
        } finally {
            calibration = null;
            cache.remove(seq);
        }
    }

    /** The query heads of the model. */
    public int heads() { return heads; }

    /**
     * The fixed context of {@code c}: indexed by {@code index} (null: dense) with thresholds for
     * {@code sparsity}, rows read in the index's cell order.
     */
    public FixedContext context(Computed c, SqueezedIndex index, double sparsity, String model, String source) {
        ModelGraph.KvGeometry kv = graph.kv();
        SqueezedIndex calibrated = index == null ? null
                : index.withThresholds(Calibration.thresholds(index, c.calibration(), c.calibrationCount(), heads, sparsity));
        return new FixedContext(c.tokens(), FixedContext.rows(c.keys(), c.values(), c.tokens().length, kv.kvHeads(), kv.headSize(), calibrated),
                calibrated, c.calibration(), c.calibrationCount(), heads, c.lastLogits(), model, source);
    }
}
