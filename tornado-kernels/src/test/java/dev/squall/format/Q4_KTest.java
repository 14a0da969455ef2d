package dev.squall.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * Q4_K: {fp16 d; fp16 dmin; uint8 scales[12]; uint8 qs[128]}; sub-block j (32 elements) is
 * {@code d * sc_j * q - dmin * m_j}; byte l of 32-byte chunk c holds element 64c + l (low nibble)
 * and 64c + 32 + l (high nibble).
 */
class Q4_KTest {

    private static final Q4_K FORMAT = Q4_K.INSTANCE;

    // Scales and mins chosen to use all 6 bits, in both halves of the packing.
    private static final int[] SC = {1, 17, 40, 63, 5, 33, 47, 62};
    private static final int[] M = {0, 9, 31, 63, 2, 20, 48, 61};
    // get_scale_min_k4's packing of SC and M: bytes 0-3 = SC[0..3] | (SC[4..7] >> 4) << 6,
    // bytes 4-7 = M[0..3] | (M[4..7] >> 4) << 6, bytes 8-11 = (SC[4..7] & 15) | (M[4..7] & 15) << 4.
    private static final int[] PACKED = {0x01, 0x91, 0xA8, 0xFF, 0x00, 0x49, 0xDF, 0xFF, 0x25, 0x41, 0x0F, 0xDE};

    private static int code(int element) {
        return (element * 7 + element / 32) % 16;
    }

    /** d = 1 (0x3C00), dmin = 0.5 (0x3800), {@link #PACKED}, nibbles {@link #code}. */
    private static MemorySegment handBuiltBlock() {
        MemorySegment block = MemorySegment.ofArray(new byte[144]);
        block.set(LittleEndian.SHORT, 0, (short) 0x3C00);
        block.set(LittleEndian.SHORT, 2, (short) 0x3800);
        for (int k = 0; k < 12; k++) block.set(ValueLayout.JAVA_BYTE, 4 + k, (byte) PACKED[k]);
        for (int c = 0; c < 4; c++) {
            for (int l = 0; l < 32; l++) {
                int packed = code(64 * c + l) | code(64 * c + 32 + l) << 4;
                block.set(ValueLayout.JAVA_BYTE, 16 + 32 * c + l, (byte) packed);
            }
        }
        return block;
    }

    @Test
    void unpacksSixBitScalesAndMins() {
        MemorySegment block = handBuiltBlock();
        int[] sc = new int[8], m = new int[8];
        for (int j = 0; j < 8; j++) {
            sc[j] = Q4_K.scale(block, 0, j);
            m[j] = Q4_K.min(block, 0, j);
        }
        assertArrayEquals(SC, sc, "scales");
        assertArrayEquals(M, m, "mins");
    }

    @Test
    void decodesAHandBuiltSuperBlock() {
        float[] expected = new float[256];
        for (int e = 0; e < 256; e++) expected[e] = SC[e / 32] * code(e) - 0.5f * M[e / 32];
        Rows.assertSameBits(expected, Rows.decoded(FORMAT, handBuiltBlock(), 0, 256), "decoded");
    }

    @Test
    void encodeOfZerosIsZero() {
        float[] x = new float[256];
        Rows.assertSameBits(x, Rows.decoded(FORMAT, Rows.encoded(FORMAT, x, 0), 0, 256), "decoded");
    }

    /** The stored grid of sub-block j: level q is {@code d * sc * q - dmin * m}. */
    private record Grid(double scale, double min) {
        static Grid of(MemorySegment w, long block, int j) {
            double d = F16.toFloat(w.get(LittleEndian.SHORT, block));
            double dmin = F16.toFloat(w.get(LittleEndian.SHORT, block + 2));
            return new Grid(d * Q4_K.scale(w, block, j), dmin * Q4_K.min(w, block, j));
        }

        double nearestDistance(double x) {
            double best = Double.MAX_VALUE;
            for (int q = 0; q < 16; q++) best = Math.min(best, Math.abs(scale * q - min - x));
            return best;
        }
    }

    private static final float[] ROW = Rows.gaussian(12, 256 * 16, 0.02);

    @Test
    void encodeRoundsEveryElementToTheNearestLevelOfItsStoredGrid() {
        MemorySegment w = Rows.encoded(FORMAT, ROW, 0);
        float[] y = Rows.decoded(FORMAT, w, 0, ROW.length);
        for (int i = 0; i < ROW.length; i++) {
            Grid grid = Grid.of(w, 144L * (i / 256), i % 256 / 32);
            double err = Math.abs(ROW[i] - y[i]);
            double tolerance = 1e-6 * grid.scale();   // the float division (x + min) / scale
            assertTrue(err <= grid.nearestDistance(ROW[i]) + tolerance, "element " + i + ": error " + err);
        }
    }

    /**
     * The search keeps the fit of least weighted squared error (weights {@code rms + |x|}), and
     * its first candidate is the plain grid spanning [min(x, 0), max(x)] in 15 steps of
     * {@code s0}, whose error is at most {@code s0 / 2}. Storing the scale and min to 6 bits
     * moves level q by at most {@code 15 * d / 2 + dmin / 2}, and re-picking the nearest level only
     * lowers each error, so each sub-block's weighted RMS error is within the sum.
     */
    @Test
    void encodeWeightedErrorPerSubBlockIsWithinThePlainGridBound() {
        MemorySegment w = Rows.encoded(FORMAT, ROW, 0);
        float[] y = Rows.decoded(FORMAT, w, 0, ROW.length);
        for (int s = 0; s < ROW.length / 32; s++) {
            long block = 144L * (s / 8);
            double d = F16.toFloat(w.get(LittleEndian.SHORT, block));
            double dmin = F16.toFloat(w.get(LittleEndian.SHORT, block + 2));
            double lo = 0, hi = -Double.MAX_VALUE, sumSq = 0;
            for (int i = 32 * s; i < 32 * s + 32; i++) {
                lo = Math.min(lo, ROW[i]);
                hi = Math.max(hi, ROW[i]);
                sumSq += ROW[i] * ROW[i];
            }
            double rms = Math.sqrt(sumSq / 32), sumW = 0, sumWErr = 0;
            for (int i = 32 * s; i < 32 * s + 32; i++) {
                double weight = rms + Math.abs(ROW[i]), err = ROW[i] - y[i];
                sumW += weight;
                sumWErr += weight * err * err;
            }
            double bound = (hi - lo) / 15 / 2 + 15 * d / 2 + dmin / 2;
            double weightedRms = Math.sqrt(sumWErr / sumW);
            assertTrue(weightedRms <= bound * (1 + 1e-6), "sub-block " + s + ": " + weightedRms + " > " + bound);
        }
    }
}
