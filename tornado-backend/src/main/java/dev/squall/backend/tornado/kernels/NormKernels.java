package dev.squall.backend.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Row-wise reductions: RMS normalization (oracle {@link dev.squall.ops.RmsNorm#oracle}) and softmax
 * (oracle {@link dev.squall.ops.Softmax#oracle}).
 *
 * <p>Launch: one work-group of {@link Workgroups#forDevice} work-items per normalized group; global
 * {@code count × groups per row × local size}. Sums are accumulated per work-item in a fixed stride and
 * added in a fixed tree in local memory, so a row's result does not depend on the batch.
 */
public final class NormKernels {

    private NormKernels() {}

    /** Shape of {@link #rmsNorm}: row width, elements normalized together (width, or the head size), frame index of the row count. */
    public static final int WIDTH = 0, GROUP_SIZE = 1, COUNT = 2, SHAPE = 3;

    /**
     * {@code out = x / sqrt(mean(x²) + eps) · weight} over each group of {@code shape[GROUP_SIZE]}
     * elements of each of the {@code frame[shape[COUNT]]} rows of {@code x}; reads x and weight
     * (one group long), writes out (may be x).
     */
    public static void rmsNorm(KernelContext ctx, IntArray frame, IntArray shape, FloatArray x, FloatArray weight, FloatArray out, float eps) {
        int width = shape.get(WIDTH), n = shape.get(GROUP_SIZE), count = frame.get(shape.get(COUNT));
        int perRow = width / n;
        int g = ctx.groupIdx, lid = ctx.localIdx, local = ctx.localGroupSizeX;
        float[] partial = ctx.allocateFloatLocalArray(Workgroups.MAX_LOCAL);
        if (g < count * perRow) {
            int base = (g / perRow) * width + (g % perRow) * n;
            float acc = 0f;
            for (int i = lid; i < n; i += local) {
                float v = x.get(base + i);
                acc += v * v;
            }
            partial[lid] = acc;
            for (int s = local / 2; s > 0; s >>= 1) {
                ctx.localBarrier();
                if (lid < s) partial[lid] += partial[lid + s];
            }
            ctx.localBarrier();
            float scale = 1f / TornadoMath.sqrt(partial[0] / n + eps);
            for (int i = lid; i < n; i += local) out.set(base + i, x.get(base + i) * scale * weight.get(i));
        }
    }

    /** Shape of {@link #softmax}: row length. */
    public static final int LENGTH = 0;

    /**
     * {@code x = softmax(x · scale)} in place over each of the frame's T rows of {@code shape[LENGTH]}
     * floats: the maximum and the sum each reduced in local memory.
     */
    public static void softmax(KernelContext ctx, IntArray frame, IntArray shape, FloatArray x, float scale) {
        int n = shape.get(LENGTH), count = frame.get(dev.squall.backend.device.BatchFrame.TOKENS);
        int row = ctx.groupIdx, lid = ctx.localIdx, local = ctx.localGroupSizeX;
        float[] partial = ctx.allocateFloatLocalArray(Workgroups.MAX_LOCAL);
        if (row < count) {
            int base = row * n;
            float max = -3.4028235e38f;
            for (int i = lid; i < n; i += local) {
                float v = x.get(base + i) * scale;
                x.set(base + i, v);
                max = TornadoMath.max(max, v);
            }
            partial[lid] = max;
            for (int s = local / 2; s > 0; s >>= 1) {
                ctx.localBarrier();
                if (lid < s) partial[lid] = TornadoMath.max(partial[lid], partial[lid + s]);
            }
            ctx.localBarrier();
            float rowMax = partial[0];
            ctx.localBarrier();
            float sum = 0f;
            for (int i = lid; i < n; i += local) {
                float e = TornadoMath.exp(x.get(base + i) - rowMax);
                x.set(base + i, e);
                sum += e;
            }
            partial[lid] = sum;
            for (int s = local / 2; s > 0; s >>= 1) {
                ctx.localBarrier();
                if (lid < s) partial[lid] += partial[lid + s];
            }
            ctx.localBarrier();
            float inverse = 1f / partial[0];
            for (int i = lid; i < n; i += local) x.set(base + i, x.get(base + i) * inverse);
        }
    }
}
