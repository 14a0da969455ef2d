package dev.squall.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;

/** Shared fixtures for operator tests: seeded inputs and the NMSE check of llama.cpp's test-backend-ops. */
public final class OpAssertions {

    private OpAssertions() {}

    /** n floats uniform in [-1, 1) from a seeded stream. */
    public static float[] seeded(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    /** NMSE = Σ(expected−actual)² / Σ expected²; NaN anywhere fails; a mismatched infinity fails. */
    public static double nmse(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "lengths");
        double err = 0, ref = 0;
        for (int i = 0; i < expected.length; i++) {
            if (Float.isNaN(actual[i]) || Float.isNaN(expected[i])) return Double.NaN;
            if (Float.isInfinite(expected[i]) || Float.isInfinite(actual[i])) {
                if (expected[i] != actual[i]) return Double.POSITIVE_INFINITY;
                continue;
            }
            double d = (double) expected[i] - actual[i];
            err += d * d;
            ref += (double) expected[i] * expected[i];
        }
        return ref == 0 ? (err == 0 ? 0 : Double.POSITIVE_INFINITY) : err / ref;
    }

    public static void assertNmseBelow(float[] expected, float[] actual, double threshold, String what) {
        double e = nmse(expected, actual);
        if (!(e <= threshold)) fail(what + ": NMSE " + e + " above " + threshold);
    }
}
