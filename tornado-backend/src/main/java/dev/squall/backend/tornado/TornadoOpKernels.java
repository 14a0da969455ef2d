package dev.squall.backend.tornado;

import dev.squall.backend.OpKernels;
import dev.squall.backend.device.BatchFrame;
import dev.squall.backend.device.DeviceLayout;
import dev.squall.backend.device.DeviceWeight;
import dev.squall.backend.tornado.kernels.AttentionKernels;
import dev.squall.backend.tornado.kernels.ElementwiseKernels;
import dev.squall.backend.tornado.kernels.NormKernels;
import dev.squall.backend.tornado.kernels.RopeKernels;
import dev.squall.format.WeightFormat;
import dev.squall.graph.RopeSpec;
import dev.squall.tensor.WeightTensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The device's kernels one operator at a time (the same kernels a {@link TornadoPlan} schedules),
 * for the validation suite: each operator runs as a one-task TaskGraph whose arrays are sized for
 * the largest call seen so far, so a graph is compiled once per operator (and weight layout, or
 * scalar such as eps) rather than once per shape; shapes and counts travel in the shape and frame
 * arrays. Inputs are copied in and the output copied back on every call; only the requested
 * floats are written into the caller's array at its offset.
 */
final class TornadoOpKernels implements OpKernels {

    /** The smallest arrays and frame capacity a graph is built with (they double as calls outgrow them). */
    private static final int MIN_FLOATS = 1 << 16, MIN_TOKENS = 64;

    private final TornadoBackend backend;
    private final Map<String, CachedGraph> cached = new HashMap<>();
    private int counter;

    TornadoOpKernels(TornadoBackend backend) {
        this.backend = backend;
    }

    @Override public String device() { return backend.id(); }

    @Override public Optional<String> unsupported(String op, WeightFormat format) {
        if (format == null) return Optional.empty();
        return DeviceWeight.unsupported(format);
    }

    /** A one-task graph with its arrays, compiled on first use. */
    private final class OpGraph implements AutoCloseable {
        final int tokens;                 // frame capacity
        final IntArray frame, shape = new IntArray(8);
        final GridScheduler grids = new GridScheduler();
        final DeviceGraph graph;
        int units;                        // work-groups or items of the next call
        TornadoExecutionPlan plan;

        OpGraph(String op, int tokens) {
            this.tokens = tokens;
            this.frame = new IntArray(BatchFrame.size(tokens, 1));
            frame.set(BatchFrame.CAPACITY, tokens);
            frame.set(BatchFrame.MAX_RANGES, 1);
            this.graph = new DeviceGraph("op" + (counter++) + "_" + op.replaceAll("[^A-Za-z0-9]", ""), grids, backend.localSize());
        }

        Launch.Size groups() { return Launch.Size.groups((t, o) -> units); }

        Launch.Size items() { return Launch.Size.items((t, o) -> units); }

        /** Declares the arrays copied in before and out after every call, then snapshots the graph. */
        void finish(Object[] in, Object... out) {
            graph.graph.transferToDevice(DataTransferMode.EVERY_EXECUTION, in);
            graph.graph.transferToHost(DataTransferMode.EVERY_EXECUTION, out);
            plan = backend.configure(new TornadoExecutionPlan(graph.graph.snapshot())).withGridScheduler(grids);
        }

        void run(int count, int units) {
            frame.set(BatchFrame.TOKENS, count);
            frame.set(BatchFrame.OUTPUTS, count);
            this.units = units;
            graph.resize(count, count);
            plan.execute();
        }

        @Override public void close() {
            try {
                if (plan != null) plan.close();
            } catch (Exception e) {
                throw new IllegalStateException("releasing " + graph.name + ": " + e.getMessage(), e);
            }
        }
    }

    /** A cached graph with its arrays; {@link #release} frees its device memory. */
    private interface CachedGraph {
        void release();
    }

    /** The cached graph for {@code key}, rebuilt (with larger arrays) when {@code fits} says the call outgrows it. */
    private <G extends CachedGraph> G graph(String key, Predicate<G> fits, Supplier<G> build) {
        @SuppressWarnings("unchecked") G g = (G) cached.get(key);
        if (g != null && fits.test(g)) return g;
        if (g != null) g.release();
        G fresh = build.get();
        cached.put(key, fresh);
        return fresh;
    }

    private static int grow(int needed) { return Math.max(MIN_FLOATS, powerOfTwo(needed)); }

    private static int growTokens(int needed) { return Math.max(MIN_TOKENS, powerOfTwo(needed)); }

    /** The least power of two ≥ n. */
    private static int powerOfTwo(int n) { return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1; }

    private static void copyIn(float[] src, int offset, int n, FloatArray dst) {
        MemorySegment.copy(src, offset, dst.getSegment(), ValueLayout.JAVA_FLOAT, 0, n);
    }

    private static void copyOut(FloatArray src, int n, float[] dst, int offset) {
        MemorySegment.copy(src.getSegment(), ValueLayout.JAVA_FLOAT, 0, dst, offset, n);
    }

    // ---------------------------------------------------------------- matmul and embed

    /** A matmul graph for one layout: weights, x and out sized for the largest call so far. */
    private final class MatmulGraph implements CachedGraph {
        final OpGraph g;
        final DeviceTensor w;
        final FloatArray bias = new FloatArray(1), x, out;

        MatmulGraph(DeviceLayout layout, int values, int groups, int tokens, int xFloats, int outFloats) {
            g = new OpGraph("matmul" + layout, tokens);
            w = DeviceTensor.allocate(layout, values, groups);
            x = new FloatArray(xFloats);
            out = new FloatArray(outFloats);
        }

        @Override public void release() { g.close(); }
    }

    @Override public void matmul(WeightTensor w, float[] x, int tokens, float[] out, int outOffset) {
        DeviceWeight d = DeviceWeight.of(w);
        int k = w.columns(), rows = w.rows();
        MatmulGraph m = graph("matmul " + d.layout(), (MatmulGraph c) -> c.w.fits(d) && c.g.tokens >= tokens
                        && c.x.getSize() >= tokens * k && c.out.getSize() >= tokens * rows,
                () -> {
                    MatmulGraph c = new MatmulGraph(d.layout(), grow(d.valueCount()), grow(d.scaleCount()), growTokens(tokens),
                            grow(tokens * k), grow(tokens * rows));
                    c.w.pack(d, w);
                    c.w.setMatmulShape(c.g.shape, BatchFrame.TOKENS, false);
                    c.w.matmul(c.g.graph, "matmul", c.g.groups(), c.g.frame, c.g.shape, c.bias, c.x, c.out);
                    Object[] in = concat(new Object[] {c.g.frame, c.g.shape, c.bias, c.x}, c.w.arrays());
                    c.g.finish(in, c.out);
                    return c;
                });
        m.w.pack(d, w);
        m.w.setMatmulShape(m.g.shape, BatchFrame.TOKENS, false);
        copyIn(x, 0, tokens * k, m.x);
        m.g.run(tokens, rows);
        copyOut(m.out, tokens * rows, out, outOffset);
    }

    private static Object[] concat(Object[] a, Object[] b) {
        Object[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private final class EmbedGraph implements CachedGraph {
        final OpGraph g;
        final DeviceTensor table;
        final FloatArray out;

        EmbedGraph(DeviceLayout layout, int values, int groups, int tokens, int outFloats) {
            g = new OpGraph("embed" + layout, tokens);
            table = DeviceTensor.allocate(layout, values, groups);
            out = new FloatArray(outFloats);
        }

        @Override public void release() { g.close(); }
    }

    @Override public void embed(WeightTensor table, int[] tokens, float[] out, int outOffset) {
        DeviceWeight d = DeviceWeight.of(table);
        int width = table.columns(), n = tokens.length;
        EmbedGraph e = graph("embed " + d.layout(), (EmbedGraph c) -> c.table.fits(d) && c.g.tokens >= n && c.out.getSize() >= n * width,
                () -> {
                    EmbedGraph c = new EmbedGraph(d.layout(), grow(d.valueCount()), grow(d.scaleCount()), growTokens(n), grow(n * width));
                    c.table.pack(d, table);
                    c.table.setEmbedShape(c.g.shape);
                    c.table.embed(c.g.graph, "embed", c.g.items(), c.g.frame, c.g.shape, c.out);
                    c.g.finish(concat(new Object[] {c.g.frame, c.g.shape}, c.table.arrays()), c.out);
                    return c;
                });
        e.table.pack(d, table);
        e.table.setEmbedShape(e.g.shape);
        for (int t = 0; t < n; t++) e.g.frame.set(BatchFrame.tokenAt(e.g.tokens, t), tokens[t]);
        e.g.run(n, n * width);
        copyOut(e.out, n * width, out, outOffset);
    }

    // ---------------------------------------------------------------- norms, rope, softmax

    /** A graph over float arrays only: {@code arrays[0..]} in, the listed outputs back. */
    private final class FloatGraph implements CachedGraph {
        final OpGraph g;
        final FloatArray[] arrays;

        FloatGraph(String op, int tokens, int... floats) {
            g = new OpGraph(op, tokens);
            arrays = new FloatArray[floats.length];
            for (int i = 0; i < floats.length; i++) arrays[i] = new FloatArray(floats[i]);
        }

        boolean fits(int tokens, int... floats) {
            if (g.tokens < tokens) return false;
            for (int i = 0; i < floats.length; i++) if (arrays[i].getSize() < floats[i]) return false;
            return true;
        }

        @Override public void release() { g.close(); }
    }

    private FloatGraph floatGraph(String key, int tokens, int[] floats, Consumer<FloatGraph> build) {
        return graph(key, (FloatGraph c) -> c.fits(tokens, floats), () -> {
            int[] sizes = new int[floats.length];
            for (int i = 0; i < floats.length; i++) sizes[i] = grow(floats[i]);
            FloatGraph c = new FloatGraph(key, growTokens(tokens), sizes);
            build.accept(c);
            return c;
        });
    }

    @Override public void rmsNorm(float[] x, int rows, int n, float[] weight, float eps, float[] out, int outOffset) {
        FloatGraph f = floatGraph("rmsnorm eps=" + Float.floatToIntBits(eps), rows, new int[] {rows * n, n, rows * n}, c -> {
            c.g.graph.task("rmsnorm", c.g.groups(), NormKernels::rmsNorm, new KernelContext(), c.g.frame, c.g.shape, c.arrays[0], c.arrays[1],
                    c.arrays[2], eps);
            c.g.finish(new Object[] {c.g.frame, c.g.shape, c.arrays[0], c.arrays[1]}, c.arrays[2]);
        });
        f.g.shape.set(NormKernels.WIDTH, n);
        f.g.shape.set(NormKernels.GROUP_SIZE, n);
        f.g.shape.set(NormKernels.COUNT, BatchFrame.TOKENS);
        copyIn(x, 0, rows * n, f.arrays[0]);
        copyIn(weight, 0, n, f.arrays[1]);
        f.g.run(rows, rows);
        copyOut(f.arrays[2], rows * n, out, outOffset);
    }

    @Override public void rope(float[] x, int offset, int tokens, int heads, int headSize, int[] positions, RopeSpec spec) {
        int width = heads * headSize, half = spec.dims() / 2;
        FloatGraph f = floatGraph("rope", tokens, new int[] {tokens * width, 2 + half}, c -> {
            c.g.graph.task("rope", c.g.items(), RopeKernels::rope, c.g.frame, c.g.shape, c.arrays[1], c.arrays[0]);
            c.g.finish(new Object[] {c.g.frame, c.g.shape, c.arrays[0], c.arrays[1]}, c.arrays[0]);
        });
        IntArray s = f.g.shape;
        s.set(RopeKernels.HEADS, heads);
        s.set(RopeKernels.HEAD_SIZE, headSize);
        s.set(RopeKernels.DIMS, spec.dims());
        s.set(RopeKernels.NEOX, spec.pairing() == RopeSpec.Pairing.NEOX ? 1 : 0);
        s.set(RopeKernels.WIDTH, width);
        RopeParams.fill(spec, f.arrays[1]);
        for (int t = 0; t < tokens; t++) f.g.frame.set(BatchFrame.positionAt(f.g.tokens, t), positions[t]);
        copyIn(x, offset, tokens * width, f.arrays[0]);
        f.g.run(tokens, tokens * heads * half);
        copyOut(f.arrays[0], tokens * width, x, offset);
    }

    @Override public void softmax(float[] x, int offset, int rows, int n, float scale) {
        FloatGraph f = floatGraph("softmax scale=" + Float.floatToIntBits(scale), rows, new int[] {rows * n}, c -> {
            c.g.graph.task("softmax", c.g.groups(), NormKernels::softmax, new KernelContext(), c.g.frame, c.g.shape, c.arrays[0], scale);
            c.g.finish(new Object[] {c.g.frame, c.g.shape, c.arrays[0]}, c.arrays[0]);
        });
        f.g.shape.set(NormKernels.LENGTH, n);
        copyIn(x, offset, rows * n, f.arrays[0]);
        f.g.run(rows, rows);
        copyOut(f.arrays[0], rows * n, x, offset);
    }

    // ---------------------------------------------------------------- attention

    @Override public void attention(float[] q, int tokens, int heads, int kvHeads, int headSize, float[] keys, float[] values,
                                    int positions, int[] queryPositions, float[] out, int outOffset) {
        if (headSize > AttentionKernels.MAX_HEAD_SIZE) {
            throw new IllegalArgumentException("head size " + headSize + " exceeds the device attention kernel's " + AttentionKernels.MAX_HEAD_SIZE);
        }
        int qWidth = heads * headSize, kvWidth = kvHeads * headSize;
        float scale = (float) (1.0 / Math.sqrt(headSize));
        FloatGraph f = floatGraph("attention scale=" + Float.floatToIntBits(scale), tokens,
                new int[] {tokens * qWidth, positions * kvWidth, positions * kvWidth, tokens * qWidth}, c -> {
                    c.g.graph.task("attention", c.g.groups(), AttentionKernels::attention, new KernelContext(), c.g.frame, c.g.shape, c.arrays[0],
                            c.arrays[1], c.arrays[2], c.arrays[3], scale);
                    c.g.finish(new Object[] {c.g.frame, c.g.shape, c.arrays[0], c.arrays[1], c.arrays[2]}, c.arrays[3]);
                });
        IntArray s = f.g.shape, frame = f.g.frame;
        s.set(AttentionKernels.HEADS, heads);
        s.set(AttentionKernels.KV_HEADS, kvHeads);
        s.set(AttentionKernels.HEAD_SIZE, headSize);
        s.set(AttentionKernels.POSITIONS, positions);
        s.set(AttentionKernels.CACHE_BASE, 0);
        int cap = f.g.tokens;
        for (int t = 0; t < tokens; t++) {
            frame.set(BatchFrame.positionAt(cap, t), queryPositions[t]);
            frame.set(BatchFrame.slotAt(cap, t), 0);
            frame.set(BatchFrame.rangeCountAt(cap, t), 1);
            frame.set(BatchFrame.rangesAt(cap, 1, t), 0);
            frame.set(BatchFrame.rangesAt(cap, 1, t) + 1, queryPositions[t] + 1);
        }
        copyIn(q, 0, tokens * qWidth, f.arrays[0]);
        copyIn(keys, 0, positions * kvWidth, f.arrays[1]);
        copyIn(values, 0, positions * kvWidth, f.arrays[2]);
        f.g.run(tokens, tokens * heads);
        copyOut(f.arrays[3], tokens * qWidth, out, outOffset);
    }

    // ---------------------------------------------------------------- element-wise

    @Override public void swiGlu(float[] gate, float[] up, int n, float[] out, int outOffset) {
        FloatGraph f = floatGraph("swiglu", 1, new int[] {n, n, n}, c -> {
            c.g.graph.task("swiglu", c.g.items(), ElementwiseKernels::swiGlu, c.g.frame, c.g.shape, c.arrays[0], c.arrays[1], c.arrays[2]);
            c.g.finish(new Object[] {c.g.frame, c.g.shape, c.arrays[0], c.arrays[1]}, c.arrays[2]);
        });
        elementwise(f, gate, up, n, out, outOffset);
    }

    @Override public void add(float[] a, float[] b, int n, float[] out, int outOffset) {
        FloatGraph f = floatGraph("add", 1, new int[] {n, n, n}, c -> {
            c.g.graph.task("add", c.g.items(), ElementwiseKernels::add, c.g.frame, c.g.shape, c.arrays[0], c.arrays[1], c.arrays[2]);
            c.g.finish(new Object[] {c.g.frame, c.g.shape, c.arrays[0], c.arrays[1]}, c.arrays[2]);
        });
        elementwise(f, a, b, n, out, outOffset);
    }

    /** One row of n elements: the frame's count is 1, the shape's width n. */
    private static void elementwise(FloatGraph f, float[] a, float[] b, int n, float[] out, int outOffset) {
        f.g.shape.set(ElementwiseKernels.WIDTH, n);
        f.g.shape.set(ElementwiseKernels.COUNT, BatchFrame.TOKENS);
        copyIn(a, 0, n, f.arrays[0]);
        copyIn(b, 0, n, f.arrays[1]);
        f.g.run(1, n);
        copyOut(f.arrays[2], n, out, outOffset);
    }

    @Override public void close() {
        for (CachedGraph g : cached.values()) g.release();
        cached.clear();
    }
}
