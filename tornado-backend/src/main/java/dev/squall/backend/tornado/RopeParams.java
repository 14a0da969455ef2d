package dev.squall.backend.tornado;

import dev.squall.graph.RopeSpec;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** The float parameters of the rope kernel ({@link dev.squall.backend.tornado.kernels.RopeKernels}): {@code [thetaScale, freqScale, factor_0 …]}. */
final class RopeParams {

    private RopeParams() {}

    static int size(RopeSpec spec) { return 2 + spec.dims() / 2; }

    static FloatArray of(RopeSpec spec) {
        FloatArray p = new FloatArray(size(spec));
        fill(spec, p);
        return p;
    }

    /** thetaScale rounds as ggml's and the Java backend's do: {@code (float) base^(-2/dims)}, the exponent a float. */
    static void fill(RopeSpec spec, FloatArray p) {
        p.set(0, (float) Math.pow(spec.base(), -2.0f / spec.dims()));
        p.set(1, spec.freqScale());
        for (int i = 0; i < spec.dims() / 2; i++) p.set(2 + i, spec.freqFactor(i));
    }
}
