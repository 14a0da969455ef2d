package dev.squall.sampling;

import java.util.Arrays;

/**
 * A distribution over the vocabulary with finite support: the tokens still in the running after a
 * sampler's filters, most likely first (ties by lower id), and their probabilities (summing to 1).
 * Immutable; {@link #without} and {@link #residual} make new ones for the rejection rules of
 * speculative sampling.
 */
public final class Distribution {

    private final int[] ids;
    private final double[] probs;
    private final int vocabSize;

    Distribution(int[] ids, double[] probs, int vocabSize) {
        if (ids.length != probs.length || ids.length == 0) throw new IllegalArgumentException("a distribution needs as many probabilities as tokens, at least one");
        this.ids = ids;
        this.probs = probs;
        this.vocabSize = vocabSize;
    }

    /** All mass on {@code token}. */
    public static Distribution pointMass(int token, int vocabSize) {
        return new Distribution(new int[] {token}, new double[] {1.0}, vocabSize);
    }

    /** The tokens in the support. */
    public int size() { return ids.length; }

    /** The {@code i}-th most likely token. */
    public int token(int i) { return ids[i]; }

    /** Its probability. */
    public double probabilityAt(int i) { return probs[i]; }

    public int vocabSize() { return vocabSize; }

    public boolean isPointMass() { return ids.length == 1; }

    /** Shannon entropy in nats (0 for a point mass). */
    public double entropy() {
        double h = 0;
        for (double p : probs) if (p > 0) h -= p * Math.log(p);
        return h;
    }

    /** The most likely token (the lowest id among equals). */
    public int mostLikely() { return ids[0]; }

    /** The probability of {@code token} (0 outside the support). */
    public double probability(int token) {
        for (int i = 0; i < ids.length; i++) if (ids[i] == token) return probs[i];
        return 0;
    }

    /** Draws with the uniform number {@code u} in [0, 1): the first token whose cumulative probability passes u. */
    public int draw(double u) {
        double cumulative = 0;
        for (int i = 0; i < ids.length; i++) {
            cumulative += probs[i];
            if (u < cumulative) return ids[i];
        }
        return ids[ids.length - 1];
    }

    /**
     * This distribution with {@code token} removed and the rest renormalised: what a target
     * samples from once a deterministic draft token was rejected. Null when nothing is left.
     */
    public Distribution without(int token) {
        int at = -1;
        for (int i = 0; i < ids.length; i++) if (ids[i] == token) at = i;
        if (at < 0) return this;
        if (ids.length == 1) return null;
        int[] i2 = new int[ids.length - 1];
        double[] p2 = new double[ids.length - 1];
        double rest = 0;
        for (int i = 0, j = 0; i < ids.length; i++) {
            if (i == at) continue;
            i2[j] = ids[i];
            rest += p2[j++] = probs[i];
        }
        if (rest <= 0) return null;
        for (int j = 0; j < p2.length; j++) p2[j] /= rest;
        return new Distribution(i2, p2, vocabSize);
    }

    /**
     * {@code norm(max(0, this − q))}: what the target samples from after rejecting a token drawn
     * from the draft's distribution {@code q} (Leviathan et al. 2023, Algorithm 1; Chen et al.
     * 2023). Null when this is q (nothing is left).
     */
    public Distribution residual(Distribution q) {
        int n = 0;
        int[] i2 = new int[ids.length];
        double[] p2 = new double[ids.length];
        double total = 0;
        for (int i = 0; i < ids.length; i++) {
            double r = probs[i] - q.probability(ids[i]);
            if (r > 0) {
                i2[n] = ids[i];
                total += p2[n++] = r;
            }
        }
        if (n == 0 || total <= 0) return null;
        for (int j = 0; j < n; j++) p2[j] /= total;
        return new Distribution(Arrays.copyOf(i2, n), Arrays.copyOf(p2, n), vocabSize);
    }

    @Override public String toString() {
        StringBuilder b = new StringBuilder("Distribution[");
        for (int i = 0; i < Math.min(5, ids.length); i++) b.append(i == 0 ? "" : ", ").append(ids[i]).append('=').append(String.format(java.util.Locale.ROOT, "%.4f", probs[i]));
        return b.append(ids.length > 5 ? ", …]" : "]").toString();
    }
}
