package dev.squall.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Q8_0: {fp16 d; int8 qs[32]}, element j = qs[j] * d. */
class Q8_0Test {

    private static final Q8_0 FORMAT = Q8_0.INSTANCE;

    @Test
    void decodesTwoHandBuiltBlocks() {
        MemorySegment blocks = MemorySegment.ofArray(new byte[68]);
        // Block 0: d = 0.5 (fp16 0x3800, little-endian), qs[j] = 8j - 128: the whole int8 range.
        blocks.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x00);
        blocks.set(ValueLayout.JAVA_BYTE, 1, (byte) 0x38);
        for (int j = 0; j < 32; j++) blocks.set(ValueLayout.JAVA_BYTE, 2 + j, (byte) (8 * j - 128));
        // Block 1 starts at byte 34: d = -0.25 (fp16 0xB400), qs[j] = 127 - j.
        blocks.set(ValueLayout.JAVA_BYTE, 34, (byte) 0x00);
        blocks.set(ValueLayout.JAVA_BYTE, 35, (byte) 0xB4);
        for (int j = 0; j < 32; j++) blocks.set(ValueLayout.JAVA_BYTE, 36 + j, (byte) (127 - j));

        float[] expected = new float[64];
        for (int j = 0; j < 32; j++) {
            expected[j] = 4 * j - 64;
            expected[32 + j] = -(127 - j) / 4f;
        }
        Rows.assertSameBits(expected, Rows.decoded(FORMAT, blocks, 0, 64), "decoded");
    }

    @Test
    void encodeStoresAmaxOver127AndGivesTheLargestMagnitude127() {
        float[] x = Rows.gaussian(8, 32, 1);
        x[11] = -5f;
        MemorySegment block = Rows.encoded(FORMAT, x, 0);
        assertEquals(F16.toBits(5f / 127), block.get(LittleEndian.SHORT, 0));
        assertEquals(-127, block.get(ValueLayout.JAVA_BYTE, 2 + 11));
    }

    @Test
    void encodeRoundsHalfwayCodesAwayFromZero() {
        float[] x = new float[32];
        x[0] = 127f;   // d = 1 exactly, so codes are the values rounded
        x[1] = 2.5f;
        x[2] = -2.5f;
        x[3] = 0.5f;
        x[4] = -0.5f;
        x[5] = 1.49f;
        MemorySegment block = Rows.encoded(FORMAT, x, 0);
        int[] expected = {127, 3, -3, 1, -1, 1};
        for (int j = 0; j < expected.length; j++) {
            assertEquals(expected[j], block.get(ValueLayout.JAVA_BYTE, 2 + j), "qs[" + j + "]");
        }
    }

    @Test
    void encodeOfZerosIsZero() {
        float[] x = new float[64];
        Rows.assertSameBits(x, Rows.decoded(FORMAT, Rows.encoded(FORMAT, x, 0), 0, 64), "decoded");
    }

    /**
     * With {@code d = amax / 127} every element is within half a step of a code; storing {@code d}
     * as fp16 moves code {@code q} by {@code |q| * |d - fp16(d)|}, and computing {@code x * (1/d)}
     * in float can push a value across a rounding boundary by a few ulps of 127 (2^-10 d covers it).
     */
    @Test
    void encodeErrorIsWithinHalfAStepPlusTheRoundingOfD() {
        float[] x = Rows.gaussian(80, 32 * 64, 0.02);
        float[] y = Rows.decoded(FORMAT, Rows.encoded(FORMAT, x, 0), 0, x.length);
        for (int b = 0; b < x.length / 32; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[32 * b + j]));
            double d = amax / 127f;
            double stored = F16.toFloat(F16.toBits((float) d));
            double bound = d / 2 + 127 * Math.abs(d - stored) + d * 0x1p-10;
            for (int j = 0; j < 32; j++) {
                int i = 32 * b + j;
                double err = Math.abs(x[i] - y[i]);
                assertTrue(err <= bound, "element " + i + ": error " + err + " > " + bound);
            }
        }
    }
}
