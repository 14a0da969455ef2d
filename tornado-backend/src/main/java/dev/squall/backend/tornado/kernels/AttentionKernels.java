package dev.squall.backend.tornado.kernels;

import dev.squall.backend.device.BatchFrame;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The KV cache write and grouped-query attention over the device-resident cache (oracle
 * {@link dev.squall.ops.Attention#oracle}). The cache is two arrays (keys, values) of
 * {@code layers × slots × positionsPerSlot × kvWidth} floats; a layer's part starts at
 * {@code shape[CACHE_BASE]}, and a token's sequence owns a slot (frame).
 * Shape: {@code [HEADS, KV_HEADS, HEAD_SIZE, POSITIONS (per slot), CACHE_BASE]}.
 */
public final class AttentionKernels {

    private AttentionKernels() {}

    public static final int HEADS = 0, KV_HEADS = 1, HEAD_SIZE = 2, POSITIONS = 3, CACHE_BASE = 4, SHAPE = 5;

    /** Visible positions scored per pass (local memory holds their scores and positions). */
    public static final int CHUNK = 256;

    /** The largest head size the attention kernel takes (its query and accumulator live in local memory). */
    public static final int MAX_HEAD_SIZE = 256;

    /**
     * Stores every token's key and value row at its slot and cell. Launch: a {@code @Parallel}
     * loop over the {@code T × kvWidth} elements. Reads the frame, k and v; writes keys and values.
     */
    public static void storeKv(IntArray frame, IntArray shape, FloatArray k, FloatArray v, FloatArray keys, FloatArray values) {
        int kvWidth = shape.get(KV_HEADS) * shape.get(HEAD_SIZE), positions = shape.get(POSITIONS), base = shape.get(CACHE_BASE);
        int capacity = frame.get(BatchFrame.CAPACITY);
        int n = frame.get(BatchFrame.TOKENS) * kvWidth;
        for (@Parallel int i = 0; i < n; i++) {
            int t = i / kvWidth;
            int at = base + (frame.get(BatchFrame.slotAt(capacity, t)) * positions + frame.get(BatchFrame.cellAt(capacity, t))) * kvWidth + i % kvWidth;
            keys.set(at, k.get(i));
            values.set(at, v.get(i));
        }
    }

    /**
     * {@code out[t][h] = Σ_j softmax_j(q[t][h]·k_j · scale) · v_j} over the visible positions j of
     * token t (its ranges in the frame), query head h reading KV head {@code h / (heads / kvHeads)}.
     *
     * <p>Launch: one work-group of {@link Workgroups#forDevice} work-items per (token, query head);
     * global {@code T × heads × local size}. The visible positions are taken in passes of {@link #CHUNK}:
     * the work-items score them (a dot product each, in order), the pass's maximum and sum are
     * reduced in fixed trees, and each work-item updates its own output elements over the pass's
     * positions in order, rescaling by the running maximum (online softmax). The passes start at
     * the same visible positions whatever the batch, so a token's result is the same alone or
     * batched. Reads the frame, q, keys, values; writes out ({@code T × heads·headSize}).
     */
    public static void attention(KernelContext ctx, IntArray frame, IntArray shape, FloatArray q, FloatArray keys, FloatArray values,
                                 FloatArray out, float scale) {
        int heads = shape.get(HEADS), kvHeads = shape.get(KV_HEADS), headSize = shape.get(HEAD_SIZE), positions = shape.get(POSITIONS);
        int base = shape.get(CACHE_BASE);
        int capacity = frame.get(BatchFrame.CAPACITY), maxRanges = frame.get(BatchFrame.MAX_RANGES);
        int g = ctx.groupIdx, lid = ctx.localIdx, local = ctx.localGroupSizeX;
        float[] scores = ctx.allocateFloatLocalArray(CHUNK);
        int[] where = ctx.allocateIntLocalArray(CHUNK);
        float[] query = ctx.allocateFloatLocalArray(MAX_HEAD_SIZE);
        float[] acc = ctx.allocateFloatLocalArray(MAX_HEAD_SIZE);
        float[] partial = ctx.allocateFloatLocalArray(Workgroups.MAX_LOCAL);
        if (g < frame.get(BatchFrame.TOKENS) * heads) {
            int t = g / heads, h = g % heads;
            int kvWidth = kvHeads * headSize;
            int kvOffset = (h / (heads / kvHeads)) * headSize;
            int qBase = (t * heads + h) * headSize;
            int slotBase = frame.get(BatchFrame.slotAt(capacity, t)) * positions;
            int rangeCount = frame.get(BatchFrame.rangeCountAt(capacity, t));
            int ranges = BatchFrame.rangesAt(capacity, maxRanges, t);
            int visible = 0;
            for (int r = 0; r < rangeCount; r++) visible += frame.get(ranges + 2 * r + 1) - frame.get(ranges + 2 * r);
            for (int d = lid; d < headSize; d += local) {
                query[d] = q.get(qBase + d);
                acc[d] = 0f;
            }
            float runningMax = 0f, runningSum = 0f;
            for (int c0 = 0; c0 < visible; c0 += CHUNK) {
                int len = TornadoMath.min(CHUNK, visible - c0);
                ctx.localBarrier();
                float max = -3.4028235e38f;
                for (int j = lid; j < len; j += local) {
                    int rest = c0 + j, pos = 0;
                    for (int r = 0; r < rangeCount; r++) {
                        int start = frame.get(ranges + 2 * r), length = frame.get(ranges + 2 * r + 1) - start;
                        if (rest >= 0 && rest < length) pos = start + rest;
                        rest -= length;
                    }
                    int kBase = base + (slotBase + pos) * kvWidth + kvOffset;
                    float dot = 0f;
                    for (int i = 0; i < headSize; i++) dot += query[i] * keys.get(kBase + i);
                    float s = dot * scale;
                    scores[j] = s;
                    where[j] = pos;
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
}
