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
 * <p>Launch: global {@code rows × L}, local L (the device's work-group size, {@link Workgroups#forDevice}):
 * one work-group per output row, whatever the batch. The work-group takes the call's tokens (count
 * from the frame) {@value #BLOCK} at a time, then the rest one at a time: work-item l decodes
 * elements {@code l, l + L, …} of the row once per block and adds their products with each token
 * to that token's own running sum, in order; the work-group then adds the L partial sums of each
 * token in a fixed tree in local memory. A token's sum takes the same steps in a block or alone,
 * so its result does not depend on the batch (the validation suite's invariants check this bit
 * for bit).
 *
 * <p>Reads {@code frame[shape[COUNT]]} (the token or output count), the weight arrays, {@code x}
 * ({@code count × k}) and {@code bias} (used when
 * {@code shape[BIAS] != 0}, otherwise any array); writes {@code out} ({@code count × rows}).
 * The nine kernels differ only in the {@link Decode} call: TornadoVM compiles one method per kernel
 * and takes no decoder as a parameter.
 */
public final class MatmulKernels {

    private MatmulKernels() {}

    /** Shape: output rows, row length k, frame index of the count, whether a bias is added, log2 of the elements per scale. */
    public static final int ROWS = 0, COLUMNS = 1, COUNT = 2, BIAS = 3, GROUP_SHIFT = 4, SHAPE = 5;

    /** Tokens a work-group sums together (one decoded weight serves all of them). */
    public static final int BLOCK = 4;

    private static final int M = Workgroups.MAX_LOCAL;

    public static void matmulF32(KernelContext ctx, IntArray frame, IntArray shape, FloatArray w,
                                 FloatArray bias, FloatArray x, FloatArray out) {
        int rows = shape.get(ROWS), k = shape.get(COLUMNS), count = frame.get(shape.get(COUNT)), withBias = shape.get(BIAS);
        int r = ctx.groupIdx, lid = ctx.localIdx, local = ctx.localGroupSizeX;
        float[] partial = ctx.allocateFloatLocalArray(BLOCK * M);
        int row = r * k;
        int t = 0;
        for (; t + BLOCK <= count; t += BLOCK) {
            int x0 = t * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k;
            float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f;
            for (int i = lid; i < k; i += local) {
                float v = w.get(row + i);
                a0 += v * x.get(x0 + i);
                a1 += v * x.get(x1 + i);
                a2 += v * x.get(x2 + i);
                a3 += v * x.get(x3 + i);
            }
            partial[lid] = a0;
            partial[M + lid] = a1;
            partial[2 * M + lid] = a2;
            partial[3 * M + lid] = a3;
            for (int s = local / 2; s > 0; s >>= 1) {
                ctx.localBarrier();
                if (lid < s) {
                    partial[lid] += partial[lid + s];
                    partial[M + lid] += partial[M + lid + s];
                    partial[2 * M + lid] += partial[2 * M + lid + s];
                    partial[3 * M + lid] += partial[3 * M + lid + s];
                }
            }
            if (lid == 0) {
                for (int j = 0; j < BLOCK; j++) out.set((t + j) * rows + r, withBias != 0 ? partial[j * M] + bias.get(r) : partial[j * M]);
            }
            ctx.localBarrier();
        }
        for (; t < count; t++) {
            float a0 = 0f;
            for (int i = lid; i < k; i += local) a0 += w.get(row + i) * x.get(t * k + i);
            partial[lid] = a0;
            for (int s = local / 2; s > 0; s >>= 1) {
                ctx.localBarrier();
                if (lid < s) partial[lid] += partial[lid + s];
            }
            if (lid == 0) out.set(t * rows + r, withBias != 0 ? partial[0] + bias.get(r) : partial[0]);
            ctx.localBarrier();
        }
    }

    public static void matmulF16(KernelContext ctx, IntArray frame, IntArray shape, ShortArray w, FloatArray exponents,
                                 FloatArray bias, FloatArray x, FloatArray out) {
        int rows = shape.get(ROWS), k = shape.get(COLUMNS), count = frame.get(shape.get(COUNT)), withBias = shape.get(BIAS);
        int r = ctx.groupIdx, lid = ctx.localIdx, local = ctx.localGroupSizeX;
        float[] partial = ctx.allocateFloatLocalArray(BLOCK * M);
        int row = r * k;
        int t = 0;
        for (; t + BLOCK <= count; t += BLOCK) {
            int x0 = t * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k;
            float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f;
            for (int i = lid; i < k; i += local) {
                float v = Decode.f16(w, row + i, exponents);
                a0 += v * x.get(x0 + i);
                a1 += v * x.get(x1 + i);
                a2 += v * x.get(x2 + i);
                a3 += v * x.get(x3 + i);
            }
            partial[lid] = a0;
            partial[M + lid] = a1;
            partial[2 * M + lid] = a2;
            partial[3 * M + lid] = a3;
            for (int s = local / 2; s > 0; s >>= 1) {
                ctx.localBarrier();
                if (lid < s) {
                    partial[lid] += partial[lid + s];
                    partial[M + lid] += partial[M + lid + s];
                    partial[2 * M + lid] += partial[2 * M + lid + s];
                    partial[3 * M + lid] += partial[3 * M + lid + s];
                }
            }
            if (lid == 0) {
                for (int j = 0; j < BLOCK; j++) out.set((t + j) * rows + r, withBias != 0 ? partial[j * M] + bias.get(r) : partial[j * M]);
            }
            ctx.localBarrier();
        }
        for (; t < count; t++) {
            float a0 = 0f;
            for (int i = lid; i < k; i += local) a0 += Decode.f16(w, row + i, exponents) * x.get(t * k + i);
            partial[lid] = a0;
            for (int s = local / 2; s > 0; s >>= 1) {
                ctx.localBarrier();
                if (lid < s) partial[lid] += partial[lid + s];
            }
            if (lid == 0) out.set(t * rows + r, withBias != 0 ? partial[0] + bias.get(r) : partial[0]);
            ctx.localBarrier();
        }
    }

    public static void matmulBF16(KernelContext ctx, IntArray frame, IntArray shape, ShortArray w, FloatArray exponents,
                                  FloatArray bias, FloatArray x, FloatArray out) {
        int rows = shape.get(ROWS), k = shape.get(COLUMNS), count = frame.get(shape.get(COUNT)), withBias = shape.get(BIAS);
        int r = ctx.groupIdx, lid = ctx.localIdx, local = ctx.localGroupSizeX;
        float[] partial = ctx.allocateFloatLocalArray(BLOCK * M);
        int row = r * k;
        int t = 0;
        for (; t + BLOCK <= count; t += BLOCK) {
            int x0 = t * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k;
            float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f;
            for (int i = lid; i < k; i += local) {
                float v = Decode.bf16(w, row + i, exponents);
                a0 += v * x.get(x0 + i);
                a1 += v * x.get(x1 + i);
                a2 += v * x.get(x2 + i);
                a3 += v * x.get(x3 + i);
            }
            partial[lid] = a0;
            partial[M + lid] = a1;
            partial[2 * M + lid] = a2;
            partial[3 * M + lid] = a3;
            for (int s = local / 2; s > 0; s >>= 1) {
                ctx.localBarrier();
                if (lid < s) {
                    partial[lid] += partial[lid + s];
                    partial[M + lid] += partial[M + lid + s];
                    partial[2 * M + lid] += partial[2 * M + lid + s];
                    partial[3 * M + lid] += partial[3 * M + lid + s];
                }
            }
            if (lid == 0) {
                for (int j = 0; j < BLOCK; j++) out.set((t + j) * rows + r, withBias != 0 ? partial[j * M] + bias.get(r) : partial[j * M]);
            }
            ctx.localBarrier();
        }
        for (; t < count; t++) {
            float a0 = 0f;
            for (int i = lid; i < k; i += local) a0 += Decode.bf16(w, row + i, exponents) * x.get(t * k + i);
            partial[lid] = a0;
            for (int s = local / 2; s > 0; s >>= 1) {
                ctx.localBarrier();
                if (lid < s) partial[lid] += partial[lid + s];
            }
            if (lid == 0) out.set(t * rows + r, withBias != 0 ? partial[0] + bias.get(r) : partial[0]);
            ctx.localBarrier();
        }
    }

    /** INT8_GROUPS (Q8_0, Q6_K): {@code 2^shape[GROUP_SHIFT]} elements per scale. */
    public static void matmulInt8Groups(KernelContext ctx, IntArray frame, IntArray shape, ByteArray q, FloatArray scales,
                                        FloatArray bias, FloatArray x, FloatArray out) {
        int rows = shape.get(ROWS), k = shape.get(COLUMNS), count = frame.get(shape.get(COUNT)), withBias = shape.get(BIAS);
        int groupShift = shape.get(GROUP_SHIFT);
        int r = ctx.groupIdx, lid = ctx.localIdx, local = ctx.localGroupSizeX;
        float[] partial = ctx.allocateFloatLocalArray(BLOCK * M);
        int row = r * k;
        int t = 0;
        for (; t + BLOCK <= count; t += BLOCK) {
            int x0 = t * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k;
            float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f;
            for (int i = lid; i < k; i += local) {
                float v = Decode.int8(q, scales, row + i, groupShift);
                a0 += v * x.get(x0 + i);
                a1 += v * x.get(x1 + i);
                a2 += v * x.get(x2 + i);
                a3 += v * x.get(x3 + i);
            }
            partial[lid] = a0;
            partial[M + lid] = a1;
            partial[2 * M + lid] = a2;
            partial[3 * M + lid] = a3;
            for (int s = local / 2; s > 0; s >>= 1) {
                ctx.localBarrier();
                if (lid < s) {
                    partial[lid] += partial[lid + s];
                    partial[M + lid] += partial[M + lid + s];
                    partial[2 * M + lid] += partial[2 * M + lid + s];
                    partial[3 * M + lid] += partial[3 * M + lid + s];
                }
            }
            if (lid == 0) {
                for (int j = 0; j < BLOCK; j++) out.set((t + j) * rows + r, withBias != 0 ? partial[j * M] + bias.get(r) : partial[j * M]);
            }
            ctx.localBarrier();
        }
        for (; t < count; t++) {
            float a0 = 0f;
            for (int i = lid; i < k; i += local) a0 += Decode.int8(q, scales, row + i, groupShift) * x.get(t * k + i);
            partial[lid] = a0;
            for (int s = local / 2; s > 0; s >>= 1) {
                ctx.localBarrier();
                if (lid < s) partial[lid] += partial[lid + s];
            }
            if (lid == 0) out.set(t * rows + r, withBias != 0 ? partial[0] + bias.get(r) : partial[0]);
            ctx.localBarrier();
        }
    }

    public static void matmulQ4_0(KernelContext ctx, IntArray frame, IntArray shape, ByteArray q, FloatArray scales,
                                  FloatArray bias, FloatArray x, FloatArray out) {
        int rows = shape.get(ROWS), k = shape.get(COLUMNS), count = frame.get(shape.get(COUNT)), withBias = shape.get(BIAS);
        int r = ctx.groupIdx, lid = ctx.localIdx, local = ctx.localGroupSizeX;
        float[] partial = ctx.allocateFloatLocalArray(BLOCK * M);
        int row = r * k;
        int t = 0;
        for (; t + BLOCK <= count; t += BLOCK) {
            int x0 = t * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k;
            float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f;
            for (int i = lid; i < k; i += local) {
                float v = Decode.q4_0(q, scales, row + i);
                a0 += v * x.get(x0 + i);
                a1 += v * x.get(x1 + i);
                a2 += v * x.get(x2 + i);
                a3 += v * x.get(x3 + i);
            }
            partial[lid] = a0;
            partial[M + lid] = a1;
            partial[2 * M + lid] = a2;
            partial[3 * M + lid] = a3;
            for (int s = local / 2; s > 0; s >>= 1) {
                ctx.localBarrier();
                if (lid < s) {
                    partial[lid] += partial[lid + s];
                    partial[M + lid] += partial[M + lid + s];
                    partial[2 * M + lid] += partial[2 * M + lid + s];
                    partial[3 * M + lid] += partial[3 * M + lid + s];
                }
            }
            if (lid == 0) {
                for (int j = 0; j < BLOCK; j++) out.set((t + j) * rows + r, withBias != 0 ? partial[j * M] + bias.get(r) : partial[j * M]);
            }
            ctx.localBarrier();
        }
        for (; t < count; t++) {
            float a0 = 0f;
            for (int i = lid; i < k; i += local) a0 += Decode.q4_0(q, scales, row + i) * x.get(t * k + i);
            partial[lid] = a0;
            for (int s = local / 2; s > 0; s >>= 1) {
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
        int r = ctx.groupIdx, lid = ctx.localIdx, local = ctx.localGroupSizeX;
        float[] partial = ctx.allocateFloatLocalArray(BLOCK * M);
        int row = r * k;
        int t = 0;
        for (; t + BLOCK <= count; t += BLOCK) {
            int x0 = t * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k;
            float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f;
            for (int i = lid; i < k; i += local) {
                float v = Decode.q4Affine(q, scales, mins, row + i);
                a0 += v * x.get(x0 + i);
                a1 += v * x.get(x1 + i);
                a2 += v * x.get(x2 + i);
                a3 += v * x.get(x3 + i);
            }
            partial[lid] = a0;
            partial[M + lid] = a1;
            partial[2 * M + lid] = a2;
            partial[3 * M + lid] = a3;
            for (int s = local / 2; s > 0; s >>= 1) {
                ctx.localBarrier();
                if (lid < s) {
                    partial[lid] += partial[lid + s];
                    partial[M + lid] += partial[M + lid + s];
                    partial[2 * M + lid] += partial[2 * M + lid + s];
                    partial[3 * M + lid] += partial[3 * M + lid + s];
                }
            }
            if (lid == 0) {
                for (int j = 0; j < BLOCK; j++) out.set((t + j) * rows + r, withBias != 0 ? partial[j * M] + bias.get(r) : partial[j * M]);
            }
            ctx.localBarrier();
        }
        for (; t < count; t++) {
            float a0 = 0f;
            for (int i = lid; i < k; i += local) a0 += Decode.q4Affine(q, scales, mins, row + i) * x.get(t * k + i);
            partial[lid] = a0;
            for (int s = local / 2; s > 0; s >>= 1) {
                ctx.localBarrier();
                if (lid < s) partial[lid] += partial[lid + s];
            }
            if (lid == 0) out.set(t * rows + r, withBias != 0 ? partial[0] + bias.get(r) : partial[0]);
            ctx.localBarrier();
        }
    }

    /**
     * TABLE4_GROUPS (MXFP4: G = 32, NVFP4: G = 16): {@code table[code] · scale}, two codes per byte in
     * ggml's order, {@code 2^shape[GROUP_SHIFT]} elements per scale, {@code table} the 16 E2M1 values.
     */
    public static void matmulTable4Groups(KernelContext ctx, IntArray frame, IntArray shape, ByteArray q, FloatArray table, FloatArray scales,
                                          FloatArray bias, FloatArray x, FloatArray out) {
        int rows = shape.get(ROWS), k = shape.get(COLUMNS), count = frame.get(shape.get(COUNT)), withBias = shape.get(BIAS);
        int r = ctx.groupIdx, lid = ctx.localIdx, local = ctx.localGroupSizeX;
        int groupShift = shape.get(GROUP_SHIFT);
        float[] partial = ctx.allocateFloatLocalArray(BLOCK * M);
        int row = r * k;
        int t = 0;
        for (; t + BLOCK <= count; t += BLOCK) {
            int x0 = t * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k;
            float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f;
            for (int i = lid; i < k; i += local) {
                float v = Decode.table4(q, table, scales, row + i, groupShift);
                a0 += v * x.get(x0 + i);
                a1 += v * x.get(x1 + i);
                a2 += v * x.get(x2 + i);
                a3 += v * x.get(x3 + i);
            }
            partial[lid] = a0;
            partial[M + lid] = a1;
            partial[2 * M + lid] = a2;
            partial[3 * M + lid] = a3;
            for (int s = local / 2; s > 0; s >>= 1) {
                ctx.localBarrier();
                if (lid < s) {
                    partial[lid] += partial[lid + s];
                    partial[M + lid] += partial[M + lid + s];
                    partial[2 * M + lid] += partial[2 * M + lid + s];
                    partial[3 * M + lid] += partial[3 * M + lid + s];
                }
            }
            if (lid == 0) {
                for (int j = 0; j < BLOCK; j++) out.set((t + j) * rows + r, withBias != 0 ? partial[j * M] + bias.get(r) : partial[j * M]);
            }
            ctx.localBarrier();
        }
        for (; t < count; t++) {
            float a0 = 0f;
            for (int i = lid; i < k; i += local) a0 += Decode.table4(q, table, scales, row + i, groupShift) * x.get(t * k + i);
            partial[lid] = a0;
            for (int s = local / 2; s > 0; s >>= 1) {
                ctx.localBarrier();
                if (lid < s) partial[lid] += partial[lid + s];
            }
            if (lid == 0) out.set(t * rows + r, withBias != 0 ? partial[0] + bias.get(r) : partial[0]);
            ctx.localBarrier();
        }
    }

    /** TABLE8_GROUPS (MXFP8 E4M3, E5M2): {@code table[code] · scale}, {@code 2^shape[GROUP_SHIFT]} elements per scale, {@code table} the 256 codes' values. */
    public static void matmulTable8Groups(KernelContext ctx, IntArray frame, IntArray shape, ByteArray q, FloatArray table, FloatArray scales,
                                          FloatArray bias, FloatArray x, FloatArray out) {
        int rows = shape.get(ROWS), k = shape.get(COLUMNS), count = frame.get(shape.get(COUNT)), withBias = shape.get(BIAS);
        int r = ctx.groupIdx, lid = ctx.localIdx, local = ctx.localGroupSizeX;
        int groupShift = shape.get(GROUP_SHIFT);
        float[] partial = ctx.allocateFloatLocalArray(BLOCK * M);
        int row = r * k;
        int t = 0;
        for (; t + BLOCK <= count; t += BLOCK) {
            int x0 = t * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k;
            float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f;
            for (int i = lid; i < k; i += local) {
                float v = Decode.table8(q, table, scales, row + i, groupShift);
                a0 += v * x.get(x0 + i);
                a1 += v * x.get(x1 + i);
                a2 += v * x.get(x2 + i);
                a3 += v * x.get(x3 + i);
            }
            partial[lid] = a0;
            partial[M + lid] = a1;
            partial[2 * M + lid] = a2;
            partial[3 * M + lid] = a3;
            for (int s = local / 2; s > 0; s >>= 1) {
                ctx.localBarrier();
                if (lid < s) {
                    partial[lid] += partial[lid + s];
                    partial[M + lid] += partial[M + lid + s];
                    partial[2 * M + lid] += partial[2 * M + lid + s];
                    partial[3 * M + lid] += partial[3 * M + lid + s];
                }
            }
            if (lid == 0) {
                for (int j = 0; j < BLOCK; j++) out.set((t + j) * rows + r, withBias != 0 ? partial[j * M] + bias.get(r) : partial[j * M]);
            }
            ctx.localBarrier();
        }
        for (; t < count; t++) {
            float a0 = 0f;
            for (int i = lid; i < k; i += local) a0 += Decode.table8(q, table, scales, row + i, groupShift) * x.get(t * k + i);
            partial[lid] = a0;
            for (int s = local / 2; s > 0; s >>= 1) {
                ctx.localBarrier();
                if (lid < s) partial[lid] += partial[lid + s];
            }
            if (lid == 0) out.set(t * rows + r, withBias != 0 ? partial[0] + bias.get(r) : partial[0]);
            ctx.localBarrier();
        }
    }

    /** TABLE8_ROWS (FP8 E4M3, E5M2 with a row scale): {@code table[code] · scales[r]}, rows of any length. */
    public static void matmulTable8Rows(KernelContext ctx, IntArray frame, IntArray shape, ByteArray q, FloatArray table, FloatArray scales,
                                        FloatArray bias, FloatArray x, FloatArray out) {
        int rows = shape.get(ROWS), k = shape.get(COLUMNS), count = frame.get(shape.get(COUNT)), withBias = shape.get(BIAS);
        int r = ctx.groupIdx, lid = ctx.localIdx, local = ctx.localGroupSizeX;
        float scale = scales.get(r);
        float[] partial = ctx.allocateFloatLocalArray(BLOCK * M);
        int row = r * k;
        int t = 0;
        for (; t + BLOCK <= count; t += BLOCK) {
            int x0 = t * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k;
            float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f;
            for (int i = lid; i < k; i += local) {
                float v = Decode.code8(q, table, row + i) * scale;
                a0 += v * x.get(x0 + i);
                a1 += v * x.get(x1 + i);
                a2 += v * x.get(x2 + i);
                a3 += v * x.get(x3 + i);
            }
            partial[lid] = a0;
            partial[M + lid] = a1;
            partial[2 * M + lid] = a2;
            partial[3 * M + lid] = a3;
            for (int s = local / 2; s > 0; s >>= 1) {
                ctx.localBarrier();
                if (lid < s) {
                    partial[lid] += partial[lid + s];
                    partial[M + lid] += partial[M + lid + s];
                    partial[2 * M + lid] += partial[2 * M + lid + s];
                    partial[3 * M + lid] += partial[3 * M + lid + s];
                }
            }
            if (lid == 0) {
                for (int j = 0; j < BLOCK; j++) out.set((t + j) * rows + r, withBias != 0 ? partial[j * M] + bias.get(r) : partial[j * M]);
            }
            ctx.localBarrier();
        }
        for (; t < count; t++) {
            float a0 = 0f;
            for (int i = lid; i < k; i += local) a0 += Decode.code8(q, table, row + i) * scale * x.get(t * k + i);
            partial[lid] = a0;
            for (int s = local / 2; s > 0; s >>= 1) {
                ctx.localBarrier();
                if (lid < s) partial[lid] += partial[lid + s];
            }
            if (lid == 0) out.set(t * rows + r, withBias != 0 ? partial[0] + bias.get(r) : partial[0]);
            ctx.localBarrier();
        }
    }
}
