package dev.squall.backend.tornado.kernels;

import dev.squall.backend.device.BatchFrame;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Rotary position embedding in place, as ggml's {@code rope_ext} (oracle {@link dev.squall.ops.Rope#oracle}):
 * pair i of each head of each token rotates by {@code θ = freqScale · (pos · thetaScale^i) / factor_i},
 * with θ built by ggml's float recurrence (one multiply per pair index) so the device rotates by the
 * same angles as llama.cpp and the Java backend.
 *
 * <p>Launch: a {@code @Parallel} loop over the {@code T × heads × dims/2} pairs of the call. Reads
 * the frame's token count and positions and {@code params = [thetaScale, freqScale, factor_0 …
 * factor_{dims/2−1}]}; rewrites the first {@code dims} elements of every head of {@code x}.
 * Shape: {@code [HEADS, HEAD_SIZE, DIMS, NEOX (0 adjacent pairs, 1 NeoX halves), WIDTH (row stride)]}.
 */
public final class RopeKernels {

    private RopeKernels() {}

    public static final int HEADS = 0, HEAD_SIZE = 1, DIMS = 2, NEOX = 3, WIDTH = 4, SHAPE = 5;

    public static void rope(IntArray frame, IntArray shape, FloatArray params, FloatArray x) {
        int heads = shape.get(HEADS), headSize = shape.get(HEAD_SIZE), half = shape.get(DIMS) / 2, neox = shape.get(NEOX);
        int width = shape.get(WIDTH), capacity = frame.get(BatchFrame.CAPACITY);
        float thetaScale = params.get(0), freqScale = params.get(1);
        int perToken = heads * half;
        int n = frame.get(BatchFrame.TOKENS) * perToken;
        for (@Parallel int i = 0; i < n; i++) {
            int t = i / perToken, h = (i % perToken) / half, p = i % half;
            float theta = frame.get(BatchFrame.positionAt(capacity, t));
            for (int s = 0; s < p; s++) theta = theta * thetaScale;
            float angle = freqScale * (theta / params.get(2 + p));
            float c = TornadoMath.cos(angle), sn = TornadoMath.sin(angle);
            int base = t * width + h * headSize;
            int a = neox != 0 ? base + p : base + 2 * p;
            int b = neox != 0 ? a + half : a + 1;
            float x0 = x.get(a), x1 = x.get(b);
            x.set(a, x0 * c - x1 * sn);
            x.set(b, x0 * sn + x1 * c);
        }
    }
}
