package dev.squall.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** E8M0: 2^(e - 127), e = 255 NaN; OCP's shared scale floor(log2 amax) - emax (MX v1.0 §5.4, §6.3). */
class E8M0Test {

    @Test
    void decodesTheExtremesAndNan() {
        assertEquals(0x0040_0000, Float.floatToRawIntBits(E8M0.toFloat(0)));   // 2^-127, a float subnormal
        assertEquals(0x1p-126f, E8M0.toFloat(1));
        assertEquals(1f, E8M0.toFloat(127));
        assertEquals(0x1p127f, E8M0.toFloat(254));
        assertTrue(Float.isNaN(E8M0.toFloat(255)));
        assertTrue(Float.isNaN(E8M0.toFloat(-1)), "the code is an unsigned byte");
    }

    @Test
    void sharedScalePutsAmaxInTheElementsTopBinade() {
        assertEquals(127, E8M0.sharedScale(448f, 8));          // E4M3: 448 = 1.75·2^8, scale 1
        assertEquals(127 - 8, E8M0.sharedScale(1f, 8));         // 1 = 2^0: scale 2^-8
        assertEquals(127 - 8, E8M0.sharedScale(1.999f, 8));
        assertEquals(127 - 7, E8M0.sharedScale(2f, 8));
        assertEquals(127 - 6 - 2, E8M0.sharedScale(Math.nextDown(0.03125f), 2));  // exact floor(log2) = -6, not -5
        assertEquals(127, E8M0.sharedScale(6f, 2));             // E2M1: 6 = 1.5·2^2
    }

    @Test
    void sharedScaleClampsAndMarksNonFiniteBlocks() {
        assertEquals(0, E8M0.sharedScale(0f, 2));
        assertEquals(0, E8M0.sharedScale(Float.MIN_VALUE, 8));  // 2^-149 - 8 clamps to 2^-127
        assertEquals(254, E8M0.sharedScale(Float.MAX_VALUE, 0));
        assertEquals(252, E8M0.sharedScale(Float.MAX_VALUE, 2));
        assertEquals(E8M0.NAN, E8M0.sharedScale(Float.NaN, 2));
        assertEquals(E8M0.NAN, E8M0.sharedScale(Float.POSITIVE_INFINITY, 8));
    }
}
