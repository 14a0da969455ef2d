package dev.squall.ops;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * A horizontal sum with a fixed order: lane i is added to lane i + L/2, then the halves again,
 * down to one lane. {@code reduceLanes(ADD)} leaves the order to the implementation, which may
 * differ between the interpreter and compiled code; this one gives the same bits everywhere.
 */
public final class Lanes {

    private Lanes() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorShuffle<Float>[] FOLDS = folds();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] folds() {
        int steps = Integer.numberOfTrailingZeros(F.length());
        VectorShuffle<Float>[] s = new VectorShuffle[steps];
        for (int i = 0, half = F.length() / 2; i < steps; i++, half /= 2) {
            int h = half;
            s[i] = VectorShuffle.fromOp(F, lane -> (lane + h) % F.length());
        }
        return s;
    }

    /** Σ of the lanes of a {@code SPECIES_PREFERRED} vector, in the fixed folding order. */
    public static float sum(FloatVector v) {
        for (VectorShuffle<Float> fold : FOLDS) v = v.add(v.rearrange(fold));
        return v.lane(0);
    }
}
