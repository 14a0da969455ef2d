package dev.squall.ops;

import dev.squall.cpu.Lanes;
import dev.squall.graph.RopeSpec;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Rotary position embedding (Su et al. 2021, "RoFormer", eq. 34) as ggml's {@code rope_ext}
 * applies it: pair i of a head rotates by θ_i = pos · freqScale · base^(-2i/dims) / factor_i.
 *
 * <p>Layout: {@code heads} consecutive heads of {@code headSize} floats at {@code x[offset]},
 * rotated in place; only the first {@link RopeSpec#dims()} elements of a head rotate.
 * The CPU path takes its angles from a {@link Table} built once per token and shared by all layers
 * and heads; the table follows ggml's float recurrence (θ_{i+1} = θ_i · base^(-2/dims)) so Squall
 * and llama.cpp rotate by the same angles.
 */
public final class Rope {

    private Rope() {}

    private static final VectorSpecies<Float> F = Lanes.F;
    /** Swaps the two elements of each adjacent pair. */
    private static final VectorShuffle<Float> SWAP_PAIRS = VectorShuffle.fromOp(F, i -> i ^ 1);

    /** The definition: angles in double from the closed form. */
    public static void oracle(float[] x, int offset, int heads, int headSize, int pos, RopeSpec spec) {
        int half = spec.dims() / 2;
        for (int h = 0; h < heads; h++) {
            int base = offset + h * headSize;
            for (int i = 0; i < half; i++) {
                double theta = pos * (double) spec.freqScale() * Math.pow(spec.base(), -2.0 * i / spec.dims()) / spec.freqFactor(i);
                double c = Math.cos(theta), s = Math.sin(theta);
                int a = spec.pairing() == RopeSpec.Pairing.ADJACENT ? base + 2 * i : base + i;
                int b = spec.pairing() == RopeSpec.Pairing.ADJACENT ? a + 1 : a + half;
                double x0 = x[a], x1 = x[b];
                x[a] = (float) (x0 * c - x1 * s);
                x[b] = (float) (x0 * s + x1 * c);
            }
        }
    }

    /** cos and sin of every pair's angle at one position, laid out for the vector kernel. */
    public static final class Table {
        final int dims;
        final float[] cos;       // per element: cos θ_{pair(e)}
        final float[] sinSigned; // per element: -sin θ for the first of a pair, +sin θ for the second

        public Table(int dims) {
            this.dims = dims;
            this.cos = new float[dims];
            this.sinSigned = new float[dims];
        }

        /** Fills the table for {@code pos}, rounding as ggml does (float recurrence, cosf/sinf). */
        public void fill(RopeSpec spec, int pos) {
            if (spec.dims() != dims) throw new IllegalArgumentException("rope table of " + dims + " dims, spec has " + spec.dims());
            int half = dims / 2;
            float thetaScale = (float) Math.pow(spec.base(), -2.0f / dims);
            float theta = pos;
            for (int i = 0; i < half; i++) {
                float angle = spec.freqScale() * (theta / spec.freqFactor(i));
                float c = (float) Math.cos(angle), s = (float) Math.sin(angle);
                int a = spec.pairing() == RopeSpec.Pairing.ADJACENT ? 2 * i : i;
                int b = spec.pairing() == RopeSpec.Pairing.ADJACENT ? a + 1 : a + half;
                cos[a] = c;
                cos[b] = c;
                sinSigned[a] = -s;
                sinSigned[b] = s;
                theta *= thetaScale;
            }
        }
    }

    /** The CPU kernel: rotates in place with the angles of {@code table}. */
    public static void cpu(float[] x, int offset, int heads, int headSize, RopeSpec spec, Table table) {
        int dims = spec.dims();
        for (int h = 0; h < heads; h++) {
            int base = offset + h * headSize;
            if (spec.pairing() == RopeSpec.Pairing.ADJACENT) adjacent(x, base, dims, table);
            else neox(x, base, dims, table);
        }
    }

    // x·cos + swap(x)·(∓sin): element 2i gets x0·c - x1·s, element 2i+1 gets x1·c + x0·s.
    private static void adjacent(float[] x, int base, int dims, Table t) {
        int i = 0;
        for (int bound = F.loopBound(dims); i < bound; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, base + i);
            FloatVector swapped = v.rearrange(SWAP_PAIRS);
            FloatVector rotated = v.mul(FloatVector.fromArray(F, t.cos, i)).add(swapped.mul(FloatVector.fromArray(F, t.sinSigned, i)));
            rotated.intoArray(x, base + i);
        }
        for (; i < dims; i += 2) {
            float x0 = x[base + i], x1 = x[base + i + 1];
            x[base + i] = x0 * t.cos[i] + x1 * t.sinSigned[i];
            x[base + i + 1] = x1 * t.cos[i + 1] + x0 * t.sinSigned[i + 1];
        }
    }

    // Pairs (i, i + half): the first half gets x0·c - x1·s, the second x1·c + x0·s.
    private static void neox(float[] x, int base, int dims, Table t) {
        int half = dims / 2;
        int i = 0;
        for (int bound = F.loopBound(half); i < bound; i += F.length()) {
            FloatVector x0 = FloatVector.fromArray(F, x, base + i);
            FloatVector x1 = FloatVector.fromArray(F, x, base + half + i);
            FloatVector c = FloatVector.fromArray(F, t.cos, i);
            FloatVector s = FloatVector.fromArray(F, t.sinSigned, half + i);
            x0.mul(c).sub(x1.mul(s)).intoArray(x, base + i);
            x1.mul(c).add(x0.mul(s)).intoArray(x, base + half + i);
        }
        for (; i < half; i++) {
            float x0 = x[base + i], x1 = x[base + half + i];
            float c = t.cos[i], s = t.sinSigned[half + i];
            x[base + i] = x0 * c - x1 * s;
            x[base + half + i] = x1 * c + x0 * s;
        }
    }
}
