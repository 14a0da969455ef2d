package dev.squall.backend.tornado.kernels;

import dev.squall.backend.device.BatchFrame;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Squeezed Attention with one level of centroids on the device (oracle: {@link dev.squall.ops.SqueezedSelection} then
 * {@link dev.squall.ops.Attention#oracle} over the kept cells): the key index of the fixed context
 * lives beside the KV cache in two arrays, and each (token, query head) work-group selects its
 * fixed-context cells and attends exactly over them and the rest of its visible cells.
 *
 * <pre>
 *  index ints (IntArray)                         index floats (FloatArray)
 *  [FIXED] N of the loaded context, 0: none      [CENTROIDS ..) centroids, by dimension per head
 *  [LEVELS] 1 or 2                               [scoreBase ..) scratch: (maxC + maxK) scores per (token, head)
 *  [MAX_CLUSTERS] C capacity per head
 *  [RANGE_STRIDE] ints of range scratch per (token, head)
 *  [RANGE_BASE] where the range scratch starts
 *  [SCORE_BASE] where the score scratch starts (in the floats)
 *  [META + 8·(layer·kvHeads + h)]: C, centroid base, starts base (C + 1 cells); the rest unused
 *  call floats (FloatArray, uploaded with the frame): [FINE] threshold, [SCALE] 1/√headSize ([COARSE] unused)
 * </pre>
 * A token whose frame entry {@link BatchFrame#fixedAt} is N > 0 sees the whole fixed context: its
 * cells [0, N) are replaced by the kept clusters' runs; any other token attends over its frame ranges.
 */
public final class SqueezedKernels {

    private SqueezedKernels() {}

    public static final int FIXED = 0, LEVELS = 1, MAX_CLUSTERS = 2, RANGE_STRIDE = 3, RANGE_BASE = 4, SCORE_BASE = 5, META = 8, META_INTS = 8;
    public static final int COARSE = 0, FINE = 1, SCALE = 2, CALL_FLOATS = 4;
    /** Where the centroids start in the index floats. */
    public static final int CENTROIDS = 4;

    /**
     * The attention of every (token, query head), as {@link AttentionKernels#attention} but over
     * a list of cell ranges that the work-group first writes to its range scratch: for a squeezed
     * token the kept clusters' runs (one level, selection as {@link dev.squall.ops.SqueezedSelection#select},
     * scores in the score scratch) followed by its frame ranges beyond the fixed context, for any
     * other token its frame ranges. Work-item 0 builds the list and, per pass of
     * {@link AttentionKernels#CHUNK} cells, the cells of the pass; all reductions are fixed trees.
     * Launch: one work-group per (token, query head). Reads frame, call floats, index, q, keys,
     * values; writes out and the scratch regions.
     */
    public static void attention(KernelContext ctx, IntArray frame, IntArray shape, FloatArray call, IntArray ix, FloatArray fx,
                                 FloatArray q, FloatArray keys, FloatArray values, FloatArray out, int layer) {
        int heads = shape.get(AttentionKernels.HEADS), kvHeads = shape.get(AttentionKernels.KV_HEADS), headSize = shape.get(AttentionKernels.HEAD_SIZE);
        int positions = shape.get(AttentionKernels.POSITIONS), base = shape.get(AttentionKernels.CACHE_BASE);
        int capacity = frame.get(BatchFrame.CAPACITY), maxRanges = frame.get(BatchFrame.MAX_RANGES);
        int g = ctx.groupIdx, lid = ctx.localIdx, local = ctx.localGroupSizeX;
        float[] scores = ctx.allocateFloatLocalArray(AttentionKernels.CHUNK);
        int[] where = ctx.allocateIntLocalArray(AttentionKernels.CHUNK);
        float[] query = ctx.allocateFloatLocalArray(AttentionKernels.MAX_HEAD_SIZE);
        float[] acc = ctx.allocateFloatLocalArray(AttentionKernels.MAX_HEAD_SIZE);
        float[] partial = ctx.allocateFloatLocalArray(Workgroups.MAX_LOCAL);
        int[] shared = ctx.allocateIntLocalArray(4);
        if (g < frame.get(BatchFrame.TOKENS) * heads) {
            int t = g / heads, h = g % heads;
            int kvWidth = kvHeads * headSize, kvh = h / (heads / kvHeads);
            int kvOffset = kvh * headSize;
            int qBase = (t * heads + h) * headSize;
            int slotBase = frame.get(BatchFrame.slotAt(capacity, t)) * positions;
            int rangeCount = frame.get(BatchFrame.rangeCountAt(capacity, t));
            int ranges = BatchFrame.rangesAt(capacity, maxRanges, t);
            int fixed = frame.get(BatchFrame.fixedAt(capacity, t));
            int list = ix.get(RANGE_BASE) + g * ix.get(RANGE_STRIDE);
            int sBase = ix.get(SCORE_BASE) + g * 2 * ix.get(MAX_CLUSTERS);
            float scale = call.get(SCALE);
            for (int d = lid; d < headSize; d += local) {
                query[d] = q.get(qBase + d);
                acc[d] = 0f;
            }
            ctx.localBarrier();
            if (fixed > 0) {
                int meta = META + META_INTS * (layer * kvHeads + kvh);
                int c = ix.get(meta), cb = ix.get(meta + 1), sb = ix.get(meta + 2);
                float fineT = call.get(FINE);
                // centroid scores and log Σ n_c e^{s_c}
                float m = -3.4028235e38f;
                for (int f = lid; f < c; f += local) {
                    float s = 0f;
                    for (int d = 0; d < headSize; d++) s += query[d] * fx.get(cb + d * c + f);
                    s = s * scale;
                    fx.set(sBase + f, s);
                    m = TornadoMath.max(m, s);
                }
                partial[lid] = m;
                for (int s = local / 2; s > 0; s >>= 1) {
                    ctx.localBarrier();
                    if (lid < s) partial[lid] = TornadoMath.max(partial[lid], partial[lid + s]);
                }
                ctx.globalBarrier();
                float mf = partial[0];
                ctx.localBarrier();
                float sum = 0f;
                for (int f = lid; f < c; f += local) sum += (ix.get(sb + f + 1) - ix.get(sb + f)) * TornadoMath.exp(fx.get(sBase + f) - mf);
                partial[lid] = sum;
                for (int s = local / 2; s > 0; s >>= 1) {
                    ctx.localBarrier();
                    if (lid < s) partial[lid] += partial[lid + s];
                }
                ctx.localBarrier();
                float logZ = mf + TornadoMath.log(partial[0]);
                if (lid == 0) {
                    int n = 0, open = -1;
                    for (int f = 0; f < c; f++) {
                        if (fx.get(sBase + f) - logZ >= fineT) {
                            if (open < 0) open = ix.get(sb + f);
                        } else if (open >= 0) {
                            ix.set(list + 2 * n, open);
                            ix.set(list + 2 * n + 1, ix.get(sb + f));
                            n++;
                            open = -1;
                        }
                    }
                    if (open >= 0) {
                        ix.set(list + 2 * n, open);
                        ix.set(list + 2 * n + 1, ix.get(sb + c));
                        n++;
                    }
                    int end0 = frame.get(ranges + 1);
                    if (end0 > fixed) {
                        ix.set(list + 2 * n, fixed);
                        ix.set(list + 2 * n + 1, end0);
                        n++;
                    }
                    for (int r = 1; r < rangeCount; r++) {
                        ix.set(list + 2 * n, frame.get(ranges + 2 * r));
                        ix.set(list + 2 * n + 1, frame.get(ranges + 2 * r + 1));
                        n++;
                    }
                    shared[0] = n;
                }
            } else if (lid == 0) {
                for (int r = 0; r < rangeCount; r++) {
                    ix.set(list + 2 * r, frame.get(ranges + 2 * r));
                    ix.set(list + 2 * r + 1, frame.get(ranges + 2 * r + 1));
                }
                shared[0] = rangeCount;
            }
            ctx.localBarrier();
            int count = shared[0];
            int visible = 0;
            for (int r = 0; r < count; r++) visible += ix.get(list + 2 * r + 1) - ix.get(list + 2 * r);
            // work-item 0's cursor over the list: range shared[1], cell shared[2] within it
            if (lid == 0) {
                shared[1] = 0;
                shared[2] = 0;
            }
            float runningMax = 0f, runningSum = 0f;
            for (int c0 = 0; c0 < visible; c0 += AttentionKernels.CHUNK) {
                int len = TornadoMath.min(AttentionKernels.CHUNK, visible - c0);
                ctx.localBarrier();
                if (lid == 0) {
                    int r = shared[1], off = shared[2];
                    for (int j = 0; j < len; j++) {
                        while (ix.get(list + 2 * r) + off >= ix.get(list + 2 * r + 1)) {
                            r++;
                            off = 0;
                        }
                        where[j] = ix.get(list + 2 * r) + off;
                        off++;
                    }
                    shared[1] = r;
                    shared[2] = off;
                }
                ctx.localBarrier();
                float max = -3.4028235e38f;
                for (int j = lid; j < len; j += local) {
                    int kBase = base + (slotBase + where[j]) * kvWidth + kvOffset;
                    float dot = 0f;
                    for (int i = 0; i < headSize; i++) dot += query[i] * keys.get(kBase + i);
                    float s = dot * scale;
                    scores[j] = s;
                    max = TornadoMath.max(max, s);
                }
                partial[lid] = max;
                for (int s = local / 2; s > 0; s >>= 1) {
                    ctx.localBarrier();
                    if (lid < s) partial[lid] = TornadoMath.max(partial[lid], partial[lid + s]);
                }
                ctx.localBarrier();
                float newMax = c0 == 0 ? partial[0] : TornadoMath.max(runningMax, partial[0]);
                float rescale = c0 == 0 ? 0f : TornadoMath.exp(runningMax - newMax);
                ctx.localBarrier();
                float sum = 0f;
                for (int j = lid; j < len; j += local) {
                    float e = TornadoMath.exp(scores[j] - newMax);
                    scores[j] = e;
                    sum += e;
                }
                partial[lid] = sum;
                for (int s = local / 2; s > 0; s >>= 1) {
                    ctx.localBarrier();
                    if (lid < s) partial[lid] += partial[lid + s];
                }
                ctx.localBarrier();
                runningSum = runningSum * rescale + partial[0];
                runningMax = newMax;
                for (int d = lid; d < headSize; d += local) {
                    float a = acc[d] * rescale;
                    for (int j = 0; j < len; j++) a += scores[j] * values.get(base + (slotBase + where[j]) * kvWidth + kvOffset + d);
                    acc[d] = a;
                }
            }
            for (int d = lid; d < headSize; d += local) out.set(qBase + d, acc[d] / runningSum);
        }
    }

    /**
     * Loads a staged block into the index and the cache. {@code args}: [0] index ints to copy,
     * [1] index floats to copy, [2] KV cells to copy, [3] first cell, [4] slot, [5] kvWidth,
     * [6] positions per slot, [7] slots, [8] layers; then the index ints. {@code staged}: the index
     * floats, then per layer the cells' keys then their values. Launch: a {@code @Parallel} loop
     * over the largest of the three counts.
     */
    public static void load(IntArray args, FloatArray staged, IntArray ix, FloatArray fx, FloatArray keys, FloatArray values) {
        int ints = args.get(0), floats = args.get(1), cells = args.get(2), first = args.get(3), slot = args.get(4);
        int kvWidth = args.get(5), positions = args.get(6), slots = args.get(7), layers = args.get(8);
        int perLayer = cells * kvWidth;
        int n = TornadoMath.max(TornadoMath.max(ints, floats), layers * perLayer);
        for (@Parallel int i = 0; i < n; i++) {
            if (i < ints) ix.set(i, args.get(ARGS + i));
            if (i < floats) fx.set(i, staged.get(i));
            if (i < layers * perLayer) {
                int l = i / perLayer, within = i % perLayer;
                int at = l * slots * positions * kvWidth + (slot * positions + first) * kvWidth + within;
                keys.set(at, staged.get(floats + 2 * l * perLayer + within));
                values.set(at, staged.get(floats + (2 * l + 1) * perLayer + within));
            }
        }
    }

    /** Ints of {@link #load}'s arguments before the index ints. */
    public static final int ARGS = 9;
}
