package dev.squall.ops;

import dev.squall.cpu.Lanes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

class VectorMathTest {

    private static final VectorSpecies<Float> F = Lanes.F;

    /** Degree-6 Taylor on |r| ≤ ln2/2 leaves < 2e-7 relative; float rounding of the steps adds a few ulps. */
    private static final double MAX_RELATIVE_ERROR = 1e-6;

    @Test
    void scalarExpIsAccurateOverTheWholeFiniteRange() {
        for (float x = -87f; x <= 88f; x += 0.0137f) {
            double exact = Math.exp(x);
            assertEquals(exact, VectorMath.exp(x), exact * MAX_RELATIVE_ERROR, "exp(" + x + ")");
        }
    }

    @Test
    void vectorLanesEqualTheScalarTwinBitForBit() {
        SplittableRandom random = new SplittableRandom(7);
        float[] in = new float[F.length() * 64];
        for (int i = 0; i < in.length; i++) in[i] = (float) (random.nextDouble() * 200 - 100);
        in[0] = Float.NaN;
        in[1] = Float.NEGATIVE_INFINITY;
        in[2] = Float.POSITIVE_INFINITY;
        in[3] = -0f;
        float[] out = new float[in.length];
        for (int i = 0; i < in.length; i += F.length()) VectorMath.exp(FloatVector.fromArray(F, in, i)).intoArray(out, i);
        for (int i = 0; i < in.length; i++) {
            assertEquals(Float.floatToIntBits(VectorMath.exp(in[i])), Float.floatToIntBits(out[i]), "lane " + i + " exp(" + in[i] + ")");
        }
    }

    @Test
    void limitsFollowTheRealFunction() {
        assertEquals(0f, VectorMath.exp(-1000f));
        assertEquals(Float.POSITIVE_INFINITY, VectorMath.exp(1000f));
        assertEquals(1f, VectorMath.exp(0f));
        assertTrue(Float.isNaN(VectorMath.exp(Float.NaN)));
    }
}
