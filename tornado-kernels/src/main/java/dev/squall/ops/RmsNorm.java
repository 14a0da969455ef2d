package dev.squall.ops;

import dev.squall.cpu.Lanes;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * RMS normalization: {@code y[i] = (x[i] · s) · w[i]} with {@code s = 1 / sqrt(Σx²/n + eps)}
 * (Zhang &amp; Sennrich 2019, eq. 4). As in ggml, the sum of squares accumulates in double and the
 * scale is rounded to float before it multiplies.
 *
 * <p>Layout: one vector of {@code n} floats at {@code x[xOffset]}, result at {@code out[outOffset]}
 * (may be the same place), weights {@code w[0..n)}.
 */
public final class RmsNorm {

    private RmsNorm() {}

    private static final VectorSpecies<Float> F = Lanes.F;
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, F.vectorShape());

    /** The definition, in scalar double. */
    public static void oracle(float[] x, int xOffset, int n, float[] w, float eps, float[] out, int outOffset) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += (double) x[xOffset + i] * x[xOffset + i];
        double scale = 1.0 / Math.sqrt(sum / n + eps);
        for (int i = 0; i < n; i++) out[outOffset + i] = (float) (x[xOffset + i] * scale * w[i]);
    }

    /** The CPU kernel. */
    public static void cpu(float[] x, int xOffset, int n, float[] w, float eps, float[] out, int outOffset) {
        float scale = scale(x, xOffset, n, eps);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, xOffset + i).mul(scale);
            v.mul(FloatVector.fromArray(F, w, i)).intoArray(out, outOffset + i);
        }
        for (; i < n; i++) out[outOffset + i] = (x[xOffset + i] * scale) * w[i];
    }

    private static float scale(float[] x, int xOffset, int n, float eps) {
        DoubleVector acc = DoubleVector.zero(D);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, xOffset + i);
            FloatVector sq = v.mul(v);
            for (int part = 0; part < F.length() / D.length(); part++) {
                acc = acc.add((DoubleVector) sq.convertShape(VectorOperators.F2D, D, part));
            }
        }
        double sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) sum += x[xOffset + i] * x[xOffset + i];
        float mean = (float) (sum / n);
        return 1.0f / (float) Math.sqrt(mean + eps);
    }
}
