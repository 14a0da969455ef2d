package dev.squall.validation.op;

/**
 * Error bounds that the op-parity thresholds are derived from. u is the unit roundoff of float;
 * γ_n = n·u / (1 − n·u) bounds the relative error of any float sum or dot product of n terms
 * in any order (Higham, "Accuracy and Stability of Numerical Algorithms", §3.1). The oracles
 * accumulate in double, so their own error is negligible beside these.
 */
final class Bounds {

    private Bounds() {}

    static final double U = 0x1p-24;

    /**
     * The accuracy an exp implementation must have for the suite: 4 ulp (relative 2^-21). Squall's
     * polynomial has about 1.5 ulp; device math libraries document 3 ulp or less for exp.
     */
    static final double EXP = 0x1p-21;

    static double gamma(long n) {
        double nu = n * U;
        return nu / (1 - nu);
    }
}
