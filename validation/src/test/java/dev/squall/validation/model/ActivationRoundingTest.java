package dev.squall.validation.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.format.WeightFormats;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** llama.cpp's rounding of matmul inputs, as emulated, and the per-matmul bounds derived from it. */
class ActivationRoundingTest {

    @Test
    void eachWeightFormatMapsToLlamaCppsVecDotType() {
        assertEquals(ActivationRounding.NONE, ActivationRounding.forWeights(WeightFormats.F32));
        assertEquals(ActivationRounding.F16, ActivationRounding.forWeights(WeightFormats.F16));
        assertEquals(ActivationRounding.Q8_0, ActivationRounding.forWeights(WeightFormats.Q8_0));
        assertEquals(ActivationRounding.Q8_0, ActivationRounding.forWeights(WeightFormats.Q4_0));
        assertEquals(ActivationRounding.Q8_K, ActivationRounding.forWeights(WeightFormats.Q4_K));
        assertEquals(ActivationRounding.Q8_K, ActivationRounding.forWeights(WeightFormats.Q6_K));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ActivationRounding.forWeights(WeightFormats.BF16));
        assertTrue(e.getMessage().contains("BF16"), e.getMessage());
    }

    @Test
    void perMatmulBoundsAreBlockSizeOverTwelveTimes127Squared() {
        // 12 · 127² = 193548
        assertEquals(32.0 / 193548 + Math.scalb(1.0, -22), ActivationRounding.Q8_0.matmulNmse(), 1e-18);
        assertEquals(1.6557e-4, ActivationRounding.Q8_0.matmulNmse(), 1e-8);
        assertEquals(1.32267e-3, ActivationRounding.Q8_K.matmulNmse(), 1e-8);
        assertEquals(7.947e-8, ActivationRounding.F16.matmulNmse(), 1e-11);
        assertEquals(0, ActivationRounding.NONE.threshold(15));
        assertEquals(15 * ActivationRounding.Q8_K.matmulNmse(), ActivationRounding.Q8_K.threshold(15), 1e-18);
    }

    @Test
    void q8_0RoundsHalfToEvenOnTheGridOfAmaxOver127() {
        float[] x = new float[32];
        float[] in = {127, 0.5f, 1.5f, 2.5f, -2.5f, -0.4f, 3.2f};
        System.arraycopy(in, 0, x, 0, in.length);
        ActivationRounding.Q8_0.round(x, 0, 32);   // amax 127: d = 1, the grid is the integers
        assertArrayEquals(new float[] {127, 0, 2, 2, -2, 0, 3}, Arrays.copyOf(x, in.length));
    }

    @Test
    void q8_0StoresItsScaleAsF16() {
        float[] x = new float[32];
        x[0] = 1;
        ActivationRounding.Q8_0.round(x, 0, 32);
        // d = 1/127 = 0.0078740… lies in [2⁻⁷, 2⁻⁶), F16 step 2⁻¹⁷: 1032·2⁻¹⁷; q = 127
        assertEquals(127 * 1032 * Math.scalb(1.0, -17), x[0], 0);
    }

    @Test
    void q8_KScalesByTheSignedLargestValue() {
        float[] x = new float[256];
        float[] in = {-127, 0.5f, 1.5f, 126.6f, -3.5f};
        System.arraycopy(in, 0, x, 0, in.length);
        ActivationRounding.Q8_K.round(x, 0, 256);   // max −127: iscale = 1, d = 1
        assertArrayEquals(new float[] {-127, 0, 2, 127, -4}, Arrays.copyOf(x, in.length));
    }

    @Test
    void q8_KOfAnAllZeroBlockIsZero() {
        float[] x = new float[256];
        ActivationRounding.Q8_K.round(x, 0, 256);
        assertArrayEquals(new float[256], x);
    }

    @Test
    void f16RoundsTiesToEven() {
        float[] x = {1 + Math.scalb(1f, -11), 1 + 3 * Math.scalb(1f, -11), 65504f};
        ActivationRounding.F16.round(x, 0, 3);
        assertArrayEquals(new float[] {1, 1 + Math.scalb(1f, -9), 65504f}, x);
    }

    @Test
    void aRowThatIsNoWholeNumberOfBlocksIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ActivationRounding.Q8_K.round(new float[300], 0, 300));
        assertTrue(e.getMessage().contains("300") && e.getMessage().contains("256"), e.getMessage());
    }

    @Test
    void roundingNoiseOfGaussianAndSpikyRowsStaysUnderTheBound() {
        SplittableRandom r = new SplittableRandom(11);
        for (ActivationRounding a : new ActivationRounding[] {ActivationRounding.F16, ActivationRounding.Q8_0, ActivationRounding.Q8_K}) {
            for (boolean spiky : new boolean[] {false, true}) {
                float[] x = new float[4096];
                for (int i = 0; i < x.length; i++) x[i] = (float) (spiky && i % 32 == 0 ? 40 * r.nextGaussian() : r.nextGaussian());
                float[] y = x.clone();
                a.round(y, 0, y.length);
                double err = 0, ref = 0;
                for (int i = 0; i < x.length; i++) {
                    err += (double) (y[i] - x[i]) * (y[i] - x[i]);
                    ref += (double) x[i] * x[i];
                }
                assertTrue(err / ref <= a.matmulNmse(), a + (spiky ? " spiky" : " gaussian") + ": NMSE " + err / ref + " > " + a.matmulNmse());
            }
        }
    }
}
