package dev.squall.ops;

import dev.squall.cpu.Lanes;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code out[i] = e^(x[i]·scale − m) / Σ_j e^(x[j]·scale − m)} with m the largest {@code x·scale},
 * over {@code n} floats at {@code x[offset]}, in place. Used by samplers over logits; attention
 * fuses the same steps ({@link Attention}).
 */
public final class Softmax {

    private Softmax() {}

    private static final VectorSpecies<Float> F = Lanes.F;

    public static void oracle(float[] x, int offset, int n, float scale) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, (double) x[offset + i] * scale);
        double sum = 0;
        double[] e = new double[n];
        for (int i = 0; i < n; i++) sum += e[i] = Math.exp((double) x[offset + i] * scale - max);
        for (int i = 0; i < n; i++) x[offset + i] = (float) (e[i] / sum);
    }

    public static void cpu(float[] x, int offset, int n, float scale) {
        int bound = F.loopBound(n);
        FloatVector vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i < bound; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, offset + i).mul(scale);
            v.intoArray(x, offset + i);
            vmax = vmax.max(v);
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) max = Math.max(max, x[offset + i] *= scale);
        float sum = expShifted(x, offset, n, max);
        float inv = 1f / sum;
        i = 0;
        for (; i < bound; i += F.length()) FloatVector.fromArray(F, x, offset + i).mul(inv).intoArray(x, offset + i);
        for (; i < n; i++) x[offset + i] *= inv;
    }

    /** x[i] = e^(x[i] − max) for the n floats at offset; returns their sum. */
    static float expShifted(float[] x, int offset, int n, float max) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(F, x, offset + i).sub(max));
            e.intoArray(x, offset + i);
            acc = acc.add(e);
        }
        float[] lanes = new float[F.length()];
        acc.intoArray(lanes, 0);
        float sum = Lanes.sum(lanes, 0);
        for (; i < n; i++) sum += x[offset + i] = VectorMath.exp(x[offset + i] - max);
        return sum;
    }
}
