package dev.squall.format;

/** The two integer roundings ggml's reference quantizers use; kept apart because they differ on ties. */
final class Rounding {

    private Rounding() {}

    /**
     * C's {@code roundf}: halves go away from zero (2.5 -> 3, -2.5 -> -3). Not
     * {@code Math.round}, which sends -2.5 to -2, nor {@code floor(a + 0.5f)}, whose addition
     * rounds 0.49999997f up to 1.
     */
    static int halfAwayFromZero(float v) {
        float a = Math.abs(v);
        float t = (float) Math.floor(a);
        if (a - t >= 0.5f) t += 1f;   // a - t is exact: the fraction of a float
        return (int) Math.copySign(t, v);
    }

    /** ggml's {@code nearest_int}: round to nearest, halves to even (its 1.5 * 2^23 trick is rint). */
    static int nearest(float v) {
        return (int) Math.rint(v);
    }

    static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
