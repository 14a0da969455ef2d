package dev.squall.ops;

import dev.squall.cpu.Lanes;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The gated FFN activation {@code out[i] = silu(gate[i]) · up[i]} with
 * {@code silu(g) = g / (1 + e^-g)} (Shazeer 2020, "GLU Variants Improve Transformer", SwiGLU).
 * Element-wise over {@code n} floats at the given offsets; {@code out} may alias either input.
 */
public final class SwiGlu {

    private SwiGlu() {}

    private static final VectorSpecies<Float> F = Lanes.F;

    public static void oracle(float[] gate, int gOffset, float[] up, int uOffset, int n, float[] out, int outOffset) {
        for (int i = 0; i < n; i++) {
            double g = gate[gOffset + i];
            out[outOffset + i] = (float) (g / (1 + Math.exp(-g)) * up[uOffset + i]);
        }
    }

    public static void cpu(float[] gate, int gOffset, float[] up, int uOffset, int n, float[] out, int outOffset) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector g = FloatVector.fromArray(F, gate, gOffset + i);
            FloatVector silu = g.div(VectorMath.exp(g.neg()).add(1f));
            silu.mul(FloatVector.fromArray(F, up, uOffset + i)).intoArray(out, outOffset + i);
        }
        for (; i < n; i++) {
            float g = gate[gOffset + i];
            out[outOffset + i] = g / (VectorMath.exp(-g) + 1f) * up[uOffset + i];
        }
    }
}
