package dev.squall.ops;

import static dev.squall.ops.OpAssertions.assertNmseBelow;
import static dev.squall.ops.OpAssertions.seeded;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The element-wise CPU kernels against their oracles, at sizes around the vector width. */
class ElementwiseOpsTest {

    /** One float rounding per element (plus the exp polynomial for SwiGLU): NMSE ~ 1e-14; 1e-12 leaves room. */
    private static final double ELEMENTWISE = 1e-12;

    /** The square root and the float scale add a few roundings; still far below 1e-10. */
    private static final double NORM = 1e-10;

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 7, 13, 16, 33, 127, 768})
    void rmsNormMatchesOracle(int n) {
        float[] x = seeded(n, 1), w = seeded(n, 2), a = new float[n], b = new float[n];
        RmsNorm.oracle(x, 0, n, w, 1e-5f, a, 0);
        RmsNorm.cpu(x, 0, n, w, 1e-5f, b, 0);
        assertNmseBelow(a, b, NORM, "rmsnorm n=" + n);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 7, 13, 16, 33, 127, 2048})
    void swiGluMatchesOracle(int n) {
        float[] g = seeded(n, 3), u = seeded(n, 4), a = new float[n], b = new float[n];
        SwiGlu.oracle(g, 0, u, 0, n, a, 0);
        SwiGlu.cpu(g, 0, u, 0, n, b, 0);
        assertNmseBelow(a, b, ELEMENTWISE, "swiglu n=" + n);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 7, 13, 16, 33, 127, 768})
    void addMatchesOracle(int n) {
        float[] x = seeded(n, 5), y = seeded(n, 6), a = new float[n], b = new float[n];
        Add.oracle(x, 0, y, 0, n, a, 0);
        Add.cpu(x, 0, y, 0, n, b, 0);
        assertNmseBelow(a, b, 0, "add n=" + n);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 7, 13, 16, 33, 127, 32000})
    void softmaxMatchesOracle(int n) {
        float[] a = seeded(n, 7), b = a.clone();
        for (int i = 0; i < n; i++) a[i] = b[i] *= 10;
        Softmax.oracle(a, 0, n, 0.5f);
        Softmax.cpu(b, 0, n, 0.5f);
        assertNmseBelow(a, b, ELEMENTWISE * 10, "softmax n=" + n);
    }
}
