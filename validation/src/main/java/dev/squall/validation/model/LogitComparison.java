package dev.squall.validation.model;

import java.util.Arrays;

/**
 * The measures by which a model's logits are compared with a reference's: both are
 * {@code positions × vocab} floats, row-major, the reference (llama.cpp) first. Everything is
 * computed in double; a NaN on either side makes the measure NaN, which no bound accepts.
 */
final class LogitComparison {

    private LogitComparison() {}

    /** log softmax of {@code n} logits from {@code offset}, in double: x − max − log Σ exp(x − max). */
    static double[] logSoftmax(float[] logits, int offset, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, logits[offset + i]);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp(logits[offset + i] - max);
        double shift = max + Math.log(sum);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = logits[offset + i] - shift;
        return out;
    }

    /** The largest |Δ log-prob| over all positions and tokens, and where it is. */
    record LogProbGap(double value, int position, int token, double expected, double actual) {}

    static LogProbGap maxLogProbGap(float[] expected, float[] actual, int positions, int vocab) {
        LogProbGap worst = new LogProbGap(0, 0, 0, 0, 0);
        for (int p = 0; p < positions; p++) {
            double[] e = logSoftmax(expected, p * vocab, vocab), a = logSoftmax(actual, p * vocab, vocab);
            for (int t = 0; t < vocab; t++) {
                double d = Math.abs(e[t] - a[t]);
                if (Double.isNaN(d)) return new LogProbGap(Double.NaN, p, t, e[t], a[t]);
                if (d > worst.value()) worst = new LogProbGap(d, p, t, e[t], a[t]);
            }
        }
        return worst;
    }

    /** NMSE of one position: Σ(e − a)² / Σe² over its {@code vocab} logits. */
    static double nmse(float[] expected, float[] actual, int position, int vocab) {
        double err = 0, ref = 0;
        for (int i = position * vocab, end = i + vocab; i < end; i++) {
            double d = (double) expected[i] - actual[i];
            err += d * d;
            ref += (double) expected[i] * expected[i];
        }
        if (Double.isNaN(err) || Double.isNaN(ref)) return Double.NaN;
        return ref == 0 ? (err == 0 ? 0 : Double.POSITIVE_INFINITY) : err / ref;
    }

    static double[] nmsePerPosition(float[] expected, float[] actual, int positions, int vocab) {
        double[] n = new double[positions];
        for (int p = 0; p < positions; p++) n[p] = nmse(expected, actual, p, vocab);
        return n;
    }

    /** The largest value, NaN if any is NaN. */
    static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            if (Double.isNaN(x)) return Double.NaN;
            m = Math.max(m, x);
        }
        return m;
    }

    /** The median (the mean of the two middle values for an even count). */
    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** The id of the largest logit of one position, lowest id on ties (llama-ref's greedy rule). */
    static int top1(float[] logits, int position, int vocab) {
        int base = position * vocab, best = 0;
        for (int t = 1; t < vocab; t++) if (logits[base + t] > logits[base + best]) best = t;
        return best;
    }

    /** Positions whose top-1 token is the same on both sides. */
    static int top1Agreement(float[] expected, float[] actual, int positions, int vocab) {
        int n = 0;
        for (int p = 0; p < positions; p++) if (top1(expected, p, vocab) == top1(actual, p, vocab)) n++;
        return n;
    }

    /** The length of the common prefix of two token sequences. */
    static int agreeingPrefix(int[] expected, int[] actual) {
        int n = Math.min(expected.length, actual.length), i = 0;
        while (i < n && expected[i] == actual[i]) i++;
        return i;
    }
}
