package dev.squall.ops;

import dev.squall.cpu.Lanes;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Element-wise {@code out[i] = a[i] + b[i]} over {@code n} floats (the residual connection); out may alias a or b. */
public final class Add {

    private Add() {}

    private static final VectorSpecies<Float> F = Lanes.F;

    public static void oracle(float[] a, int aOffset, float[] b, int bOffset, int n, float[] out, int outOffset) {
        for (int i = 0; i < n; i++) out[outOffset + i] = (float) ((double) a[aOffset + i] + b[bOffset + i]);
    }

    public static void cpu(float[] a, int aOffset, float[] b, int bOffset, int n, float[] out, int outOffset) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector.fromArray(F, a, aOffset + i).add(FloatVector.fromArray(F, b, bOffset + i)).intoArray(out, outOffset + i);
        }
        for (; i < n; i++) out[outOffset + i] = a[aOffset + i] + b[bOffset + i];
    }
}
