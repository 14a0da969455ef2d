package dev.squall.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * bfloat16 conversions against values from its definition (the upper half of a binary32) and
 * ggml's rounding rules; inputs are written as binary32 bit patterns so the dropped half is visible.
 */
class BF16Test {

    private static void assertEncodes(int floatBits, int expectedBits) {
        short actual = BF16.toBits(Float.intBitsToFloat(floatBits));
        assertEquals((short) expectedBits, actual, () -> String.format("0x%08x encodes to 0x%04x", floatBits, actual));
    }

    private static void assertDecodes(int bits, float expected) {
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(BF16.toFloat((short) bits)),
                () -> String.format("0x%04x", bits));
    }

    @Test
    void decodesByPlacingTheBitsInTheUpperHalfOfAFloat() {
        assertDecodes(0x3F80, 1f);
        assertDecodes(0xC040, -3f);
        assertDecodes(0x7F7F, 0x1.FEp127f);      // largest finite: (2 - 2^-7) * 2^127
        assertDecodes(0x0001, 0x1p-133f);        // smallest subnormal
        assertDecodes(0xFF80, Float.NEGATIVE_INFINITY);
    }

    @Test
    void decodeKeepsNaNBits() {
        assertEquals(0x7F81_0000, Float.floatToRawIntBits(BF16.toFloat((short) 0x7F81)));
    }

    @Test
    void encodeRoundsHalfwayCasesToEven() {
        assertEncodes(0x3F80_8000, 0x3F80);   // 1 + 2^-8: halfway, 0x3F80 is even
        assertEncodes(0x3F81_8000, 0x3F82);   // halfway, 0x3F82 is even
        assertEncodes(0x3F80_8001, 0x3F81);   // above halfway
        assertEncodes(0x3F80_7FFF, 0x3F80);   // below halfway
    }

    @Test
    void encodeOverflowsToInfinityAboveTheLargestBfloat16() {
        assertEncodes(0x7F7F_7FFF, 0x7F7F);   // below the halfway point to 2^128
        assertEncodes(0x7F7F_FFFF, 0x7F80);   // Float.MAX_VALUE rounds up to infinity
        assertEncodes(0xFF7F_FFFF, 0xFF80);
    }

    @Test
    void encodeKeepsSubnormals() {
        assertEncodes(0x0001_0000, 0x0001);
        assertEncodes(0x0000_0001, 0x0000);   // Float.MIN_VALUE rounds down to zero
        assertEncodes(0x8000_0000, 0x8000);
    }

    @Test
    void encodeMakesNaNQuietKeepingSignAndTopPayload() {
        assertEncodes(0x7F80_0001, 0x7FC0);   // payload only in the dropped half: truncation would give infinity
        assertEncodes(0xFF80_0001, 0xFFC0);
        assertEncodes(0x7FAB_0000, 0x7FEB);   // signalling NaN: payload kept, quiet bit (0x40) set
        assertEncodes(0x7FC0_0000, 0x7FC0);
    }

    @Test
    void everyBfloat16SurvivesDecodeThenEncode() {
        for (int bits = 0; bits < 0x10000; bits++) {
            boolean nan = (bits & 0x7F80) == 0x7F80 && (bits & 0x7F) != 0;
            if (nan) continue;
            assertEquals((short) bits, BF16.toBits(BF16.toFloat((short) bits)), String.format("0x%04x", bits));
        }
    }

    @Test
    void encodeErrorIsAtMostHalfASpacingInTheNormalRange() {
        for (float v : Rows.gaussian(30, 10_000, 100)) {
            float spacing = Math.scalb(1f, Math.getExponent(v) - 7);
            float err = Math.abs(BF16.toFloat(BF16.toBits(v)) - v);
            assertTrue(err <= spacing / 2, () -> v + " off by " + err);
        }
    }
}
