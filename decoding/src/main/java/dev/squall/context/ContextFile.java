package dev.squall.context;

import dev.squall.format.GgmlType;
import dev.squall.gguf.GgufException;
import dev.squall.gguf.GgufFile;
import dev.squall.gguf.GgufMetadata;
import dev.squall.gguf.GgufTensorInfo;
import dev.squall.gguf.GgufWriter;
import dev.squall.graph.KvCache;
import dev.squall.graph.SqueezedIndex;
import dev.squall.model.Model;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The context file ({@code .sqz}): a fixed context's KV cache and its squeezed index, in a GGUF
 * container ({@code general.type = squall.context}), read back through a memory mapping.
 *
 * <pre>
 *  metadata  squall.context.version (1), .model (the ModelIdentity it belongs to), .model_name, .source,
 *            .length N, .layers, .kv_heads, .heads, .head_size, .levels (0 dense, 1, 2),
 *            .sparsity and .threshold.coarse / .threshold.fine (the calibrated selection), .centroids, .build_seconds
 *  tensors   tokens               I32 [N]
 *            logits               F32 [vocab]                the logits after the last token
 *            calibration          F32 [heads·hs, Q, layers]  the last Q queries, rotated
 *            blk.L.keys / .values F32 [kvWidth, N]           cell rows, each head in its index's cell order
 *            blk.L.clusters       I32 [kvHeads]              fine clusters per head (C_h)
 *            blk.L.starts         I32 [Σ (C_h + 1)]          first cell of each cluster, then N
 *            blk.L.centroids      F32 [Σ C_h · hs]           by dimension within a head
 *            blk.L.order          I32 [kvHeads · N]          context position of each cell (member lists)
 *            blk.L.coarse_*       the same for the coarse level (clusters, starts over fine clusters, centroids, counts)
 *            checksum             I32 [1]                    CRC-32C of every other tensor's bytes, in file order
 * </pre>
 */
public final class ContextFile {

    private ContextFile() {}

    public static final int VERSION = 1;
    static final String TYPE = "squall.context", KEY = "squall.context.";
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** What a build records besides the context itself. */
    public record BuildInfo(String modelName, String centroids, double buildSeconds) {}

    /** Writes {@code ctx} to {@code path} (replacing it). */
    public static void write(Path path, FixedContext ctx, int kvHeads, int headSize, BuildInfo info) {
        SqueezedIndex index = ctx.index();
        int n = ctx.length(), layers = ctx.calibration().length, width = kvHeads * headSize, qWidth = ctx.heads() * headSize;
        GgufWriter w = new GgufWriter();
        GgufMetadata.Builder m = w.metadata();
        m.putString("general.type", TYPE).putUint32("general.alignment", 64).putUint32(KEY + "version", VERSION)
                .putString(KEY + "model", ctx.model()).putString(KEY + "model_name", info.modelName()).putString(KEY + "source", ctx.source())
                .putUint32(KEY + "length", n).putUint32(KEY + "layers", layers).putUint32(KEY + "kv_heads", kvHeads)
                .putUint32(KEY + "heads", ctx.heads()).putUint32(KEY + "head_size", headSize)
                .putUint32(KEY + "levels", index == null ? 0 : index.hierarchical() ? 2 : 1)
                .putUint32(KEY + "max_clusters", index == null ? 0 : maxClusters(index))
                .putString(KEY + "centroids", info.centroids()).putFloat64(KEY + "build_seconds", info.buildSeconds());
        SqueezedIndex.Thresholds t = index == null ? SqueezedIndex.Thresholds.DENSE : index.thresholds();
        m.putFloat64(KEY + "sparsity", t.sparsity()).putFloat32(KEY + "threshold.coarse", t.coarse()).putFloat32(KEY + "threshold.fine", t.fine());
        w.addTensor("tokens", GgmlType.I32, new long[] {n}, s -> put(s, ctx.tokens()));
        w.addTensor("logits", GgmlType.F32, new long[] {ctx.lastLogits().length}, s -> put(s, ctx.lastLogits()));
        w.addTensor("calibration", GgmlType.F32, new long[] {qWidth, ctx.calibrationCount(), layers}, s -> {
            for (int l = 0; l < layers; l++) {
                MemorySegment.copy(ctx.calibration()[l], 0, s, FLOAT, (long) l * ctx.calibrationCount() * qWidth * 4, ctx.calibrationCount() * qWidth);
            }
        });
        for (int l = 0; l < layers; l++) {
            int layer = l;
            w.addTensor("blk." + l + ".keys", GgmlType.F32, new long[] {width, n}, s -> rows(s, ctx.rows(), layer, n, width, true));
            w.addTensor("blk." + l + ".values", GgmlType.F32, new long[] {width, n}, s -> rows(s, ctx.rows(), layer, n, width, false));
            if (index == null) continue;
            addLevel(w, "blk." + l + ".", index, l, kvHeads, headSize, false);
            if (index.hierarchical()) addLevel(w, "blk." + l + ".coarse_", index, l, kvHeads, headSize, true);
            int[] order = new int[kvHeads * n];
            for (int h = 0; h < kvHeads; h++) System.arraycopy(index.head(l, h).order(), 0, order, h * n, n);
            w.addTensor("blk." + l + ".order", GgmlType.I32, new long[] {order.length}, s -> put(s, order));
        }
        w.addTensor("checksum", GgmlType.I32, new long[] {1}, s -> {});
        w.write(path);
        try (GgufFile f = GgufFile.open(path)) {
            int crc = checksum(f);
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE); Arena arena = Arena.ofConfined()) {
                GgufTensorInfo c = f.tensor("checksum").orElseThrow();
                ch.map(FileChannel.MapMode.READ_WRITE, c.fileOffset(), 4, arena).set(INT, 0, crc);
            }
        } catch (IOException e) {
            throw new GgufException("writing the checksum of " + path + ": " + e.getMessage(), e);
        }
    }

    /** The most fine clusters of any head: what a device plan must reserve room for. */
    public static int maxClusters(SqueezedIndex index) {
        int m = 0;
        for (int l = 0; l < index.layers(); l++) for (int h = 0; h < index.kvHeads(); h++) m = Math.max(m, index.head(l, h).clusters());
        return m;
    }

    private static void addLevel(GgufWriter w, String prefix, SqueezedIndex index, int l, int kvHeads, int hs, boolean coarse) {
        int[] clusters = new int[kvHeads];
        int startCount = 0, centroidFloats = 0;
        for (int h = 0; h < kvHeads; h++) {
            SqueezedIndex.Head head = index.head(l, h);
            clusters[h] = coarse ? head.coarseClusters() : head.clusters();
            startCount += clusters[h] + 1;
            centroidFloats += clusters[h] * hs;
        }
        int[] starts = new int[startCount], counts = new int[coarse ? startCount - kvHeads : 0];
        float[] centroids = new float[centroidFloats];
        int si = 0, ci = 0, ki = 0;
        for (int h = 0; h < kvHeads; h++) {
            SqueezedIndex.Head head = index.head(l, h);
            int[] st = coarse ? head.coarseStarts() : head.starts();
            float[] ce = coarse ? head.coarseCentroids() : head.centroids();
            System.arraycopy(st, 0, starts, si, st.length);
            System.arraycopy(ce, 0, centroids, ci, ce.length);
            si += st.length;
            ci += ce.length;
            if (coarse) {
                System.arraycopy(head.coarseCounts(), 0, counts, ki, head.coarseCounts().length);
                ki += head.coarseCounts().length;
            }
        }
        w.addTensor(prefix + "clusters", GgmlType.I32, new long[] {kvHeads}, s -> put(s, clusters));
        w.addTensor(prefix + "starts", GgmlType.I32, new long[] {starts.length}, s -> put(s, starts));
        w.addTensor(prefix + "centroids", GgmlType.F32, new long[] {centroids.length}, s -> put(s, centroids));
        if (coarse) w.addTensor(prefix + "counts", GgmlType.I32, new long[] {counts.length}, s -> put(s, counts));
    }

    private static void rows(MemorySegment s, KvCache.Rows rows, int layer, int n, int width, boolean keys) {
        float[] k = new float[width], v = new float[width];
        for (int cell = 0; cell < n; cell++) {
            rows.read(layer, cell, k, v);
            MemorySegment.copy(keys ? k : v, 0, s, FLOAT, (long) cell * width * 4, width);
        }
    }

    private static void put(MemorySegment s, int[] a) { MemorySegment.copy(a, 0, s, INT, 0, a.length); }

    private static void put(MemorySegment s, float[] a) { MemorySegment.copy(a, 0, s, FLOAT, 0, a.length); }

    /** CRC-32C of every tensor's bytes but the checksum's, in file order. */
    private static int checksum(GgufFile f) {
        CRC32C crc = new CRC32C();
        for (GgufTensorInfo t : f.tensors()) if (!t.name().equals("checksum")) crc.update(f.data(t).asByteBuffer());
        return (int) crc.getValue();
    }

    /**
     * Opens a context file for {@code model}: checks its type, version, checksum and shapes, and that
     * it was built with this model; the KV rows stay in the mapping (close the returned file after
     * the rows are loaded into a cache). Every problem is an {@link IllegalArgumentException} naming
     * the file and what is wrong.
     */
    public static Opened open(Path path, Model model) {
        GgufFile f;
        try {
            f = GgufFile.open(path);
        } catch (GgufException e) {
            throw new IllegalArgumentException("--context " + path + ": not a context file: " + e.getMessage(), e);
        }
        try {
            return new Opened(f, read(f, path, model));
        } catch (RuntimeException e) {
            f.close();
            throw e instanceof IllegalArgumentException ? e : new IllegalArgumentException("--context " + path + ": " + e.getMessage(), e);
        }
    }

    /** A context read from a mapped file; the file holds its rows. */
    public record Opened(GgufFile file, FixedContext context) implements AutoCloseable {
        @Override public void close() { file.close(); }
    }

    private static FixedContext read(GgufFile f, Path path, Model model) {
        String where = "--context " + path;
        GgufMetadata m = f.metadata();
        String type = m.getString("general.type", "");
        if (!type.equals(TYPE)) throw new IllegalArgumentException(where + ": general.type is '" + type + "', not " + TYPE + " (build one with 'squall context build')");
        long version = m.getLong(KEY + "version", -1);
        if (version != VERSION) throw new IllegalArgumentException(where + ": " + KEY + "version is " + version + "; this Squall reads version " + VERSION);
        int crc = checksum(f);
        int stored = f.tensor("checksum").map(t -> f.data(t).get(INT, 0)).orElseThrow(() -> new IllegalArgumentException(where + ": no checksum tensor"));
        if (crc != stored) throw new IllegalArgumentException(where + ": checksum mismatch (stored " + Integer.toHexString(stored) + ", computed " + Integer.toHexString(crc) + "): the file is damaged");
        String identity = ModelIdentity.of(model);
        if (!m.getString(KEY + "model").equals(identity)) {
            throw new IllegalArgumentException(where + ": built with another model (" + m.getString(KEY + "model_name", "?") + ", identity "
                    + m.getString(KEY + "model").substring(0, 12) + "…), not " + model.config().name() + " (identity " + identity.substring(0, 12) + "…)");
        }
        int n = m.getInt(KEY + "length"), layers = m.getInt(KEY + "layers"), kvHeads = m.getInt(KEY + "kv_heads"), heads = m.getInt(KEY + "heads");
        int hs = m.getInt(KEY + "head_size"), levels = m.getInt(KEY + "levels");
        var c = model.config();
        if (layers != c.layers() || kvHeads != c.kvHeads() || heads != c.heads() || hs != c.headSize()) {
            throw new IllegalArgumentException(where + ": its shape (" + layers + " layers, " + heads + "/" + kvHeads + " heads of " + hs + ") is not the model's");
        }
        if (levels < 0 || levels > 2) throw new IllegalArgumentException(where + ": " + KEY + "levels is " + levels + ", expected 0, 1 or 2");
        int width = kvHeads * hs;
        int[] tokens = ints(f, where, "tokens", n);
        float[] logits = floats(f, where, "logits", model.graph().vocabSize());
        GgufTensorInfo cal = tensor(f, where, "calibration", GgmlType.F32);
        if (cal.nDims() != 3 || cal.dim(0) != (long) heads * hs || cal.dim(2) != layers) throw new IllegalArgumentException(where + ": tensor calibration has shape " + Arrays.toString(cal.dims()));
        int count = (int) cal.dim(1);
        float[][] calibration = new float[layers][];
        MemorySegment cs = f.data(cal);
        for (int l = 0; l < layers; l++) calibration[l] = cs.asSlice((long) l * count * heads * hs * 4, (long) count * heads * hs * 4).toArray(FLOAT);
        MemorySegment[] keys = new MemorySegment[layers], values = new MemorySegment[layers];
        SqueezedIndex.Head[] indexHeads = levels == 0 ? null : new SqueezedIndex.Head[layers * kvHeads];
        for (int l = 0; l < layers; l++) {
            keys[l] = f.data(matrix(f, where, "blk." + l + ".keys", width, n));
            values[l] = f.data(matrix(f, where, "blk." + l + ".values", width, n));
            if (levels == 0) continue;
            int[] order = ints(f, where, "blk." + l + ".order", kvHeads * n);
            Level fine = level(f, where, "blk." + l + ".", kvHeads, hs, false);
            Level coarse = levels == 2 ? level(f, where, "blk." + l + ".coarse_", kvHeads, hs, true) : null;
            for (int h = 0; h < kvHeads; h++) {
                indexHeads[l * kvHeads + h] = new SqueezedIndex.Head(fine.centroids[h], fine.starts[h], coarse == null ? null : coarse.centroids[h],
                        coarse == null ? null : coarse.starts[h], coarse == null ? null : coarse.counts[h], Arrays.copyOfRange(order, h * n, (h + 1) * n));
            }
        }
        SqueezedIndex index = null;
        if (levels > 0) {
            SqueezedIndex.Thresholds t = new SqueezedIndex.Thresholds(m.getDouble(KEY + "sparsity"), m.getFloat(KEY + "threshold.coarse"), m.getFloat(KEY + "threshold.fine"));
            try {
                index = new SqueezedIndex(layers, kvHeads, hs, n, indexHeads, t);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
        }
        KvCache.Rows rows = new KvCache.Rows() {
            @Override public int length() { return n; }

            @Override public void read(int layer, int cell, float[] key, float[] value) {
                MemorySegment.copy(keys[layer], FLOAT, (long) cell * width * 4, key, 0, width);
                MemorySegment.copy(values[layer], FLOAT, (long) cell * width * 4, value, 0, width);
            }
        };
        return new FixedContext(tokens, rows, index, calibration, count, heads, logits, identity, m.getString(KEY + "source", path.toString()));
    }

    private record Level(float[][] centroids, int[][] starts, int[][] counts) {}

    private static Level level(GgufFile f, String where, String prefix, int kvHeads, int hs, boolean coarse) {
        int[] clusters = ints(f, where, prefix + "clusters", kvHeads);
        long startCount = 0, centroidFloats = 0;
        for (int h = 0; h < kvHeads; h++) {
            if (clusters[h] < 1) throw new IllegalArgumentException(where + ": tensor " + prefix + "clusters gives head " + h + " " + clusters[h] + " clusters");
            startCount += clusters[h] + 1;
            centroidFloats += (long) clusters[h] * hs;
        }
        int[] starts = ints(f, where, prefix + "starts", Math.toIntExact(startCount));
        float[] centroids = floats(f, where, prefix + "centroids", Math.toIntExact(centroidFloats));
        int[] counts = coarse ? ints(f, where, prefix + "counts", Math.toIntExact(startCount - kvHeads)) : null;
        float[][] ce = new float[kvHeads][];
        int[][] st = new int[kvHeads][], co = coarse ? new int[kvHeads][] : null;
        int si = 0, ci = 0, ki = 0;
        for (int h = 0; h < kvHeads; h++) {
            st[h] = Arrays.copyOfRange(starts, si, si + clusters[h] + 1);
            ce[h] = Arrays.copyOfRange(centroids, ci, ci + clusters[h] * hs);
            si += clusters[h] + 1;
            ci += clusters[h] * hs;
            if (coarse) {
                co[h] = Arrays.copyOfRange(counts, ki, ki + clusters[h]);
                ki += clusters[h];
            }
        }
        return new Level(ce, st, co);
    }

    private static GgufTensorInfo tensor(GgufFile f, String where, String name, GgmlType type) {
        GgufTensorInfo t = f.tensor(name).orElseThrow(() -> new IllegalArgumentException(where + ": no tensor " + name));
        if (t.type() != type) throw new IllegalArgumentException(where + ": tensor " + name + " is " + t.type() + ", expected " + type);
        return t;
    }

    private static GgufTensorInfo matrix(GgufFile f, String where, String name, int width, int n) {
        GgufTensorInfo t = tensor(f, where, name, GgmlType.F32);
        if (t.nDims() != 2 || t.dim(0) != width || t.dim(1) != n) throw new IllegalArgumentException(where + ": tensor " + name + " has shape " + Arrays.toString(t.dims()) + ", expected [" + width + ", " + n + "]");
        return t;
    }

    private static int[] ints(GgufFile f, String where, String name, int count) {
        GgufTensorInfo t = tensor(f, where, name, GgmlType.I32);
        if (t.elementCount() != count) throw new IllegalArgumentException(where + ": tensor " + name + " holds " + t.elementCount() + " values, expected " + count);
        return f.data(t).toArray(INT);
    }

    private static float[] floats(GgufFile f, String where, String name, int count) {
        GgufTensorInfo t = tensor(f, where, name, GgmlType.F32);
        if (t.elementCount() != count) throw new IllegalArgumentException(where + ": tensor " + name + " holds " + t.elementCount() + " values, expected " + count);
        return f.data(t).toArray(FLOAT);
    }
}
