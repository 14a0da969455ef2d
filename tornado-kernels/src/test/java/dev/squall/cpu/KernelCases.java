package dev.squall.cpu;

import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The cases every kernel test runs, and the error bound a float dot product is held to.
 *
 * <p>Sizes are odd on purpose: plain float rows of 1, 5, 7, 13, 33, 127 and 768 elements (shorter
 * than a vector, vector tails, several unrolled iterations), and 1, 3, 5, 7, 13, 33 blocks of the
 * quantized formats.
 */
final class KernelCases {

    private KernelCases() {}

    static final int[] PLAIN_LENGTHS = {1, 5, 7, 13, 33, 127, 768};
    static final int[] BLOCK_COUNTS = {1, 3, 5, 7, 13, 33};

    /** The two kernel families {@link RowKernels} chooses from. */
    enum Family {
        VECTOR {
            /** Skips the test, as test-backend-ops reports NOT SUPPORTED, where this machine has no vector kernel. */
            @Override RowKernel kernel(WeightFormat format) {
                Optional<RowKernel> kernel = RowKernels.vector(format);
                Assumptions.assumeTrue(kernel.isPresent(), () -> "no vector kernel for " + format + " with "
                        + Lanes.F.length() + " float lanes");
                return kernel.orElseThrow();
            }

            /**
             * Each lane accumulates at most n / L terms; then the accumulators are added (2), the
             * lanes reduced (at most L - 1, in whatever order reduceLanes picks) and a scalar tail
             * of at most L - 1 terms added with a product rounding each.
             */
            @Override int depth(int n) { return n / Lanes.F.length() + 2 * Lanes.F.length() + 8; }
        },
        SCALAR {
            @Override RowKernel kernel(WeightFormat format) { return RowKernels.scalar(format); }

            /** One sequential float sum: n additions plus a product rounding. */
            @Override int depth(int n) { return n + 1; }
        };

        abstract RowKernel kernel(WeightFormat format);

        /** The most roundings any one product passes through on its way into the dot product. */
        abstract int depth(int n);
    }

    static int elements(WeightFormat format, int size) {
        return format.blockElements() == 1 ? size : size * format.blockElements();
    }

    /** (family, format, element count) for every family, format and size. */
    static Stream<Arguments> all() {
        List<Arguments> cases = new ArrayList<>();
        for (Family family : Family.values()) {
            for (WeightFormat format : WeightFormats.all()) {
                for (int size : format.blockElements() == 1 ? PLAIN_LENGTHS : BLOCK_COUNTS) {
                    cases.add(Arguments.of(family, format, elements(format, size)));
                }
            }
        }
        return cases.stream();
    }

    /**
     * The NMSE a set of float dot products may have against exact ones.
     *
     * <p>A float sum in which every term passes through at most k roundings is off by at most
     * γ_k Σ|terms| with γ_k = k u / (1 - k u), u = 2^-24 (Higham, Accuracy and Stability of
     * Numerical Algorithms, §3.1; fma only removes roundings). The weights themselves are exact:
     * every kernel forms them as the oracle does, or by an fma whose product is exact. So with
     * {@code S_j = Σ|w x_j|} and exact results {@code r_j}, NMSE = Σ(a_j - r_j)² / Σ r_j² is at most
     * γ_k² Σ S_j² / Σ r_j². The bound follows the data, so it never needs tuning, and NaN fails it.
     */
    static double nmseBound(int depth, double[] absSums, double[] exact) {
        double u = 0x1p-24, gamma = depth * u / (1 - depth * u);
        double s2 = 0, r2 = 0;
        for (int j = 0; j < exact.length; j++) {
            s2 += absSums[j] * absSums[j];
            r2 += exact[j] * exact[j];
        }
        return gamma * gamma * s2 / r2;
    }

    static double nmse(float[] actual, double[] exact) {
        double e2 = 0, r2 = 0;
        for (int j = 0; j < exact.length; j++) {
            e2 += (actual[j] - exact[j]) * (actual[j] - exact[j]);
            r2 += exact[j] * exact[j];
        }
        return e2 / r2;
    }
}
