package dev.squall.validation.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The comparison maths of the FP4 parity cases, on values worked out by hand. */
class LogitGapTest {

    @Test
    void nmseIsTheSquaredErrorOverTheReferencesEnergy() {
        // error (1, 0, -1): 2; reference energy 4 + 0 + 4 = 8
        assertEquals(0.25, LogitGap.nmse(new float[] {3, 0, 1}, new float[] {2, 0, 2}), 1e-15);
        assertEquals(Math.sqrt(2.0 / 3), LogitGap.rms(new float[] {3, 0, 1}, new float[] {2, 0, 2}), 1e-15);
    }

    @Test
    void marginIsTopMinusSecondAndArgmaxTakesTheFirstOfEqualTops() {
        assertEquals(1.5, LogitGap.margin(new float[] {0, 2.5f, 1, -3}), 0);
        assertEquals(1, LogitGap.argmax(new float[] {0, 4, 4}));
        assertEquals(0, LogitGap.margin(new float[] {0, 4, 4}), 0);
    }

    @Test
    void theQ8_0BoundIsTheWorstBlockPlusTheF16Scale() {
        assertEquals(32 / (12.0 * 127 * 127) + 0x1p-22, LogitGap.Q8_0_MATMUL_NMSE, 0);
        assertEquals(1.656e-4, LogitGap.Q8_0_MATMUL_NMSE, 1e-7);
    }
}
