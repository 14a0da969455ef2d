package dev.squall.speculative;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The search over skip sets that SWIFT runs during generation: which of a model's 2·L sublayers
 * (bit 2l: layer l's attention, bit 2l + 1: its MLP) the draft skips. Each observed set has a
 * matchness α (the share of tokens on which the skipped model's top token equals the full
 * model's); a set's worth is the speedup it predicts, {@link #speedup}: the tokens one draft of
 * up to k tokens keeps on average, (1 − α^(k+1)) / (1 − α), over the cost of drafting them at
 * {@link #cost} of a full forward each plus one verification.
 *
 * <p>The first {@link #RANDOM} candidates are random sets; after that a Gaussian process over sets
 * (kernel exp(−hamming / ℓ), fitted to the observed α) proposes the candidate with the best speedup
 * at its upper confidence bound μ + κσ, among mutations of the best sets and fresh random ones
 * (Bayesian optimisation, as SWIFT does; Xia et al. 2024, §4.1). The search is done when the best
 * predicted speedup has not improved for {@link #PATIENCE} observations, or after {@link #MAX_OBSERVATIONS}.
 */
final class SkipSetSearch {

    static final int RANDOM = 8, PATIENCE = 8, MAX_OBSERVATIONS = 32, POOL = 192;
    static final double KAPPA = 1.0, NOISE = 0.01, VERIFY_COST = 1.2;

    private final int bits, draftMax;
    private final double[] weight;
    private final double fixed, total;
    private final SplittableRandom random;
    private final List<BitSet> sets = new ArrayList<>();
    private final List<Double> alphas = new ArrayList<>();
    private int best = -1, sinceBest;

    /**
     * {@code weight[i]}: the work of sublayer i (its matmul parameters); {@code fixed}: the work
     * every forward does whatever it skips (embedding, output layer).
     */
    SkipSetSearch(double[] weight, double fixed, int draftMax, long seed) {
        this.bits = weight.length;
        this.weight = weight.clone();
        this.fixed = fixed;
        double t = fixed;
        for (double w : weight) t += w;
        this.total = t;
        this.draftMax = draftMax;
        this.random = new SplittableRandom(seed);
    }

    /** A drafting forward with {@code skip} relative to a full one. */
    double cost(BitSet skip) {
        double c = total;
        for (int i = skip.nextSetBit(0); i >= 0; i = skip.nextSetBit(i + 1)) c -= weight[i];
        return c / total;
    }

    /** The predicted speedup over plain decoding of drafting with {@code skip} at matchness {@code alpha} (the best draft length). */
    double speedup(BitSet skip, double alpha) {
        double c = cost(skip), a = Math.min(alpha, 0.999), bestRatio = 1.0 / VERIFY_COST;
        double kept = 1, ak = 1;
        for (int k = 1; k <= draftMax; k++) {
            ak *= a;
            kept += ak;
            bestRatio = Math.max(bestRatio, kept / (k * c + VERIFY_COST));
        }
        return bestRatio;
    }

    boolean done() { return sets.size() >= MAX_OBSERVATIONS || (sets.size() >= RANDOM + PATIENCE && sinceBest >= PATIENCE); }

    int observations() { return sets.size(); }

    /** The best set seen (null before any observation). */
    BitSet best() { return best < 0 ? null : (BitSet) sets.get(best).clone(); }

    double bestAlpha() { return best < 0 ? 0 : alphas.get(best); }

    double bestSpeedup() { return best < 0 ? 0 : speedup(sets.get(best), alphas.get(best)); }

    void observe(BitSet skip, double alpha) {
        sets.add((BitSet) skip.clone());
        alphas.add(alpha);
        if (best < 0 || speedup(skip, alpha) > bestSpeedup()) {
            best = sets.size() - 1;
            sinceBest = 0;
        } else {
            sinceBest++;
        }
    }

    /** The next set to observe. */
    BitSet next() {
        if (sets.size() < RANDOM) return randomSet();
        Posterior gp = new Posterior();
        BitSet chosen = null;
        double chosenValue = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < POOL; i++) {
            BitSet c = i < POOL / 2 ? mutation() : randomSet();
            if (sets.contains(c)) continue;
            double[] ms = gp.at(c);
            double value = speedup(c, Math.max(0, Math.min(1, ms[0] + KAPPA * Math.sqrt(ms[1]))));
            if (value > chosenValue) {
                chosenValue = value;
                chosen = c;
            }
        }
        return chosen == null ? randomSet() : chosen;
    }

    /** A random set, each sublayer skipped with a probability drawn for the set (at least one skipped, one kept). */
    private BitSet randomSet() {
        double p = 0.15 + 0.5 * random.nextDouble();
        BitSet s = new BitSet(bits);
        for (int i = 0; i < bits; i++) if (random.nextDouble() < p) s.set(i);
        if (s.isEmpty()) s.set(random.nextInt(bits));
        if (s.cardinality() == bits) s.clear(random.nextInt(bits));
        return s;
    }

    /** One of the three best sets with one or two sublayers flipped. */
    private BitSet mutation() {
        Integer[] order = new Integer[sets.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (x, y) -> Double.compare(speedup(sets.get(y), alphas.get(y)), speedup(sets.get(x), alphas.get(x))));
        BitSet s = (BitSet) sets.get(order[random.nextInt(Math.min(3, order.length))]).clone();
        int flips = 1 + random.nextInt(2);
        for (int f = 0; f < flips; f++) s.flip(random.nextInt(bits));
        if (s.isEmpty() || s.cardinality() == bits) return randomSet();
        return s;
    }

    /** The Gaussian process posterior on the observations: mean and variance of α at a set. */
    private final class Posterior {
        final int n = sets.size();
        final double mean, signal, scale = Math.max(1, bits / 4.0);
        final double[][] chol = new double[n][n];
        final double[] weights;

        Posterior() {
            double m = 0;
            for (double a : alphas) m += a;
            mean = m / n;
            double v = 0;
            for (double a : alphas) v += (a - mean) * (a - mean);
            signal = Math.max(0.01, v / n);
            double[][] k = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) k[i][j] = kernel(sets.get(i), sets.get(j)) + (i == j ? NOISE : 0);
            }
            for (int i = 0; i < n; i++) {                                  // Cholesky: k = L·Lᵀ
                for (int j = 0; j <= i; j++) {
                    double s = k[i][j];
                    for (int p = 0; p < j; p++) s -= chol[i][p] * chol[j][p];
                    chol[i][j] = i == j ? Math.sqrt(Math.max(s, 1e-12)) : s / chol[j][j];
                }
            }
            double[] y = new double[n];
            for (int i = 0; i < n; i++) y[i] = alphas.get(i) - mean;
            weights = backward(forward(y));
        }

        double kernel(BitSet a, BitSet b) {
            BitSet x = (BitSet) a.clone();
            x.xor(b);
            return signal * Math.exp(-x.cardinality() / scale);
        }

        double[] forward(double[] b) {                                     // solves L·z = b
            double[] z = new double[n];
            for (int i = 0; i < n; i++) {
                double s = b[i];
                for (int p = 0; p < i; p++) s -= chol[i][p] * z[p];
                z[i] = s / chol[i][i];
            }
            return z;
        }

        double[] backward(double[] z) {                                    // solves Lᵀ·w = z
            double[] w = new double[n];
            for (int i = n - 1; i >= 0; i--) {
                double s = z[i];
                for (int p = i + 1; p < n; p++) s -= chol[p][i] * w[p];
                w[i] = s / chol[i][i];
            }
            return w;
        }

        double[] at(BitSet x) {
            double[] k = new double[n];
            for (int i = 0; i < n; i++) k[i] = kernel(x, sets.get(i));
            double mu = mean;
            for (int i = 0; i < n; i++) mu += k[i] * weights[i];
            double[] z = forward(k);
            double var = signal;
            for (double v : z) var -= v * v;
            return new double[] {mu, Math.max(0, var)};
        }
    }
}
