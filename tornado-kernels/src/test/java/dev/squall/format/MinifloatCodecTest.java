package dev.squall.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The study's codec: any ExMy with E8M0 block scales or an FP32 row scale, by the stored formats' own rules. */
class MinifloatCodecTest {

    private static float[] roundTrip(MinifloatCodec c, float[] x) {
        float[] y = new float[x.length];
        c.roundTrip(x, 0, x.length, y, 0);
        return y;
    }

    @Test
    void blocksOf32GiveExactlyMxfp8() {
        float[] x = Rows.gaussian(50, 32 * 40, 0.02);
        x[77] = 0;
        x[300] = 3e-9f;
        for (MXFP8 f : new MXFP8[] {MXFP8.E4M3, MXFP8.E5M2}) {
            Rows.assertSameBits(Rows.decoded(f, Rows.encoded(f, x, 0), 0, x.length),
                    roundTrip(new MinifloatCodec(f.element(), 32), x), f.name());
        }
    }

    @Test
    void perRowGivesExactlyFp8() {
        for (int n : new int[] {1, 7, 768}) {
            float[] x = Rows.gaussian(51 + n, n, 0.02);
            for (FP8 f : new FP8[] {FP8.E4M3, FP8.E5M2}) {
                Rows.assertSameBits(Rows.decoded(f, Rows.encoded(f, x, 0), 0, n),
                        roundTrip(new MinifloatCodec(f.element(), MinifloatCodec.PER_ROW), x), f.name() + " n=" + n);
            }
        }
    }

    @Test
    void e2m1In32sIsMxfp4ExceptAtTiesAndTheSignOfZero() {
        float[] x = Rows.gaussian(52, 32 * 40, 0.02);   // no exact ties, no amax a float step below 2^k
        MinifloatCodec c = new MinifloatCodec(Minifloat.E2M1, 32);
        float[] ggml = Rows.decoded(MXFP4.INSTANCE, Rows.encoded(MXFP4.INSTANCE, x, 0), 0, x.length);
        float[] ocp = roundTrip(c, x);
        // Equal as numbers: a negative value that rounds to zero is +0 for ggml, -0 for OCP.
        for (int i = 0; i < x.length; i++) assertTrue(ggml[i] == ocp[i], "element " + i + ": " + ggml[i] + " vs " + ocp[i]);
        float[] tie = new float[32];
        tie[0] = 4;
        tie[1] = 0.75f;   // ggml: 0.5, round to nearest even: 1
        assertNotEquals(Rows.decoded(MXFP4.INSTANCE, Rows.encoded(MXFP4.INSTANCE, tie, 0), 0, 32)[1], roundTrip(c, tie)[1]);
        assertEquals(1f, roundTrip(c, tie)[1]);
    }

    @Test
    void aRowThatIsNotWholeBlocksIsRejectedNamingTheBlockSize() {
        var e = assertThrows(IllegalArgumentException.class, () -> new MinifloatCodec(Minifloat.E2M1, 64).roundTrip(new float[96], 0, 96, new float[96], 0));
        assertTrue(e.getMessage().contains("64") && e.getMessage().contains("96"), e.getMessage());
    }

    @Test
    void bitsPerWeightCountTheScales() {
        assertEquals(4.25, new MinifloatCodec(Minifloat.E2M1, 32).bitsPerWeight(768));
        assertEquals(8.5, new MinifloatCodec(Minifloat.E4M3, 16).bitsPerWeight(768));
        assertEquals(8 + 32.0 / 768, new MinifloatCodec(Minifloat.E5M2, MinifloatCodec.PER_ROW).bitsPerWeight(768));
        assertEquals("E3M4/128", new MinifloatCodec(Minifloat.of(3, 4), 128).name());
        assertEquals("E2M1/row", new MinifloatCodec(Minifloat.E2M1, MinifloatCodec.PER_ROW).name());
    }

    @Test
    void roundTripMayWorkInPlace() {
        float[] x = Rows.gaussian(53, 64, 1);
        float[] expected = roundTrip(new MinifloatCodec(Minifloat.of(3, 4), 16), x);
        new MinifloatCodec(Minifloat.of(3, 4), 16).roundTrip(x, 0, 64, x, 0);
        Rows.assertSameBits(expected, x, "in place");
    }
}
