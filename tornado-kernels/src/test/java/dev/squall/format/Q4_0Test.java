package dev.squall.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Q4_0: {fp16 d; uint8 qs[16]}, low nibble of qs[j] is element j, high nibble element j + 16, value (q - 8) * d. */
class Q4_0Test {

    private static final Q4_0 FORMAT = Q4_0.INSTANCE;

    private static int nibble(MemorySegment block, int element) {
        int b = block.get(ValueLayout.JAVA_BYTE, 2 + element % 16) & 0xFF;
        return element < 16 ? b & 0xF : b >>> 4;
    }

    @Test
    void decodesAHandBuiltBlock() {
        // d = 0.5 (fp16 0x3800); qs[j] = j | (15 - j) << 4.
        MemorySegment block = Rows.bytes(0x00, 0x38,
                0xF0, 0xE1, 0xD2, 0xC3, 0xB4, 0xA5, 0x96, 0x87, 0x78, 0x69, 0x5A, 0x4B, 0x3C, 0x2D, 0x1E, 0x0F);
        float[] expected = {
                -4, -3.5f, -3, -2.5f, -2, -1.5f, -1, -0.5f, 0, 0.5f, 1, 1.5f, 2, 2.5f, 3, 3.5f,
                3.5f, 3, 2.5f, 2, 1.5f, 1, 0.5f, 0, -0.5f, -1, -1.5f, -2, -2.5f, -3, -3.5f, -4};
        Rows.assertSameBits(expected, Rows.decoded(FORMAT, block, 0, 32), "decoded");
    }

    @Test
    void encodeSendsTheSignedMaximumToNibbleZeroExactly() {
        float[] x = Rows.gaussian(4, 32, 0.5);
        x[3] = 4f;   // largest magnitude, positive: d = 4 / -8 = -0.5
        MemorySegment block = Rows.encoded(FORMAT, x, 0);
        assertEquals(F16.toBits(-0.5f), block.get(LittleEndian.SHORT, 0));
        assertEquals(0, nibble(block, 3));
        assertEquals(4f, Rows.decoded(FORMAT, block, 0, 32)[3]);
    }

    @Test
    void encodeRoundsHalfwayCodesUpAndClipsTheShortSideAtFifteen() {
        float[] x = new float[32];
        x[0] = -8f;   // d = 1 exactly, nibble = x + 8.5 truncated
        x[1] = 0.5f;
        x[2] = -0.5f;
        x[3] = 1.5f;
        x[4] = -1.5f;
        x[20] = 7.9f;  // beyond the last level 7: clipped to nibble 15
        MemorySegment block = Rows.encoded(FORMAT, x, 0);
        int[] elements = {0, 1, 2, 3, 4, 20};
        int[] expected = {0, 9, 8, 10, 7, 15};
        for (int k = 0; k < elements.length; k++) {
            assertEquals(expected[k], nibble(block, elements[k]), "nibble of element " + elements[k]);
        }
    }

    /**
     * With {@code d = max / -8}, {@code u = x / d + 8} lies in [0, 16]; up to 15.5 the nibble is
     * within half a step, above it the nibble is clipped to 15 and the error is {@code (u - 15)|d|}.
     * Storing {@code d} as fp16 adds {@code |q - 8| * |d - fp16(d)|} with {@code |q - 8| <= 8}.
     */
    @Test
    void encodeErrorIsWithinHalfAStepExceptOnTheClippedSide() {
        float[] x = Rows.gaussian(40, 32 * 64, 0.02);
        float[] y = Rows.decoded(FORMAT, Rows.encoded(FORMAT, x, 0), 0, x.length);
        for (int b = 0; b < x.length / 32; b++) {
            float max = 0;
            for (int j = 0; j < 32; j++) if (Math.abs(x[32 * b + j]) > Math.abs(max)) max = x[32 * b + j];
            double d = max / -8f;
            double stored = F16.toFloat(F16.toBits((float) d));
            for (int j = 0; j < 32; j++) {
                int i = 32 * b + j;
                double u = x[i] / d + 8;
                double bound = Math.abs(d) * (Math.max(0.5, u - 15) + 0x1p-10) + 8 * Math.abs(d - stored);
                double err = Math.abs(x[i] - y[i]);
                assertTrue(err <= bound, "element " + i + ": error " + err + " > " + bound);
            }
        }
    }
}
