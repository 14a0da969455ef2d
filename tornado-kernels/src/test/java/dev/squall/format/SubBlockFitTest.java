package dev.squall.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The K-quant scale searches, before any storing: the grid a search returns, with every element
 * rounded to its nearest level, must never do worse than the plain grid it starts from (in the
 * search's own weighted error), and over many sub-blocks it must buy at least 5% (it buys about 19%
 * for the affine fit and 33% for the symmetric one on gaussian data), or it is not searching.
 *
 * <p>"Never worse" allows for the search returning floats: rounding the scale and the offset to
 * float moves level q by at most 2^-24 (q |scale| + |offset|) each, so the root of the weighted
 * error may grow by that much (taken as 2^-23 (qmax |scale| + |offset|)) times the root of the
 * weight sum.
 */
class SubBlockFitTest {

    private static final int SUB_BLOCKS = 256;

    /** Weighted squared error of rounding {@code x[from..from+n)} to the nearest of the levels {@code offset + step * q}, q in [qlo, qhi]. */
    private static double nearestError(float[] x, int from, int n, double[] w, double step, double offset, int qlo, int qhi) {
        double err = 0;
        for (int i = 0; i < n; i++) {
            double q = step == 0 ? qlo : Math.max(qlo, Math.min(qhi, Math.rint((x[from + i] - offset) / step)));
            double e = offset + step * q - x[from + i];
            err += w[i] * e * e;
        }
        return err;
    }

    @Test
    void affineFitNeverDoesWorseThanThePlainGridAndOftenBetter() {
        float[] x = Rows.gaussian(32, 32 * SUB_BLOCKS, 1);
        double fitted = 0, plain = 0;
        for (int s = 0; s < SUB_BLOCKS; s++) {
            int from = 32 * s;
            double lo = 0, hi = -Double.MAX_VALUE, sumSq = 0;
            for (int i = from; i < from + 32; i++) {
                lo = Math.min(lo, x[i]);
                hi = Math.max(hi, x[i]);
                sumSq += (double) x[i] * x[i];
            }
            double[] w = new double[32];
            for (int i = 0; i < 32; i++) w[i] = Math.sqrt(sumSq / 32) + Math.abs(x[from + i]);
            SubBlockFit.Affine fit = SubBlockFit.affine(x, from, 32, 15);
            double f = nearestError(x, from, 32, w, fit.scale(), -fit.min(), 0, 15);
            double p = nearestError(x, from, 32, w, (hi - lo) / 15, lo, 0, 15);
            assertNotWorse(f, p, w, 0x1p-23 * (15 * fit.scale() + fit.min()), s);
            fitted += f;
            plain += p;
        }
        assertTrue(fitted < 0.95 * plain, "fitted " + fitted + ", plain " + plain);
    }

    private static void assertNotWorse(double fitted, double plain, double[] w, double levelShift, int subBlock) {
        double sumW = 0;
        for (double v : w) sumW += v;
        double slack = levelShift * Math.sqrt(sumW);
        assertTrue(Math.sqrt(fitted) <= Math.sqrt(plain) + slack,
                "sub-block " + subBlock + ": fitted " + fitted + " > plain " + plain);
    }

    @Test
    void symmetricFitNeverDoesWorseThanThePlainGridAndOftenBetter() {
        float[] x = Rows.gaussian(16, 16 * SUB_BLOCKS, 1);
        double fitted = 0, plain = 0;
        for (int s = 0; s < SUB_BLOCKS; s++) {
            int from = 16 * s;
            double max = 0;
            double[] w = new double[16];
            for (int i = 0; i < 16; i++) {
                if (Math.abs(x[from + i]) > Math.abs(max)) max = x[from + i];
                w[i] = (double) x[from + i] * x[from + i];
            }
            double scale = SubBlockFit.symmetric(x, from, 16, 32);
            double f = nearestError(x, from, 16, w, scale, 0, -32, 31);
            double p = nearestError(x, from, 16, w, -max / 32, 0, -32, 31);
            assertNotWorse(f, p, w, 0x1p-23 * 32 * Math.abs(scale), s);
            fitted += f;
            plain += p;
        }
        assertTrue(fitted < 0.95 * plain, "fitted " + fitted + ", plain " + plain);
    }

    @Test
    void affineFitOfAConstantNegativeSubBlockIsItsMin() {
        float[] x = new float[32];
        java.util.Arrays.fill(x, -0.75f);
        assertEquals(new SubBlockFit.Affine(0f, 0.75f), SubBlockFit.affine(x, 0, 32, 15));
    }

    @Test
    void symmetricFitOfZerosIsZero() {
        assertEquals(0f, SubBlockFit.symmetric(new float[16], 0, 16, 32));
    }
}
