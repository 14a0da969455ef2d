package dev.squall.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * MXFP4 (ggml type 39): {uint8 e; uint8 qs[16]}, low nibble of qs[j] element j, high nibble element
 * j + 16, value E2M1(code)·2^(e-127). The expected encoder bytes are worked out by hand from ggml's
 * {@code quantize_row_mxfp4_ref}: e = floor(log2f(amax)) - 2 + 127, then for each element the first
 * code, in code order {0, .5, 1, 1.5, 2, 3, 4, 6, -0, -.5, …, -6}, whose value is nearest.
 */
class MXFP4Test {

    private static final MXFP4 FORMAT = MXFP4.INSTANCE;

    private static int e(MemorySegment block) {
        return block.get(ValueLayout.JAVA_BYTE, 0) & 0xFF;
    }

    private static int code(MemorySegment block, int element) {
        int b = block.get(ValueLayout.JAVA_BYTE, 1 + element % 16) & 0xFF;
        return element < 16 ? b & 0xF : b >>> 4;
    }

    private static void assertCodes(int[] expected, MemorySegment block) {
        for (int j = 0; j < 32; j++) assertEquals(expected[j], code(block, j), "code of element " + j);
    }

    @Test
    void decodesAHandBuiltBlock() {
        // e = 128: scale 2; qs[j] = j | (15 - j) << 4.
        int[] bytes = new int[17];
        bytes[0] = 128;
        for (int j = 0; j < 16; j++) bytes[1 + j] = j | (15 - j) << 4;
        float[] expected = {
                0, 1, 2, 3, 4, 6, 8, 12, -0f, -1, -2, -3, -4, -6, -8, -12,
                -12, -8, -6, -4, -3, -2, -1, -0f, 12, 8, 6, 4, 3, 2, 1, 0};
        Rows.assertSameBits(expected, Rows.decoded(FORMAT, Rows.bytes(bytes), 0, 32), "decoded");
    }

    @Test
    void theScaleByteSpansTwoToTheMinus127ToNan() {
        int[] bytes = new int[17];
        bytes[1] = 0x71;   // element 0: code 1 (0.5), element 16: code 7 (6)
        float[] smallest = Rows.decoded(FORMAT, Rows.bytes(bytes), 0, 32);
        assertEquals(0x1p-128f, smallest[0]);           // 0.5 · 2^-127
        assertEquals(6 * 0x1p-127f, smallest[16]);
        bytes[0] = 255;
        for (float v : Rows.decoded(FORMAT, Rows.bytes(bytes), 0, 32)) assertTrue(Float.isNaN(v), "e = 255 is NaN");
    }

    @Test
    void encodeMatchesGgmlOnExactValuesTiesAndSaturation() {
        float[] x = {
                6, 4, 3, 2, 1.5f, 1, 0.5f, 0, -0.5f, -1, -1.5f, -2, -3, -4, -6, 0.25f,
                0.75f, 1.75f, 3.5f, 5, -0.25f, -0.75f, -1.75f, -3.5f, -5, 7, -7, 0.3f, -0f, 2.4f, 1e-30f, -2.6f};
        // amax = 7: floor(log2 7) = 2, e = 127, scale 1. Ties go to the first code, the smaller magnitude
        // (0.75 -> 0.5, 1.75 -> 1.5, 3.5 -> 3, 5 -> 4), and -0.25 to code 0 (+0) before code 9 (-0.5).
        int[] expected = {
                7, 6, 5, 4, 3, 2, 1, 0, 9, 10, 11, 12, 13, 14, 15, 0,
                1, 3, 5, 6, 0, 9, 11, 13, 14, 7, 15, 1, 0, 4, 0, 13};
        MemorySegment block = Rows.encoded(FORMAT, x, 0);
        assertEquals(127, e(block));
        assertCodes(expected, block);
    }

    @Test
    void encodeTakesLog2InFloatAsGgmlDoes() {
        float[] x = new float[32];
        x[0] = Math.nextDown(0.03125f);   // 2^-5 (1 - 2^-24): log2f rounds to -5, the exact floor is -6
        x[1] = 0x1p-7f;
        x[2] = -1.5f * 0x1p-7f;
        MemorySegment block = Rows.encoded(FORMAT, x, 0);
        assertEquals(-5 - 2 + 127, e(block));   // scale 2^-7; OCP's exact rule would give 2^-8
        int[] expected = new int[32];
        expected[0] = 6;    // 4·(1 - 2^-24) -> 4
        expected[1] = 2;    // 1
        expected[2] = 11;   // -1.5
        assertCodes(expected, block);
    }

    @Test
    void anAllZeroBlockHasScaleByteZeroAndANanBlockTheNanScale() {
        MemorySegment zero = Rows.encoded(FORMAT, new float[32], 0);
        assertEquals(0, e(zero));
        assertCodes(new int[32], zero);
        float[] x = Rows.gaussian(3, 32, 1);
        x[9] = Float.NaN;
        MemorySegment nan = Rows.encoded(FORMAT, x, 0);
        assertEquals(E8M0.NAN, e(nan));
        assertCodes(new int[32], nan);
        x[9] = Float.NEGATIVE_INFINITY;
        assertEquals(E8M0.NAN, e(Rows.encoded(FORMAT, x, 0)));
    }

    @Test
    void aBlockBelowTwoToTheMinus125GetsScaleByteZero() {
        float[] x = new float[32];
        x[5] = 0x1p-130f;
        assertEquals(0, e(Rows.encoded(FORMAT, x, 0)));
    }

    /**
     * With X = 2^(e-127), amax/X lies in [4, 8) (or just below 4 where log2f rounded up): an element
     * of magnitude v·X is off by at most X times half the E2M1 spacing at v (0.25 up to 2, 0.5 up to
     * 4, 1 up to 6), or by (v - 6)·X where it saturates.
     */
    @Test
    void encodeErrorIsWithinHalfAStepOrTheSaturation() {
        float[] x = Rows.gaussian(41, 32 * 256, 0.02);
        float[] y = Rows.decoded(FORMAT, Rows.encoded(FORMAT, x, 0), 0, x.length);
        MemorySegment encoded = Rows.encoded(FORMAT, x, 0);
        for (int b = 0; b < x.length / 32; b++) {
            double scale = E8M0.toFloat(encoded.get(ValueLayout.JAVA_BYTE, 17L * b));
            for (int j = 0; j < 32; j++) {
                int i = 32 * b + j;
                double v = Math.abs(x[i]) / scale;
                double bound = scale * (v > 6 ? v - 6 : v > 4 ? 1 : v > 2 ? 0.5 : 0.25);
                assertTrue(Math.abs(x[i] - y[i]) <= bound, "element " + i + ": " + x[i] + " -> " + y[i]);
            }
        }
    }
}
