package dev.squall.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.cpu.KernelCases.Family;
import dev.squall.format.Rows;
import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sentinels around every operand, as test-backend-ops does: a kernel may touch only its row, its
 * part of x and its part of dst. Rows live in native memory (as a mapped file would) between
 * 0xFF bytes, which read as NaN in every format (a NaN float, half or bfloat16, a NaN block scale).
 */
class RowKernelGuardTest {

    private static final int GUARD_BYTES = 256;
    private static final int GUARD_ELEMENTS = 64;
    private static final float SENTINEL = Float.intBitsToFloat(0x7FC0_BEEF);

    /** Short rows and vector tails for plain floats, one and three blocks for quantized formats. */
    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Family family : Family.values()) {
            for (WeightFormat format : WeightFormats.all()) {
                int[] sizes = format.blockElements() == 1 ? new int[] {1, 13, 127} : new int[] {1, 3};
                for (int size : sizes) cases.add(Arguments.of(family, format, KernelCases.elements(format, size)));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} n={2}")
    @MethodSource("cases")
    void dotReadsNothingOutsideItsRowAndItsPartOfX(Family family, WeightFormat format, int n) {
        float[] values = Rows.gaussian(n, n, 0.05);
        float[] x = new float[GUARD_ELEMENTS + n + GUARD_ELEMENTS];
        Arrays.fill(x, Float.NaN);
        System.arraycopy(Rows.gaussian(n + 1, n, 1), 0, x, GUARD_ELEMENTS, n);
        try (Arena arena = Arena.ofConfined()) {
            long rowBytes = format.rowBytes(n);
            MemorySegment w = arena.allocate(GUARD_BYTES + rowBytes + GUARD_BYTES);
            w.fill((byte) 0xFF);
            format.encode(values, 0, n, w, GUARD_BYTES);
            float[] weights = Rows.decoded(format, w, GUARD_BYTES, n);
            double exact = 0, absSum = 0;
            for (int i = 0; i < n; i++) {
                exact += (double) weights[i] * x[GUARD_ELEMENTS + i];
                absSum += Math.abs((double) weights[i] * x[GUARD_ELEMENTS + i]);
            }
            float dot = family.kernel(format).dot(w, GUARD_BYTES, x, GUARD_ELEMENTS, n);
            double[] exacts = {exact};
            double bound = KernelCases.nmseBound(family.depth(n), new double[] {absSum}, exacts);
            double nmse = KernelCases.nmse(new float[] {dot}, exacts);
            assertTrue(nmse <= bound, () -> family + " " + format + " n=" + n + ": dot " + dot + ", exact " + exacts[0]);
        }
    }

    @ParameterizedTest(name = "{0} {1} n={2}")
    @MethodSource("cases")
    void decodeWritesNothingOutsideItsRange(Family family, WeightFormat format, int n) {
        MemorySegment w = Rows.encoded(format, Rows.gaussian(n, n, 0.05), 0);
        float[] dst = new float[GUARD_ELEMENTS + n + GUARD_ELEMENTS];
        Arrays.fill(dst, SENTINEL);
        family.kernel(format).decode(w, 0, dst, GUARD_ELEMENTS, n);

        float[] expected = new float[dst.length];
        Arrays.fill(expected, SENTINEL);
        System.arraycopy(Rows.decoded(format, w, 0, n), 0, expected, GUARD_ELEMENTS, n);
        Rows.assertSameBits(expected, dst, family + " " + format + " dst");
    }
}
