package dev.squall.heads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The three products equal a double-precision oracle on odd shapes, and do not depend on the thread count. */
class DenseTest {

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return v;
    }

    /** |a − b| bound for a float dot of k terms of magnitude ≤ 1 summed in some order: k · 2⁻²³ · k (a loose forward-error bound). */
    private static double bound(int k) { return 2.0 * k * k * Math.ulp(1f); }

    @ParameterizedTest(name = "M={0} N={1} K={2}")
    @CsvSource({"5,7,11", "13,5,7", "4,4,16", "17,33,70", "8,64,256", "1,37,13"})
    void ntEqualsTheOracle(int m, int n, int k) {
        float[] a = random(m * k, 1), b = random(n * k, 2), c = new float[m * n];
        try (Dense d = new Dense(1)) {
            d.nt(a, b, c, m, n, k);
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double) a[i * k + p] * b[j * k + p];
                assertEquals(s, c[i * n + j], bound(k), "C[" + i + "][" + j + "]");
            }
        }
    }

    @ParameterizedTest(name = "M={0} N={1} K={2}")
    @CsvSource({"5,7,11", "13,5,7", "4,4,64", "17,33,70", "8,64,256", "1,37,13"})
    void nnAndTnEqualTheOracle(int m, int n, int k) {
        float[] a = random(m * n, 3), b = random(n * k, 4), bt = random(m * k, 5), c = new float[m * k], base = random(n * k, 6), t = base.clone();
        try (Dense d = new Dense(1)) {
            d.nn(a, b, c, m, n, k);
            d.tn(a, bt, t, m, n, k);
        }
        for (int i = 0; i < m; i++) {
            for (int col = 0; col < k; col++) {
                double s = 0;
                for (int j = 0; j < n; j++) s += (double) a[i * n + j] * b[j * k + col];
                assertEquals(s, c[i * k + col], bound(n), "nn C[" + i + "][" + col + "]");
            }
        }
        for (int j = 0; j < n; j++) {
            for (int col = 0; col < k; col++) {
                double s = base[j * k + col];
                for (int i = 0; i < m; i++) s += (double) a[i * n + j] * bt[i * k + col];
                assertEquals(s, t[j * k + col], bound(m + 1), "tn C[" + j + "][" + col + "]");
            }
        }
    }

    @ParameterizedTest(name = "{0} threads")
    @CsvSource({"2", "3"})
    void resultsDoNotDependOnTheThreadCount(int threads) {
        int m = 21, n = 70, k = 67;
        float[] a = random(m * k, 7), b = random(n * k, 8), g = random(m * n, 9);
        float[][] one = products(new Dense(1), a, b, g, m, n, k), many = products(new Dense(threads), a, b, g, m, n, k);
        for (int i = 0; i < one.length; i++) assertArrayEquals(one[i], many[i], "product " + i);
    }

    private static float[][] products(Dense d, float[] a, float[] b, float[] g, int m, int n, int k) {
        try (d) {
            float[] nt = new float[m * n], nn = new float[m * k], tn = new float[n * k];
            d.nt(a, b, nt, m, n, k);
            d.nn(g, b, nn, m, n, k);
            d.tn(g, a, tn, m, n, k);
            return new float[][] {nt, nn, tn};
        }
    }
}
