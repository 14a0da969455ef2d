package dev.squall.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.squall.format.NVFP4;
import dev.squall.format.Rows;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * NVFP4 with a per-tensor scale that is not a power of two, so that every weight is a rounded
 * product: the vector kernel of that tensor still decodes to the oracle's bits and sums in the
 * canonical order (the shared kernel tests use tensor scale 1).
 */
class ScaledNvfp4KernelTest {

    @ParameterizedTest
    @ValueSource(floats = {0.37f, 3.3e-5f, 1.7e3f})
    void theVectorKernelOfAScaledTensorEqualsTheOracleBitwise(float scale) {
        assumeTrue(Lanes.QUANTIZED, "float vectors narrower than 8 lanes");
        NVFP4 f = NVFP4.withTensorScale(scale);
        int n = 7 * 64;
        MemorySegment w = Rows.encoded(f, Rows.gaussian(9, 4 * n, 1e-3 * scale), 0);
        RowKernel k = RowKernels.vector(f).orElseThrow();
        float[] x = Rows.gaussian(10, n, 1), oracle = new float[n], decoded = new float[n], four = new float[4];
        k.dot4(w, 0, f.rowBytes(n), x, 0, n, four, 0, new float[RowKernel.laneScratch()]);
        for (int r = 0; r < 4; r++) {
            long offset = r * f.rowBytes(n);
            f.decode(w, offset, oracle, 0, n);
            k.decode(w, offset, decoded, 0, n);
            Rows.assertSameBits(oracle, decoded, "row " + r);
            int expected = Float.floatToRawIntBits(Canonical.dot(oracle, 0, x, 0, n));
            assertEquals(expected, Float.floatToRawIntBits(k.dot(w, offset, x, 0, n)), "dot row " + r);
            assertEquals(expected, Float.floatToRawIntBits(four[r]), "dot4 row " + r);
        }
    }
}
