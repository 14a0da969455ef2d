package dev.squall.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * NVFP4 (ggml type 40): {uint8 d[4]; uint8 qs[32]} per 64 elements; sub-block s has scale d[s]
 * (UE4M3) and bytes qs[8s..8s+8), low nibbles its elements 0-7, high nibbles 8-15; value
 * E2M1(code)·(UE4M3(d[s])·tensorScale).
 */
class NVFP4Test {

    private static int scaleByte(MemorySegment block, int sub) {
        return block.get(ValueLayout.JAVA_BYTE, sub) & 0xFF;
    }

    private static int code(MemorySegment block, int element) {
        int sub = element / 16, j = element % 16;
        int b = block.get(ValueLayout.JAVA_BYTE, 4 + 8 * sub + j % 8) & 0xFF;
        return j < 8 ? b & 0xF : b >>> 4;
    }

    /** Scales 1 (0x38), 2 (0x40), 2^-9 (0x01, subnormal) and 0xB8 (bit 7 ignored: 1); qs[8s + j] = j | (15 - j) << 4. */
    private static MemorySegment handBuilt() {
        int[] bytes = new int[36];
        bytes[0] = 0x38;
        bytes[1] = 0x40;
        bytes[2] = 0x01;
        bytes[3] = 0xB8;
        for (int s = 0; s < 4; s++) for (int j = 0; j < 8; j++) bytes[4 + 8 * s + j] = j | (15 - j) << 4;
        return Rows.bytes(bytes);
    }

    private static final float[] SUB_BLOCK = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6, -6, -4, -3, -2, -1.5f, -1, -0.5f, -0f};

    @Test
    void decodesAHandBuiltBlockInGgmlsNibbleOrder() {
        float[] scales = {1, 2, 0x1p-9f, 1};
        float[] expected = new float[64];
        for (int s = 0; s < 4; s++) for (int j = 0; j < 16; j++) expected[16 * s + j] = SUB_BLOCK[j] * scales[s];
        Rows.assertSameBits(expected, Rows.decoded(NVFP4.INSTANCE, handBuilt(), 0, 64), "decoded");
    }

    @Test
    void theTensorScaleMultipliesEverySubBlockScale() {
        float[] expected = Rows.decoded(NVFP4.INSTANCE, handBuilt(), 0, 64);
        for (int i = 0; i < 64; i++) expected[i] *= 0.25f;   // exact: a power of two
        Rows.assertSameBits(expected, Rows.decoded(NVFP4.withTensorScale(0.25f), handBuilt(), 0, 64), "decoded");
    }

    @Test
    void scaleByte0x7FIsNan() {
        int[] bytes = new int[36];
        bytes[2] = 0x7F;
        bytes[4 + 16] = 0x11;
        float[] y = Rows.decoded(NVFP4.INSTANCE, Rows.bytes(bytes), 0, 64);
        for (int j = 32; j < 48; j++) assertTrue(Float.isNaN(y[j]), "element " + j);
        assertEquals(0f, y[0]);
    }

    @Test
    void encodeWithTensorScaleOneRoundsScaleAndElementsToNearestEven() {
        float[] x = new float[64];
        // Sub-block 0: amax 3, scale E4M3(3/6) = 0.5 (0x30); elements x/0.5 rounded to E2M1, ties to even.
        float[] sub0 = {3, 1.5f, -0.75f, 0.25f, 0.375f, 0.875f, 1.25f, -2.5f, -3, 0.1f, 0, 0, 0, 0, 0, 0};
        int[] codes0 = {7, 5, 11, 1, 2, 4, 4, 14, 15, 0, 0, 0, 0, 0, 0, 0};
        System.arraycopy(sub0, 0, x, 0, 16);
        // Sub-block 1: amax 0.7 -> 0.7/6 = 0.11667 -> E4M3 0.1171875 (0x1F: 2^-4·1.875); 0.7/0.1171875 = 5.97 -> 6.
        x[16] = 0.7f;
        MemorySegment block = Rows.encoded(NVFP4.INSTANCE, x, 0);
        assertEquals(0x30, scaleByte(block, 0));
        for (int j = 0; j < 16; j++) assertEquals(codes0[j], code(block, j), "code of element " + j);
        assertEquals(0x1F, scaleByte(block, 1));
        assertEquals(7, code(block, 16));
        assertEquals(0, scaleByte(block, 2));   // all zero
    }

    @Test
    void theTensorScalePutsTheLargestSubBlockScaleAt448() {
        float[] x = Rows.gaussian(5, 256, 0.02);
        int arg = 0;
        for (int i = 0; i < x.length; i++) if (Math.abs(x[i]) > Math.abs(x[arg])) arg = i;
        float amax = Math.abs(x[arg]);
        NVFP4 f = NVFP4.withTensorScale(NVFP4.tensorScaleFor(amax));
        assertEquals(amax / (6f * 448f), f.tensorScale());
        MemorySegment row = Rows.encoded(f, x, 0);
        MemorySegment block = row.asSlice(36L * (arg / 64));
        assertEquals(0x7E, scaleByte(block, arg % 64 / 16));
        assertEquals(x[arg] > 0 ? 7 : 15, code(block, arg % 64));
    }

    @Test
    void aSubBlockHoldingNanOrInfinityGetsTheNanScale() {
        float[] x = Rows.gaussian(6, 64, 1);
        x[40] = Float.POSITIVE_INFINITY;
        MemorySegment block = Rows.encoded(NVFP4.INSTANCE, x, 0);
        assertEquals(0x7F, scaleByte(block, 2));
        for (int j = 32; j < 48; j++) assertEquals(0, code(block, j));
        assertTrue(scaleByte(block, 1) != 0x7F);
    }

    @Test
    void tensorScalesMustBePositiveAndFinite() {
        for (float bad : new float[] {0f, -1f, Float.NaN, Float.POSITIVE_INFINITY}) {
            assertThrows(IllegalArgumentException.class, () -> NVFP4.withTensorScale(bad), "scale " + bad);
        }
        assertEquals(1f, NVFP4.tensorScaleFor(0f));
        assertEquals(1f, NVFP4.tensorScaleFor(Float.NaN));
        assertEquals(NVFP4.INSTANCE, NVFP4.withTensorScale(1f));
    }

    /**
     * Per sub-block with stored scale S: an element x/S at most 6 is within half an E2M1 step of it
     * (0.25 up to 2, 0.5 up to 4, 1 above), beyond 6 it saturates (the scale was rounded down).
     */
    @Test
    void encodeErrorIsWithinHalfAStepOrTheSaturation() {
        float[] x = Rows.gaussian(42, 64 * 64, 0.02);
        float amax = 0;
        for (float v : x) amax = Math.max(amax, Math.abs(v));
        NVFP4 f = NVFP4.withTensorScale(NVFP4.tensorScaleFor(amax));
        MemorySegment encoded = Rows.encoded(f, x, 0);
        float[] y = Rows.decoded(f, encoded, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            double scale = NVFP4.scaleValue(encoded.get(ValueLayout.JAVA_BYTE, 36L * (i / 64) + i % 64 / 16)) * f.tensorScale();
            double v = Math.abs(x[i]) / scale;
            double bound = scale * (v > 6 ? v - 6 + 1e-6 : v > 4 ? 1 : v > 2 ? 0.5 : 0.25) * (1 + 1e-6);
            assertTrue(Math.abs(x[i] - y[i]) <= bound, "element " + i + ": " + x[i] + " -> " + y[i]);
        }
    }
}
