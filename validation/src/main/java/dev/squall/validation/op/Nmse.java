package dev.squall.validation.op;

import java.util.Locale;

/**
 * The comparison of llama.cpp's test-backend-ops: NMSE = Σ(expected − actual)² / Σ expected².
 * NaN anywhere, or an infinity where the other side has none or the opposite one, always fails.
 */
record Nmse(double value, String problem) {

    static Nmse of(float[] expected, float[] actual) {
        double err = 0, ref = 0;
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i], a = actual[i];
            if (Float.isNaN(a) || Float.isNaN(e)) return new Nmse(Double.NaN, "NaN at element " + i + " (expected " + e + ", got " + a + ")");
            if (Float.isInfinite(e) || Float.isInfinite(a)) {
                if (e != a) return new Nmse(Double.POSITIVE_INFINITY, "infinity mismatch at element " + i + " (expected " + e + ", got " + a + ")");
                continue;
            }
            double d = (double) e - a;
            err += d * d;
            ref += (double) e * e;
        }
        return new Nmse(ref == 0 ? (err == 0 ? 0 : Double.POSITIVE_INFINITY) : err / ref, null);
    }

    boolean within(double threshold) { return problem == null && value <= threshold; }

    String describe(double threshold) {
        return String.format(Locale.ROOT, "NMSE %.2e %s %.2e", value, value <= threshold ? "≤" : ">", threshold);
    }
}
