package dev.squall.cpu;

/**
 * The canonical order of {@link RowKernel#dot} in scalar code, lane by lane: the definition the
 * vector kernels must match bit for bit, and what the scalar fallback computes.
 */
public final class Canonical {

    private Canonical() {}

    /** Σ w[i]·x[i] over decoded weights, as one {@link Lanes#F} accumulator then fold then tail. */
    public static float dot(float[] w, int wOffset, float[] x, int xOffset, int n) {
        int lanes = Lanes.F.length();
        float[] acc = new float[lanes];
        int bound = n - n % lanes;
        for (int i = 0; i < bound; i++) acc[i % lanes] = Math.fma(w[wOffset + i], x[xOffset + i], acc[i % lanes]);
        for (int half = lanes / 2; half >= 1; half /= 2) {
            float[] folded = new float[lanes];
            for (int l = 0; l < lanes; l++) folded[l] = acc[l] + acc[(l + half) % lanes];
            acc = folded;
        }
        float s = acc[0];
        for (int i = bound; i < n; i++) s = Math.fma(w[wOffset + i], x[xOffset + i], s);
        return s;
    }
}
