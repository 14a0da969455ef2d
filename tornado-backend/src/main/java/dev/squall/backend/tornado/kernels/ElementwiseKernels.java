package dev.squall.backend.tornado.kernels;

import dev.squall.backend.device.BatchFrame;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Element-wise operators over the rows of a call (oracles {@link dev.squall.ops.Add#oracle},
 * {@link dev.squall.ops.SwiGlu#oracle}) and the gather of output rows.
 *
 * <p>Launch: a {@code @Parallel} loop over {@code count × width} elements (global size that many,
 * any local size). Shape: {@code [WIDTH, COUNT (frame index of the row count)]}.
 */
public final class ElementwiseKernels {

    private ElementwiseKernels() {}

    public static final int WIDTH = 0, COUNT = 1, SHAPE = 2;

    /** {@code out = a + b}; out may be a or b. */
    public static void add(IntArray frame, IntArray shape, FloatArray a, FloatArray b, FloatArray out) {
        int n = frame.get(shape.get(COUNT)) * shape.get(WIDTH);
        for (@Parallel int i = 0; i < n; i++) out.set(i, a.get(i) + b.get(i));
    }

    /** {@code out = gate / (1 + e^-gate) · up}; out may be gate or up. */
    public static void swiGlu(IntArray frame, IntArray shape, FloatArray gate, FloatArray up, FloatArray out) {
        int n = frame.get(shape.get(COUNT)) * shape.get(WIDTH);
        for (@Parallel int i = 0; i < n; i++) {
            float g = gate.get(i);
            out.set(i, g / (TornadoMath.exp(-g) + 1f) * up.get(i));
        }
    }

    /** {@code out = in} over the rows of the call (a batch's input embeddings into the residual stream). */
    public static void copyRows(IntArray frame, IntArray shape, FloatArray in, FloatArray out) {
        int n = frame.get(shape.get(COUNT)) * shape.get(WIDTH);
        for (@Parallel int i = 0; i < n; i++) out.set(i, in.get(i));
    }

    /** {@code out[o] = in[outputRow(o)]} for the call's O output rows (rows of {@code shape[WIDTH]} floats). */
    public static void gatherOutputs(IntArray frame, IntArray shape, FloatArray in, FloatArray out) {
        int width = shape.get(WIDTH), capacity = frame.get(BatchFrame.CAPACITY);
        int n = frame.get(BatchFrame.OUTPUTS) * width;
        for (@Parallel int i = 0; i < n; i++) {
            int row = frame.get(BatchFrame.outputRowAt(capacity, i / width));
            out.set(i, in.get(row * width + i % width));
        }
    }
}
