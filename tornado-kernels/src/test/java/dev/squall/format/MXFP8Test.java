package dev.squall.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** MXFP8 (Squall types 16384/16385): {uint8 e; uint8 q[32]}, value FP8(q[j])·2^(e-127). */
class MXFP8Test {

    private static int e(MemorySegment block) {
        return block.get(ValueLayout.JAVA_BYTE, 0) & 0xFF;
    }

    private static int code(MemorySegment block, int j) {
        return block.get(ValueLayout.JAVA_BYTE, 1 + j) & 0xFF;
    }

    @Test
    void decodesAHandBuiltE4m3Block() {
        int[] bytes = new int[33];
        bytes[0] = 128;                           // scale 2
        int[] codes = {0x38, 0x7E, 0x01, 0x80, 0xB8, 0x08, 0x7F};
        for (int j = 0; j < codes.length; j++) bytes[1 + j] = codes[j];
        float[] y = Rows.decoded(MXFP8.E4M3, Rows.bytes(bytes), 0, 32);
        assertEquals(2f, y[0]);
        assertEquals(896f, y[1]);
        assertEquals(0x1p-8f, y[2]);
        assertEquals(0x8000_0000, Float.floatToRawIntBits(y[3]));
        assertEquals(-2f, y[4]);
        assertEquals(0x1p-5f, y[5]);
        assertTrue(Float.isNaN(y[6]));
        assertEquals(0f, y[31]);
    }

    @Test
    void decodesAHandBuiltE5m2BlockWithInfinity() {
        int[] bytes = new int[33];
        bytes[0] = 126;                           // scale 0.5
        int[] codes = {0x3C, 0x7B, 0x7C, 0xFC, 0x01, 0x7D};
        for (int j = 0; j < codes.length; j++) bytes[1 + j] = codes[j];
        float[] y = Rows.decoded(MXFP8.E5M2, Rows.bytes(bytes), 0, 32);
        assertEquals(0.5f, y[0]);
        assertEquals(28672f, y[1]);
        assertEquals(Float.POSITIVE_INFINITY, y[2]);
        assertEquals(Float.NEGATIVE_INFINITY, y[3]);
        assertEquals(0x1p-17f, y[4]);
        assertTrue(Float.isNaN(y[5]));
    }

    @Test
    void encodeUsesOcpsSharedScaleAndSaturatesTheTopOfTheBinade() {
        float[] x = new float[32];
        x[0] = 448;          // floor(log2 448) = 8 = E4M3's emax: scale 1
        x[1] = 464;          // same binade, above 448: saturates to 0x7E (OCP accepts this clipping)
        x[2] = -1;
        x[3] = 0x1p-9f;      // the smallest subnormal
        x[4] = 1 + 1 / 16f;  // halfway between 1 and 1.125: even
        MemorySegment block = Rows.encoded(MXFP8.E4M3, x, 0);
        assertEquals(127, e(block));
        int[] expected = {0x7E, 0x7E, 0xB8, 0x01, 0x38};
        for (int j = 0; j < expected.length; j++) assertEquals(expected[j], code(block, j), "code of element " + j);
        float[] y = new float[32];
        y[0] = 1;            // floor(log2 1) - 8: scale 2^-8, 1 -> 256 = 0x48 (2^(15-7))
        MemorySegment small = Rows.encoded(MXFP8.E4M3, y, 0);
        assertEquals(127 - 8, e(small));
        assertEquals(0x78, code(small, 0));   // 256 = 2^8: field 15, mantissa 0
    }

    @Test
    void encodeE5m2() {
        float[] x = new float[32];
        x[0] = 57344;        // floor(log2) = 15 = emax: scale 1
        x[1] = 1;
        x[2] = -0x1p-16f;
        MemorySegment block = Rows.encoded(MXFP8.E5M2, x, 0);
        assertEquals(127, e(block));
        assertEquals(0x7B, code(block, 0));
        assertEquals(0x3C, code(block, 1));
        assertEquals(0x81, code(block, 2));
    }

    @Test
    void aBlockHoldingNanOrInfinityGetsTheNanScale() {
        float[] x = Rows.gaussian(8, 64, 1);
        x[40] = Float.NaN;
        MemorySegment row = Rows.encoded(MXFP8.E4M3, x, 0);
        assertEquals(E8M0.NAN, e(row.asSlice(33)));
        for (int j = 0; j < 32; j++) assertEquals(0, code(row.asSlice(33), j));
        float[] y = Rows.decoded(MXFP8.E4M3, row, 0, 64);
        for (int j = 32; j < 64; j++) assertTrue(Float.isNaN(y[j]));
        assertTrue(e(row) != E8M0.NAN);
    }

    /** With X the block's scale, amax/X is in [2^emax, 2^(emax+1)): error ≤ X·2^(max(exp, emin) - M - 1), or the saturation. */
    @Test
    void encodeErrorIsWithinHalfAStepOrTheSaturation() {
        for (MXFP8 f : new MXFP8[] {MXFP8.E4M3, MXFP8.E5M2}) {
            float[] x = Rows.gaussian(43, 32 * 128, 0.02);
            MemorySegment encoded = Rows.encoded(f, x, 0);
            float[] y = Rows.decoded(f, encoded, 0, x.length);
            Minifloat m = f.element();
            for (int i = 0; i < x.length; i++) {
                double scale = E8M0.toFloat(encoded.get(ValueLayout.JAVA_BYTE, 33L * (i / 32)));
                double v = Math.abs(x[i]) / scale;
                double half = Math.scalb(1.0, Math.max(Math.getExponent(v), m.minExponent()) - m.mantissaBits() - 1);
                double bound = scale * Math.max(half, v - m.max());
                assertTrue(Math.abs(x[i] - y[i]) <= bound, f + " element " + i + ": " + x[i] + " -> " + y[i]);
            }
        }
    }
}
