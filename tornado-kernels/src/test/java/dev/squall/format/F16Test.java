package dev.squall.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** binary16 conversions against values taken from IEEE 754 (5 exponent bits, bias 15, 10 fraction bits). */
class F16Test {

    private static void assertDecodes(int bits, float expected) {
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(F16.toFloat((short) bits)),
                () -> String.format("0x%04x decodes to %s", bits, F16.toFloat((short) bits)));
    }

    private static void assertEncodes(float value, int expectedBits) {
        assertEquals((short) expectedBits, F16.toBits(value),
                () -> String.format("%s (0x%08x) encodes to 0x%04x", value, Float.floatToRawIntBits(value), F16.toBits(value)));
    }

    @Test
    void decodesTheLargestFiniteHalf() {
        assertDecodes(0x7BFF, 65504f);   // (2 - 2^-10) * 2^15
    }

    @Test
    void decodesTheSmallestSubnormal() {
        assertDecodes(0x0001, 0x1p-24f);
    }

    @Test
    void decodesTheLargestSubnormalAndTheSmallestNormal() {
        assertDecodes(0x03FF, 1023 * 0x1p-24f);
        assertDecodes(0x0400, 0x1p-14f);
    }

    @Test
    void decodesSignedZerosAndInfinities() {
        assertDecodes(0x0000, 0f);
        assertDecodes(0x8000, -0f);
        assertDecodes(0x7C00, Float.POSITIVE_INFINITY);
        assertDecodes(0xFC00, Float.NEGATIVE_INFINITY);
    }

    @Test
    void decodesANaNAsAQuietNaNKeepingSignAndPayload() {
        // Signalling half NaN 0x7C01: payload 1 moves to fraction bit 13, the quiet bit 22 is set.
        assertEquals(0x7FC0_2000, Float.floatToRawIntBits(F16.toFloat((short) 0x7C01)));
        assertEquals(0xFFC0_0000, Float.floatToRawIntBits(F16.toFloat((short) 0xFE00)));
    }

    @Test
    void encodesExactValuesExactly() {
        assertEncodes(1f, 0x3C00);
        assertEncodes(-2f, 0xC000);
        assertEncodes(65504f, 0x7BFF);
        assertEncodes(0x1p-24f, 0x0001);
    }

    @Test
    void encodeRoundsHalfwayCasesToEven() {
        assertEncodes(1f + 0x1p-11f, 0x3C00);                 // between 0x3C00 (even) and 0x3C01
        assertEncodes(1f + 3 * 0x1p-11f, 0x3C02);             // between 0x3C01 and 0x3C02 (even)
        assertEncodes(Math.nextUp(1f + 0x1p-11f), 0x3C01);    // just above half goes up
    }

    @Test
    void encodeRoundsSubnormalHalfwayCasesToEven() {
        assertEncodes(0x1p-25f, 0x0000);       // half of the smallest subnormal: to zero (even)
        assertEncodes(3 * 0x1p-25f, 0x0002);
        assertEncodes(Math.nextUp(0x1p-25f), 0x0001);
    }

    @Test
    void encodeOverflowsToInfinityFromTheHalfwayPointAboveTheLargestHalf() {
        assertEncodes(Math.nextDown(65520f), 0x7BFF);   // 65520 is halfway between 65504 and 2^16
        assertEncodes(65520f, 0x7C00);
        assertEncodes(-1e6f, 0xFC00);
    }

    @Test
    void encodesNaNAsNaN() {
        short bits = F16.toBits(Float.intBitsToFloat(0x7F80_0001));
        assertTrue((bits & 0x7C00) == 0x7C00 && (bits & 0x03FF) != 0, () -> String.format("0x%04x", bits));
    }

    @Test
    void everyHalfSurvivesDecodeThenEncode() {
        for (int bits = 0; bits < 0x10000; bits++) {
            boolean nan = (bits & 0x7C00) == 0x7C00 && (bits & 0x03FF) != 0;
            if (nan) continue;
            assertEquals((short) bits, F16.toBits(F16.toFloat((short) bits)), String.format("0x%04x", bits));
        }
    }

    @Test
    void encodeErrorIsAtMostHalfASpacingInTheNormalRange() {
        float[] values = Rows.gaussian(16, 10_000, 100);
        for (float v : values) {
            if (Math.abs(v) < 0x1p-14f) continue;
            float spacing = Math.scalb(1f, Math.getExponent(v) - 10);
            float err = Math.abs(F16.toFloat(F16.toBits(v)) - v);
            assertTrue(err <= spacing / 2, () -> v + " off by " + err);
        }
    }
}
