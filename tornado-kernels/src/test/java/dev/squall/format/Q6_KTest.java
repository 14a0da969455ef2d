package dev.squall.format;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * Q6_K: {uint8 ql[128]; uint8 qh[64]; int8 scales[16]; fp16 d}; element e is
 * {@code d * scales[e / 16] * (q - 32)} with a 6-bit code q whose low 4 bits are in ql and high 2
 * bits in qh.
 */
class Q6_KTest {

    private static final Q6_K FORMAT = Q6_K.INSTANCE;

    // Signed scales over the whole int8 range.
    private static final int[] SCALES = {-128, 127, -1, 1, 0, 64, -64, 3, -7, 12, 100, -100, 31, -32, 5, 9};

    private static int code(int element) {
        return (element * 5 + 3) % 64;
    }

    /**
     * d = 0.25 (fp16 0x3400), {@link #SCALES}, codes {@link #code}, packed as ggml's block_q6_K:
     * in half h (128 elements), element 128h + 32g + l has its low nibble in
     * ql[64h + l + 32 (g & 1)] (bits 0-3 for g < 2, bits 4-7 for g >= 2) and its high two bits in
     * bits 2g..2g+1 of qh[32h + l].
     */
    private static MemorySegment handBuiltBlock() {
        MemorySegment block = MemorySegment.ofArray(new byte[210]);
        for (int e = 0; e < 256; e++) {
            int h = e / 128, g = e % 128 / 32, l = e % 32, q = code(e);
            long ql = 64 * h + l + 32 * (g & 1), qh = 128 + 32 * h + l;
            int lowShift = g < 2 ? 0 : 4;
            block.set(ValueLayout.JAVA_BYTE, ql, (byte) (block.get(ValueLayout.JAVA_BYTE, ql) | (q & 0xF) << lowShift));
            block.set(ValueLayout.JAVA_BYTE, qh, (byte) (block.get(ValueLayout.JAVA_BYTE, qh) | (q >>> 4) << 2 * g));
        }
        for (int k = 0; k < 16; k++) block.set(ValueLayout.JAVA_BYTE, 192 + k, (byte) SCALES[k]);
        block.set(LittleEndian.SHORT, 208, (short) 0x3400);
        return block;
    }

    @Test
    void decodesAHandBuiltSuperBlock() {
        float[] expected = new float[256];
        for (int e = 0; e < 256; e++) expected[e] = 0.25f * SCALES[e / 16] * (code(e) - 32);
        Rows.assertSameBits(expected, Rows.decoded(FORMAT, handBuiltBlock(), 0, 256), "decoded");
    }

    @Test
    void encodeOfZerosIsZero() {
        float[] x = new float[512];
        Rows.assertSameBits(x, Rows.decoded(FORMAT, Rows.encoded(FORMAT, x, 0), 0, 512), "decoded");
    }

    private static final float[] ROW = Rows.gaussian(14, 256 * 16, 0.02);

    private static double subBlockScale(MemorySegment w, int subBlock) {
        long block = 210L * (subBlock / 16);
        return F16.toFloat(w.get(LittleEndian.SHORT, block + 208)) * w.get(ValueLayout.JAVA_BYTE, block + 192 + subBlock % 16);
    }

    @Test
    void encodeRoundsEveryElementToTheNearestLevelOfItsStoredGrid() {
        MemorySegment w = Rows.encoded(FORMAT, ROW, 0);
        float[] y = Rows.decoded(FORMAT, w, 0, ROW.length);
        for (int i = 0; i < ROW.length; i++) {
            double scale = subBlockScale(w, i / 16), nearest = Double.MAX_VALUE;
            for (int q = -32; q < 32; q++) nearest = Math.min(nearest, Math.abs(scale * q - ROW[i]));
            double err = Math.abs(ROW[i] - y[i]);
            assertTrue(err <= nearest + 1e-6 * Math.abs(scale), "element " + i + ": error " + err);
        }
    }

    /**
     * The search keeps the refit of least weighted squared error (weights {@code x^2}) and one of
     * its candidates refits the plain grid, which sends the largest magnitude {@code amax} to
     * -32 in steps of {@code amax / 32}: no element is off by more than one step there (the
     * opposite end stops at 31). Storing the sub-block scale as {@code d * sc} moves it by at most
     * 1.5 |d| (half a quantum, or the clamp of +128 to 127), so level q (|q| <= 32) moves by at most
     * 48 |d|; re-picking the nearest level only lowers each error.
     */
    @Test
    void encodeWeightedErrorPerSubBlockIsWithinThePlainGridBound() {
        MemorySegment w = Rows.encoded(FORMAT, ROW, 0);
        float[] y = Rows.decoded(FORMAT, w, 0, ROW.length);
        for (int s = 0; s < ROW.length / 16; s++) {
            double d = Math.abs(F16.toFloat(w.get(LittleEndian.SHORT, 210L * (s / 16) + 208)));
            double amax = 0, sumW = 0, sumWErr = 0;
            for (int i = 16 * s; i < 16 * s + 16; i++) {
                amax = Math.max(amax, Math.abs(ROW[i]));
                double weight = (double) ROW[i] * ROW[i], err = ROW[i] - y[i];
                sumW += weight;
                sumWErr += weight * err * err;
            }
            double bound = amax / 32 + 48 * d;
            double weightedRms = Math.sqrt(sumWErr / sumW);
            assertTrue(weightedRms <= bound * (1 + 1e-6), "sub-block " + s + ": " + weightedRms + " > " + bound);
        }
    }
}
