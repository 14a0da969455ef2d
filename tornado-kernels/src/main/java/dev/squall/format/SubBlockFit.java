package dev.squall.format;

/**
 * The scale searches of the K-quant encoders: for one sub-block, the scale (and offset) that
 * minimize a weighted squared error once every element is rounded to the grid they define.
 *
 * <p>Both searches try a small fan of grids around the plain one (the one that spans the data
 * exactly), round every element to each grid, and refit the scale (and offset) of that rounding
 * by weighted least squares: a slightly coarser grid that clips an element by a fraction of a step
 * often lowers the error of all the others. This is the method of ggml's {@code make_qx_quants}
 * and {@code make_qkx2_quants}, written anew; the weights, as in ggml, favor elements of large
 * magnitude, which dominate the dot products the weights take part in.
 */
final class SubBlockFit {

    private SubBlockFit() {}

    /** An affine grid {@code x ≈ scale * q - min}, {@code scale >= 0}, {@code min >= 0}. */
    record Affine(float scale, float min) {}

    /** Below this every element is taken as zero (ggml's {@code GROUP_MAX_EPS}). */
    static final float ZERO = 1e-15f;

    /**
     * Fits {@code x[from..from+n)} as {@code scale * q - min} with {@code q} in [0, qmax] (Q4_K).
     * The offset is {@code -min <= 0}, because the format stores a non-negative min.
     * Weights are {@code rms(x) + |x_i|}.
     */
    static Affine affine(float[] x, int from, int n, int qmax) {
        float lo = 0f, hi = x[from];
        double sumSq = 0;
        for (int i = from; i < from + n; i++) {
            lo = Math.min(lo, x[i]);
            hi = Math.max(hi, x[i]);
            sumSq += (double) x[i] * x[i];
        }
        if (hi == lo) return new Affine(0f, -lo);
        double rms = Math.sqrt(sumSq / n);
        double[] w = new double[n];
        for (int i = 0; i < n; i++) w[i] = rms + Math.abs(x[from + i]);

        int[] q = new int[n];
        double bestScale = (hi - lo) / qmax, bestOffset = lo;
        roundAffine(x, from, n, qmax, 1 / bestScale, lo, q);
        double bestErr = affineError(x, from, w, q, bestScale, bestOffset);
        // Grids of qmax - 1 .. qmax + 1 steps by tenths of a step, each from the best offset so
        // far up to hi: once a refit has moved the offset, later grids start from there.
        for (int k = 0; k <= 20; k++) {
            double steps = qmax - 1 + 0.1 * k;
            roundAffine(x, from, n, qmax, steps / (hi - bestOffset), bestOffset, q);
            double sw = 0, sq = 0, sqq = 0, sx = 0, sqx = 0;
            for (int i = 0; i < n; i++) {
                double v = x[from + i];
                sw += w[i];
                sq += w[i] * q[i];
                sqq += w[i] * q[i] * q[i];
                sx += w[i] * v;
                sqx += w[i] * q[i] * v;
            }
            double det = sw * sqq - sq * sq;
            if (det <= 0) continue;
            double scale = (sw * sqx - sx * sq) / det;
            double offset = (sqq * sx - sq * sqx) / det;
            if (offset > 0) {   // the format cannot shift up: pin the offset at zero and refit
                offset = 0;
                scale = sqx / sqq;
            }
            if (!(scale > 0)) continue;
            double err = affineError(x, from, w, q, scale, offset);
            if (err < bestErr) {
                bestErr = err;
                bestScale = scale;
                bestOffset = offset;
            }
        }
        return new Affine((float) bestScale, (float) -bestOffset);
    }

    private static void roundAffine(float[] x, int from, int n, int qmax, double iscale, double offset, int[] q) {
        for (int i = 0; i < n; i++) {
            q[i] = Rounding.clamp((int) Math.rint((x[from + i] - offset) * iscale), 0, qmax);
        }
    }

    private static double affineError(float[] x, int from, double[] w, int[] q, double scale, double offset) {
        double err = 0;
        for (int i = 0; i < q.length; i++) {
            double e = scale * q[i] + offset - x[from + i];
            err += w[i] * e * e;
        }
        return err;
    }

    /**
     * Fits {@code x[from..from+n)} as {@code scale * q} with {@code q} in [-qneg, qneg - 1]
     * (Q6_K: [-32, 31]). The element of largest magnitude is sent to the {@code -qneg} end,
     * which has one level more, so {@code scale} has the opposite sign of that element. Weights
     * are {@code x_i^2}. Returns 0 for an all-zero sub-block.
     */
    static float symmetric(float[] x, int from, int n, int qneg) {
        float max = 0f, amax = 0f;
        for (int i = from; i < from + n; i++) {
            if (Math.abs(x[i]) > amax) {
                amax = Math.abs(x[i]);
                max = x[i];
            }
        }
        if (amax < ZERO) return 0f;
        double bestScale = -max / (double) qneg, bestScore = -1;
        // Grids whose extreme lands at -(qneg - 0.9) .. -(qneg + 0.9); a refit scale's error
        // is sum(w x^2) - sxq^2 / sqq, so the best has the largest sxq^2 / sqq.
        for (int k = -9; k <= 9; k++) {
            double iscale = -(qneg + 0.1 * k) / max;
            double sxq = 0, sqq = 0;
            for (int i = from; i < from + n; i++) {
                int q = Rounding.clamp((int) Math.rint(x[i] * iscale), -qneg, qneg - 1);
                double w = (double) x[i] * x[i];
                sxq += w * x[i] * q;
                sqq += w * q * q;
            }
            if (sqq > 0 && sxq * sxq / sqq > bestScore) {
                bestScore = sxq * sxq / sqq;
                bestScale = sxq / sqq;
            }
        }
        return (float) bestScale;
    }
}
