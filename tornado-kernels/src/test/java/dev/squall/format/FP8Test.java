package dev.squall.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** FP8 with a per-row scale (Squall types 16386/16387): {float32 scale; uint8 q[n]}, value FP8(q[j])·scale. */
class FP8Test {

    private static int code(MemorySegment row, int j) {
        return row.get(ValueLayout.JAVA_BYTE, 4 + j) & 0xFF;
    }

    @Test
    void aRowIsItsScaleThenOneByteAnElement() {
        assertEquals(4 + 13, FP8.E4M3.rowBytes(13));
        assertEquals(4 + 768, FP8.E5M2.rowBytes(768));
        assertEquals(GgmlType.FP8_E4M3.rowBytes(13), FP8.E4M3.rowBytes(13));
    }

    @Test
    void decodesAHandBuiltRow() {
        MemorySegment row = Rows.bytes(0x00, 0x00, 0x00, 0x3F, 0x38, 0x7E, 0xB8, 0x01, 0x7F);   // scale 0.5f (0x3F000000)
        float[] y = Rows.decoded(FP8.E4M3, row, 0, 5);
        assertEquals(0.5f, y[0]);
        assertEquals(224f, y[1]);
        assertEquals(-0.5f, y[2]);
        assertEquals(0x1p-10f, y[3]);
        assertTrue(Float.isNaN(y[4]));
    }

    @Test
    void encodeMapsTheRowsLargestMagnitudeOntoTheFormatsMaximum() {
        float[] x = Rows.gaussian(9, 13, 0.02);
        int arg = 0;
        for (int i = 0; i < x.length; i++) if (Math.abs(x[i]) > Math.abs(x[arg])) arg = i;
        MemorySegment row = Rows.encoded(FP8.E4M3, x, 0);
        assertEquals(Math.abs(x[arg]) / 448f, row.get(LittleEndian.FLOAT, 0));
        assertEquals(x[arg] > 0 ? 0x7E : 0xFE, code(row, arg));
        MemorySegment e5 = Rows.encoded(FP8.E5M2, x, 0);
        assertEquals(Math.abs(x[arg]) / 57344f, e5.get(LittleEndian.FLOAT, 0));
        assertEquals(x[arg] > 0 ? 0x7B : 0xFB, code(e5, arg));
    }

    @Test
    void anAllZeroRowHasScaleZeroAndANanRowANanScale() {
        MemorySegment zero = Rows.encoded(FP8.E4M3, new float[5], 0);
        assertEquals(0f, zero.get(LittleEndian.FLOAT, 0));
        Rows.assertSameBits(new float[5], Rows.decoded(FP8.E4M3, zero, 0, 5), "zero row");
        float[] x = {1, 2, Float.NEGATIVE_INFINITY};
        MemorySegment nan = Rows.encoded(FP8.E4M3, x, 0);
        assertTrue(Float.isNaN(nan.get(LittleEndian.FLOAT, 0)));
        for (float v : Rows.decoded(FP8.E4M3, nan, 0, 3)) assertTrue(Float.isNaN(v));
    }

    /** x/scale is at most max: error ≤ scale·2^(max(exp, emin) - M - 1) (plus a rounding of the scale's division). */
    @Test
    void encodeErrorIsWithinHalfAStep() {
        for (FP8 f : new FP8[] {FP8.E4M3, FP8.E5M2}) {
            for (int n : new int[] {1, 5, 33, 768}) {
                float[] x = Rows.gaussian(44 + n, n, 0.02);
                MemorySegment row = Rows.encoded(f, x, 0);
                float[] y = Rows.decoded(f, row, 0, n);
                double scale = row.get(LittleEndian.FLOAT, 0);
                Minifloat m = f.element();
                for (int i = 0; i < n; i++) {
                    double v = Math.abs(x[i]) / scale;
                    double half = Math.scalb(1.0, Math.max(Math.getExponent(v), m.minExponent()) - m.mantissaBits() - 1);
                    double bound = scale * half * (1 + 0x1p-20) + Math.abs(x[i]) * 0x1p-22;
                    assertTrue(Math.abs(x[i] - y[i]) <= bound, f + " n=" + n + " element " + i + ": " + x[i] + " -> " + y[i]);
                }
            }
        }
    }
}
