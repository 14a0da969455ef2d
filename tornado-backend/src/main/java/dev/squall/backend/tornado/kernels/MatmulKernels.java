package dev.squall.backend.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * Matrix times a batch of vectors, one kernel per device layout: {@code out[t·rows + r] = Σ_i
 * W[r][i]·x[t·k + i] (+ bias[r])} for every row r and every token t of the call. The oracle is
 * {@link dev.squall.ops.Matmul#oracle}.
 *
 * <p>Launch: global {@code rows × LOCAL}, local {@link Workgroups#LOCAL}: one work-group per output
 * row, fixed whatever the batch. Work-item l sums elements {@code l, l + LOCAL, …} of the row in
 * order, then the work-group adds the {@code LOCAL} partial sums in a fixed tree in local memory;
 * the work-group loops over the call's tokens (read from the frame), so each row is read from
 * memory once per call and a token's result does not depend on how many tokens came with it.
 *
 * <p>Reads {@code frame[shape[COUNT]]} (the token or output count), the weight arrays, {@code x}
 * ({@code count × k}) and {@code bias} (used when {@code shape[BIAS] != 0}, otherwise any array);
 * writes {@code out} ({@code count × rows}).
 */
public final class MatmulKernels {

    private MatmulKernels() {}

    /** Shape: output rows, row length k, frame index of the count, whether a bias is added, elements per scale. */
    public static final int ROWS = 0, COLUMNS = 1, COUNT = 2, BIAS = 3, GROUP = 4, SHAPE = 5;

    public static void matmulF32(KernelContext ctx, IntArray frame, IntArray shape, FloatArray w, FloatArray bias, FloatArray x, FloatArray out) {
        int rows = shape.get(ROWS), k = shape.get(COLUMNS), count = frame.get(shape.get(COUNT)), withBias = shape.get(BIAS);
        int r = ctx.groupIdx, lid = ctx.localIdx;
        float[] partial = ctx.allocateFloatLocalArray(Workgroups.LOCAL);
        int row = r * k;
        for (int t = 0; t < count; t++) {
            float acc = 0f;
            for (int i = lid; i < k; i += Workgroups.LOCAL) acc += w.get(row + i) * x.get(t * k + i);
            partial[lid] = acc;
            for (int s = Workgroups.LOCAL / 2; s > 0; s >>= 1) {
                ctx.localBarrier();
                if (lid < s) partial[lid] += partial[lid + s];
            }
            if (lid == 0) out.set(t * rows + r, withBias != 0 ? partial[0] + bias.get(r) : partial[0]);
            ctx.localBarrier();
        }
    }

    public static void matmulF16(KernelContext ctx, IntArray frame, IntArray shape, ShortArray w, FloatArray exponents, FloatArray bias,
                                 FloatArray x, FloatArray out) {
        int rows = shape.get(ROWS), k = shape.get(COLUMNS), count = frame.get(shape.get(COUNT)), withBias = shape.get(BIAS);
        int r = ctx.groupIdx, lid = ctx.localIdx;
        float[] partial = ctx.allocateFloatLocalArray(Workgroups.LOCAL);
        int row = r * k;
        for (int t = 0; t < count; t++) {
            float acc = 0f;
            for (int i = lid; i < k; i += Workgroups.LOCAL) acc += Decode.f16(w, row + i, exponents) * x.get(t * k + i);
            partial[lid] = acc;
            for (int s = Workgroups.LOCAL / 2; s > 0; s >>= 1) {
                ctx.localBarrier();
                if (lid < s) partial[lid] += partial[lid + s];
            }
            if (lid == 0) out.set(t * rows + r, withBias != 0 ? partial[0] + bias.get(r) : partial[0]);
            ctx.localBarrier();
        }
    }

    public static void matmulBF16(KernelContext ctx, IntArray frame, IntArray shape, ShortArray w, FloatArray exponents, FloatArray bias,
                                  FloatArray x, FloatArray out) {
        int rows = shape.get(ROWS), k = shape.get(COLUMNS), count = frame.get(shape.get(COUNT)), withBias = shape.get(BIAS);
        int r = ctx.groupIdx, lid = ctx.localIdx;
        float[] partial = ctx.allocateFloatLocalArray(Workgroups.LOCAL);
        int row = r * k;
        for (int t = 0; t < count; t++) {
            float acc = 0f;
            for (int i = lid; i < k; i += Workgroups.LOCAL) acc += Decode.bf16(w, row + i, exponents) * x.get(t * k + i);
            partial[lid] = acc;
            for (int s = Workgroups.LOCAL / 2; s > 0; s >>= 1) {
                ctx.localBarrier();
                if (lid < s) partial[lid] += partial[lid + s];
            }
            if (lid == 0) out.set(t * rows + r, withBias != 0 ? partial[0] + bias.get(r) : partial[0]);
            ctx.localBarrier();
        }
    }

    /** INT8_GROUPS (Q8_0, Q6_K): {@code shape[GROUP]} elements per scale. */
    public static void matmulInt8Groups(KernelContext ctx, IntArray frame, IntArray shape, ByteArray q, FloatArray scales, FloatArray bias,
                                        FloatArray x, FloatArray out) {
        int rows = shape.get(ROWS), k = shape.get(COLUMNS), count = frame.get(shape.get(COUNT)), withBias = shape.get(BIAS);
        int group = shape.get(GROUP);
        int r = ctx.groupIdx, lid = ctx.localIdx;
        float[] partial = ctx.allocateFloatLocalArray(Workgroups.LOCAL);
        int row = r * k;
        for (int t = 0; t < count; t++) {
            float acc = 0f;
            for (int i = lid; i < k; i += Workgroups.LOCAL) acc += Decode.int8(q, scales, row + i, group) * x.get(t * k + i);
            partial[lid] = acc;
            for (int s = Workgroups.LOCAL / 2; s > 0; s >>= 1) {
                ctx.localBarrier();
                if (lid < s) partial[lid] += partial[lid + s];
            }
            if (lid == 0) out.set(t * rows + r, withBias != 0 ? partial[0] + bias.get(r) : partial[0]);
            ctx.localBarrier();
        }
    }

    public static void matmulQ4_0(KernelContext ctx, IntArray frame, IntArray shape, ByteArray q, FloatArray scales, FloatArray bias,
                                  FloatArray x, FloatArray out) {
        int rows = shape.get(ROWS), k = shape.get(COLUMNS), count = frame.get(shape.get(COUNT)), withBias = shape.get(BIAS);
        int r = ctx.groupIdx, lid = ctx.localIdx;
        float[] partial = ctx.allocateFloatLocalArray(Workgroups.LOCAL);
        int row = r * k;
        for (int t = 0; t < count; t++) {
            float acc = 0f;
            for (int i = lid; i < k; i += Workgroups.LOCAL) acc += Decode.q4_0(q, scales, row + i) * x.get(t * k + i);
            partial[lid] = acc;
            for (int s = Workgroups.LOCAL / 2; s > 0; s >>= 1) {
                ctx.localBarrier();
                if (lid < s) partial[lid] += partial[lid + s];
            }
            if (lid == 0) out.set(t * rows + r, withBias != 0 ? partial[0] + bias.get(r) : partial[0]);
            ctx.localBarrier();
        }
    }

    /** Q4_AFFINE (Q4_K repacked): scale · nibble − min per 32 elements. */
    public static void matmulQ4Affine(KernelContext ctx, IntArray frame, IntArray shape, ByteArray q, FloatArray scales, FloatArray mins,
                                      FloatArray bias, FloatArray x, FloatArray out) {
        int rows = shape.get(ROWS), k = shape.get(COLUMNS), count = frame.get(shape.get(COUNT)), withBias = shape.get(BIAS);
        int r = ctx.groupIdx, lid = ctx.localIdx;
        float[] partial = ctx.allocateFloatLocalArray(Workgroups.LOCAL);
        int row = r * k;
        for (int t = 0; t < count; t++) {
            float acc = 0f;
            for (int i = lid; i < k; i += Workgroups.LOCAL) acc += Decode.q4Affine(q, scales, mins, row + i) * x.get(t * k + i);
            partial[lid] = acc;
            for (int s = Workgroups.LOCAL / 2; s > 0; s >>= 1) {
                ctx.localBarrier();
                if (lid < s) partial[lid] += partial[lid + s];
            }
            if (lid == 0) out.set(t * rows + r, withBias != 0 ? partial[0] + bias.get(r) : partial[0]);
            ctx.localBarrier();
        }
    }
}
