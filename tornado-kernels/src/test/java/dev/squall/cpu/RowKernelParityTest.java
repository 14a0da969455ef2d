package dev.squall.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.cpu.KernelCases.Family;
import dev.squall.format.Rows;
import dev.squall.format.WeightFormat;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kernel against its format's oracle: decode bit for bit, dot within the accumulation bound
 * ({@link KernelCases#nmseBound}). Rows sit at an odd byte offset, vectors and outputs at nonzero
 * array offsets.
 */
class RowKernelParityTest {

    private static final long W_OFFSET = 3;
    private static final int X_OFFSET = 5;
    private static final int DST_OFFSET = 7;
    private static final int VECTORS = 3;

    private static float[] decodeWith(RowKernel kernel, MemorySegment w, int n) {
        float[] dst = new float[DST_OFFSET + n];
        kernel.decode(w, W_OFFSET, dst, DST_OFFSET, n);
        return Arrays.copyOfRange(dst, DST_OFFSET, DST_OFFSET + n);
    }

    @ParameterizedTest(name = "{0} {1} n={2}")
    @MethodSource("dev.squall.cpu.KernelCases#all")
    void decodeOfAnEncodedRowEqualsTheOracleBitwise(Family family, WeightFormat format, int n) {
        MemorySegment w = Rows.encoded(format, Rows.gaussian(n, n, 0.05), W_OFFSET);
        float[] expected = Rows.decoded(format, w, W_OFFSET, n);
        Rows.assertSameBits(expected, decodeWith(family.kernel(format), w, n), family + " " + format + " decode");
    }

    @ParameterizedTest(name = "{0} {1} n={2}")
    @MethodSource("dev.squall.cpu.KernelCases#all")
    void decodeOfRandomBytesEqualsTheOracleBitwise(Family family, WeightFormat format, int n) {
        // Every bit pattern: subnormal, infinite and NaN halves, NaN block scales, all codes.
        MemorySegment w = Rows.randomBytes(31L * n + format.ggmlType(), W_OFFSET + format.rowBytes(n));
        float[] expected = Rows.decoded(format, w, W_OFFSET, n);
        Rows.assertSameBits(expected, decodeWith(family.kernel(format), w, n), family + " " + format + " decode");
    }

    @ParameterizedTest(name = "{0} {1} n={2}")
    @MethodSource("dev.squall.cpu.KernelCases#all")
    void dotMatchesTheOracleWithinTheAccumulationBound(Family family, WeightFormat format, int n) {
        MemorySegment w = Rows.encoded(format, Rows.gaussian(n, n, 0.05), W_OFFSET);
        float[] weights = Rows.decoded(format, w, W_OFFSET, n);
        RowKernel kernel = family.kernel(format);
        float[] actual = new float[VECTORS];
        double[] exact = new double[VECTORS], absSums = new double[VECTORS];
        for (int j = 0; j < VECTORS; j++) {
            float[] x = new float[X_OFFSET + n];
            System.arraycopy(Rows.gaussian(1000L * j + n, n, 1), 0, x, X_OFFSET, n);
            actual[j] = kernel.dot(w, W_OFFSET, x, X_OFFSET, n);
            for (int i = 0; i < n; i++) {
                exact[j] += (double) weights[i] * x[X_OFFSET + i];
                absSums[j] += Math.abs((double) weights[i] * x[X_OFFSET + i]);
            }
        }
        double nmse = KernelCases.nmse(actual, exact);
        double bound = KernelCases.nmseBound(family.depth(n), absSums, exact);
        assertTrue(nmse <= bound, () -> family + " " + format + " n=" + n + ": NMSE " + nmse + " > " + bound
                + ", dots " + Arrays.toString(actual) + ", exact " + Arrays.toString(exact));
    }
}
