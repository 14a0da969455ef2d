package dev.squall.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The element formats against the values their specifications define (OCP OFP8 rev. 1.0 for E4M3
 * and E5M2, OCP MX v1.0 §5.3.3 for E2M1), each expected value written from the definition
 * {@code (1 + m/2^M)·2^(e - bias)}, not read back from the encoder.
 */
class MinifloatTest {

    static final List<Minifloat> FORMATS = List.of(Minifloat.E4M3, Minifloat.E5M2, Minifloat.E2M1,
            Minifloat.of(3, 4), Minifloat.of(2, 5), Minifloat.of(3, 0), Minifloat.of(1, 2));

    private static int bits(float f) { return Float.floatToRawIntBits(f); }

    @ParameterizedTest
    @FieldSource("FORMATS")
    void everyRepresentableValueRoundTripsToItsCode(Minifloat f) {
        for (int code = 0; code < 1 << f.bits(); code++) {
            float v = f.decode(code);
            if (Float.isNaN(v)) {
                assertTrue(Float.isNaN(f.decode(f.encode(v))), f + " NaN code " + code);
                assertEquals(code >>> (f.bits() - 1), f.encode(v) >>> (f.bits() - 1), f + " NaN code " + code + " keeps its sign");
            } else if (Float.isInfinite(v)) {
                assertEquals(Minifloat.Specials.IEEE, f.specials());
            } else {
                assertEquals(code, f.encode(v), f + " code " + code + " = " + v);
            }
        }
    }

    @Test
    void e4m3HasTheOcpValues() {
        Minifloat f = Minifloat.E4M3;
        assertEquals(7, f.bias());
        assertEquals(1f, f.decode(0x38));                   // 0.0111.000: 2^(7-7)
        assertEquals(448f, f.decode(0x7E));                 // 0.1111.110: 1.75·2^8, the largest
        assertEquals(-448f, f.decode(0xFE));
        assertEquals(0x1p-6f, f.decode(0x08));              // smallest normal 2^(1-7)
        assertEquals(0x1p-9f, f.decode(0x01));              // smallest subnormal 2^-6·1/8
        assertEquals(7 * 0x1p-9f, f.decode(0x07));          // largest subnormal
        assertEquals(0x7FF0_0000, bits(f.decode(0x7F)));    // 0.1111.111: the only NaN, payload kept
        assertEquals(0xFFF0_0000, bits(f.decode(0xFF)));
        assertEquals(0x8000_0000, bits(f.decode(0x80)));    // -0
        for (int c = 0; c < 256; c++) {
            if ((c & 0x7F) != 0x7F) assertTrue(Float.isFinite(f.decode(c)), "E4M3 has no infinity: code " + c);
        }
        assertEquals(448f, f.max());
    }

    @Test
    void e5m2HasTheIeeeLikeValues() {
        Minifloat f = Minifloat.E5M2;
        assertEquals(15, f.bias());
        assertEquals(1f, f.decode(0x3C));                   // 0.01111.00
        assertEquals(57344f, f.decode(0x7B));               // 0.11110.11: 1.75·2^15
        assertEquals(Float.POSITIVE_INFINITY, f.decode(0x7C));
        assertEquals(Float.NEGATIVE_INFINITY, f.decode(0xFC));
        assertEquals(0x7FA0_0000, bits(f.decode(0x7D)));    // NaN payloads kept, not made quiet
        assertEquals(0x7FC0_0000, bits(f.decode(0x7E)));
        assertEquals(0x7FE0_0000, bits(f.decode(0x7F)));
        assertEquals(0x1p-14f, f.decode(0x04));             // smallest normal
        assertEquals(0x1p-16f, f.decode(0x01));             // smallest subnormal 2^-14·1/4
        assertEquals(57344f, f.max());
    }

    @Test
    void e2m1IsTheEightMagnitudesOfFp4() {
        float[] expected = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6, -0f, -0.5f, -1, -1.5f, -2, -3, -4, -6};
        Rows.assertSameBits(expected, Minifloat.E2M1.values(), "E2M1 values");
        assertEquals(2, Minifloat.E2M1.maxExponent());
    }

    @Test
    void studyFormatsAreFiniteWithOcpBiases() {
        assertEquals(31f, Minifloat.of(3, 4).max());          // 2^(7-3)·(1 + 15/16)
        assertEquals(0x1p-6f, Minifloat.of(3, 4).minSubnormal());
        assertEquals(7.875f, Minifloat.of(2, 5).max());       // 2^(3-1)·(1 + 31/32)
        float[] e3m0 = {0, 0.25f, 0.5f, 1, 2, 4, 8, 16};      // 2^(e-3), e = 1..7; e = 0 is zero
        for (int c = 0; c < 8; c++) assertEquals(e3m0[c], Minifloat.of(3, 0).decode(c), "E3M0 code " + c);
        float[] e1m2 = {0, 0.5f, 1, 1.5f, 2, 2.5f, 3, 3.5f};  // bias 0: subnormals m/4·2, normals (1 + m/4)·2
        for (int c = 0; c < 8; c++) assertEquals(e1m2[c], Minifloat.of(1, 2).decode(c), "E1M2 code " + c);
        assertEquals(Minifloat.Specials.FINITE, Minifloat.of(3, 4).specials());
    }

    @Test
    void halfwayCasesRoundToTheEvenCode() {
        Minifloat f = Minifloat.E4M3;
        assertEquals(0x38, f.encode(1 + 1 / 16f));           // between 1 (…000) and 1.125 (…001)
        assertEquals(0x3A, f.encode(1 + 3 / 16f));           // between 1.125 (…001) and 1.25 (…010)
        assertEquals(0x00, f.encode(0x1p-10f));              // between 0 and the smallest subnormal
        assertEquals(0x02, f.encode(3 * 0x1p-10f));          // between subnormals 1 and 2
        assertEquals(0x08, f.encode(7.5f * 0x1p-9f));        // between the largest subnormal and the smallest normal
        assertEquals(0x3C, f.encode(1.4375f));               // between 1.375 (…011) and 1.5 (…100): carries
        assertEquals(0x40, f.encode(1.9375f));               // between 1.875 and 2: into the next binade
        Minifloat e2m1 = Minifloat.E2M1;
        assertEquals(0x0, e2m1.encode(0.25f));
        assertEquals(0x2, e2m1.encode(0.75f));               // 0.5 (001) or 1 (010): 1
        assertEquals(0x2, e2m1.encode(1.25f));
        assertEquals(0x4, e2m1.encode(1.75f));               // 1.5 (011) or 2 (100): 2
        assertEquals(0x4, e2m1.encode(2.5f));
        assertEquals(0x6, e2m1.encode(3.5f));                // 3 (101) or 4 (110): 4
        assertEquals(0x6, e2m1.encode(5f));
        assertEquals(0xE, e2m1.encode(-5f));
        assertEquals(0x3E, Minifloat.E5M2.encode(1.375f));   // between 1.25 (01) and 1.5 (10): 1.5
    }

    @Test
    void valuesBeyondTheMaximumSaturate() {
        assertEquals(0x7E, Minifloat.E4M3.encode(464f));     // halfway to 480, which is NaN's place
        assertEquals(0x7E, Minifloat.E4M3.encode(470f));
        assertEquals(0x7E, Minifloat.E4M3.encode(1e30f));
        assertEquals(0xFE, Minifloat.E4M3.encode(-1e30f));
        assertEquals(0x7B, Minifloat.E5M2.encode(61440f));   // halfway to 65536, which would be Inf
        assertEquals(0x7B, Minifloat.E5M2.encode(1e9f));
        assertEquals(0x7, Minifloat.E2M1.encode(7f));
        assertEquals(0x7, Minifloat.E2M1.encode(100f));
    }

    @Test
    void infinitiesSaturateAndNanStaysNan() {
        assertEquals(0x7E, Minifloat.E4M3.encode(Float.POSITIVE_INFINITY));
        assertEquals(0xFE, Minifloat.E4M3.encode(Float.NEGATIVE_INFINITY));
        assertEquals(0x7B, Minifloat.E5M2.encode(Float.POSITIVE_INFINITY));   // OCP's saturating mode
        assertEquals(0xFB, Minifloat.E5M2.encode(Float.NEGATIVE_INFINITY));
        assertEquals(0x7F, Minifloat.E4M3.encode(Float.NaN));
        assertEquals(0xFF, Minifloat.E4M3.encode(Float.intBitsToFloat(0xFFC0_0000)));
        assertEquals(0x7E, Minifloat.E5M2.encode(Float.NaN));
        assertEquals(0x0, Minifloat.E2M1.encode(Float.NaN));                  // no NaN: the block scale carries it
        assertEquals(0x7, Minifloat.E2M1.encode(Float.POSITIVE_INFINITY));
    }

    @Test
    void zeroKeepsItsSignAndTinyValuesFlushToZero() {
        assertEquals(0x80, Minifloat.E4M3.encode(-0f));
        assertEquals(0x00, Minifloat.E4M3.encode(Float.MIN_VALUE));
        assertEquals(0x80, Minifloat.E4M3.encode(-0x1p-11f));
        assertEquals(0x8, Minifloat.E2M1.encode(-0.2f));
    }

    /** Within the range, the error is at most half the spacing at the value's exponent: 2^(max(e, emin) - M - 1). */
    @ParameterizedTest
    @FieldSource("FORMATS")
    void roundingErrorIsAtMostHalfAStep(Minifloat f) {
        Random r = new Random(f.bits() * 31L + f.mantissaBits());
        for (int i = 0; i < 20000; i++) {
            float x = (float) ((r.nextDouble() * 2 - 1) * f.max() * Math.pow(2, -r.nextInt(12)));
            int e = Math.max(Math.getExponent(x), f.minExponent());
            double halfStep = Math.scalb(1.0, e - f.mantissaBits() - 1);
            double err = Math.abs(f.round(x) - x);
            assertTrue(err <= halfStep, f + ": " + x + " rounds to " + f.round(x) + ", error " + err + " > " + halfStep);
        }
    }

    @Test
    void aFormatWiderThanEightBitsIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Minifloat.of(5, 3));
        assertThrows(IllegalArgumentException.class, () -> Minifloat.of(0, 3));
    }
}
