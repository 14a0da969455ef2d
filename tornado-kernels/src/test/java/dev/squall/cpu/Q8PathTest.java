package dev.squall.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.format.F16;
import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The int8 path: activations rounded to Q8_0 as llama.cpp rounds them, and the integer block dot products. */
class Q8PathTest {

    @Test
    void roundsToNearestWithTiesToEvenOnTheScaleOfTheLargestMagnitude() {
        float[] x = new float[32];
        x[0] = 127f;          // amax: id = 1
        x[1] = 2.5f;          // tie: to even, 2
        x[2] = 3.5f;          // tie: to even, 4
        x[3] = -2.5f;         // -2
        x[4] = -127f;
        x[5] = 0.49f;
        x[6] = -126.6f;
        Q8Activations q = new Q8Activations();
        q.quantize(x, 1, 32);
        short[] v = q.q();
        assertEquals(127, v[0]);
        assertEquals(2, v[1]);
        assertEquals(4, v[2]);
        assertEquals(-2, v[3]);
        assertEquals(-127, v[4]);
        assertEquals(0, v[5]);
        assertEquals(-127, v[6]);
        assertEquals(1f, q.d()[0]);
    }

    @Test
    void theScaleIsStoredAsFp16AndAZeroBlockStaysZero() {
        float[] x = new float[64];
        x[0] = 1f;            // block 0: d = 1/127, rounded to fp16
        Q8Activations q = new Q8Activations();
        q.quantize(x, 1, 64);
        assertEquals(F16.toFloat(F16.toBits(1f / 127f)), q.d()[0]);
        assertEquals(127, q.q()[0]);
        assertEquals(0f, q.d()[1]);
        for (int i = 32; i < 64; i++) assertEquals(0, q.q()[i]);
    }

    @Test
    void aWidthThatIsNotWholeBlocksIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Q8Activations().quantize(new float[40], 1, 40));
        assertTrue(e.getMessage().contains("40"), e.getMessage());
    }

    @Test
    void theBlockFormatsHaveTheIntPathAndFloatsDoNot() {
        Assumptions.assumeTrue(Lanes.QUANTIZED, "no quantized vector kernels with " + Lanes.F.length() + " float lanes");
        assertTrue(RowKernels.forFormat(WeightFormats.Q8_0).dotsQ8());
        assertTrue(RowKernels.forFormat(WeightFormats.Q4_0).dotsQ8());
        assertEquals(Lanes.S.length() >= 16, RowKernels.forFormat(WeightFormats.MXFP4).dotsQ8(), "MXFP4 where 16 short lanes hold its table");
        assertTrue(RowKernels.forFormat(WeightFormats.Q6_K).dotsQ8());
        assertFalse(RowKernels.forFormat(WeightFormats.F32).dotsQ8());
        assertTrue(RowKernels.forFormat(WeightFormats.Q4_K).dotsQ8());
        assertEquals(Q8Activations.Kind.Q8_K, RowKernels.forFormat(WeightFormats.Q4_K).q8Kind());
    }

    /** One seeded weight row encoded at an odd address (as rows of odd-sized blocks lie) and seeded activations with spikes every {@code every} elements, rounded for the kernel. */
    private record Row(MemorySegment seg, float[] decoded, Q8Activations q) {
        static Row of(WeightFormat f, Q8Activations.Kind kind, int n, SplittableRandom r, int every, double spike, Arena arena) {
            float[] w = new float[n], x = new float[n], decoded = new float[n];
            for (int i = 0; i < n; i++) {
                w[i] = (float) r.nextGaussian();
                x[i] = (float) (r.nextGaussian() * (i % every == 0 ? spike : 1));
            }
            MemorySegment seg = arena.allocate(f.rowBytes(n) + 7, 8).asSlice(7);
            f.encode(w, 0, n, seg, 0);
            f.decode(seg, 0, decoded, 0, n);
            Q8Activations q = new Q8Activations(kind);
            q.quantize(x, 1, n);
            return new Row(seg, decoded, q);
        }
    }

    /**
     * The definition: Σ_b d_w(b)·d_x(b)·Σ_i q_w·q_x, the integer sums exact, the rest in double.
     * The kernel's only roundings are the float scale product and the block accumulation, so it
     * must agree to a few ulps of Σ|terms|; a wrong nibble, sign or pairing is off by far more.
     */
    @ParameterizedTest
    @ValueSource(strings = {"q8_0", "q4_0", "mxfp4"})
    void blockDotProductsEqualTheIntegerDefinition(String name) {
        Assumptions.assumeTrue(Lanes.QUANTIZED, "no quantized vector kernels with " + Lanes.F.length() + " float lanes");
        WeightFormat f = WeightFormats.byName(name);
        RowKernel kernel = RowKernels.forFormat(f);
        Assumptions.assumeTrue(kernel.dotsQ8(), () -> name + " has no int8 path on this machine");
        SplittableRandom r = new SplittableRandom(11);
        for (int n : new int[] {32, 96, 768, 2048}) {
            try (Arena arena = Arena.ofConfined()) {
                Row row = Row.of(f, Q8Activations.Kind.Q8_0, n, r, 7, 10, arena);
                MemorySegment seg = row.seg();
                float[] decoded = row.decoded();
                Q8Activations q = row.q();
                double expected = 0, magnitude = 0;
                for (int b = 0; b < n / 32; b++) {
                    // the weight's scale is the decoded value over its integer code; recover codes exactly
                    long sum = 0;
                    double dw = blockScale(f, seg, b);
                    for (int i = b * 32; i < b * 32 + 32; i++) sum += Math.round(decoded[i] / dw) * (long) q.q()[i];
                    double term = dw * q.d()[b] * sum;
                    expected += term;
                    magnitude += Math.abs(term);
                }
                float actual = kernel.dotQ8(seg, 0, q, 0, new float[Lanes.F.length()]);
                assertEquals(expected, actual, 1e-6 * magnitude + 1e-30, name + " n=" + n);
            }
        }
    }

    /** The value of one integer code of the block: the fp16 scale, or for MXFP4 half its power of two (codes are the doubled E2M1 values). */
    private static double blockScale(WeightFormat f, MemorySegment seg, int block) {
        long at = (long) block * f.blockBytes();
        if (f == WeightFormats.MXFP4) return dev.squall.format.E8M0.toFloat(seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at)) * 0.5;
        return F16.toFloat(seg.get(dev.squall.format.LittleEndian.SHORT, at));
    }

    /** quantize_row_q8_K_ref: the signed value of largest magnitude maps to -127, d = 1/iscale, sums of every 32. */
    @Test
    void q8_KRoundsOnTheSignedMaximumAndSumsEvery32() {
        float[] x = new float[256];
        x[3] = -127f / 64f;    // max, with its sign: iscale = 64 exactly
        x[0] = 2.5f / 64f;     // 2.5 -> 2 (tie to even)
        x[1] = 3.5f / 64f;     // 3.5 -> 4
        x[40] = -1.5f / 64f;   // -1.5 -> -2
        x[41] = 1.984f / 64f;  // 1.984 -> 2
        Q8Activations q = new Q8Activations(Q8Activations.Kind.Q8_K);
        q.quantize(x, 1, 256);
        assertEquals(2, q.q()[0]);
        assertEquals(4, q.q()[1]);
        assertEquals(-127, q.q()[3]);
        assertEquals(-2, q.q()[40]);
        assertEquals(2, q.q()[41]);
        assertEquals(1f / 64f, q.d()[0]);
        assertEquals(2 + 4 - 127, q.sums()[0]);
        assertEquals(0, q.sums()[1]);
        for (int s = 2; s < 8; s++) assertEquals(0, q.sums()[s]);
    }

    /**
     * Q4_K against its integer definition: Σ_b d_x·(d·Σ_s sc_s·Σ q·q_x − dmin·Σ_s m_s·Σ q_x),
     * codes, scales and minimums read from the bytes by the format's own helpers.
     */
    @Test
    void q4_KBlockDotProductsEqualTheIntegerDefinition() {
        Assumptions.assumeTrue(Lanes.QUANTIZED, "no quantized vector kernels with " + Lanes.F.length() + " float lanes");
        WeightFormat f = WeightFormats.Q4_K;
        RowKernel kernel = RowKernels.forFormat(f);
        SplittableRandom r = new SplittableRandom(12);
        for (int n : new int[] {256, 768, 2048}) {
            try (Arena arena = Arena.ofConfined()) {
                Row row = Row.of(f, Q8Activations.Kind.Q8_K, n, r, 11, 8, arena);
                MemorySegment seg = row.seg();
                Q8Activations q = row.q();
                double expected = 0, magnitude = 0;
                for (int b = 0; b < n / 256; b++) {
                    long block = (long) b * f.blockBytes();
                    double d = F16.toFloat(seg.get(dev.squall.format.LittleEndian.SHORT, block));
                    double dmin = F16.toFloat(seg.get(dev.squall.format.LittleEndian.SHORT, block + 2));
                    long isum = 0, msum = 0;
                    for (int sub = 0; sub < 8; sub++) {
                        long dot = 0, xs = 0;
                        for (int l = 0; l < 32; l++) {
                            int code = (seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, block + 16 + 32L * (sub / 2) + l) & 0xFF) >>> (4 * (sub % 2)) & 0xF;
                            int xi = q.q()[b * 256 + sub * 32 + l];
                            dot += (long) code * xi;
                            xs += xi;
                        }
                        isum += dot * dev.squall.format.Q4_K.scale(seg, block, sub);
                        msum += xs * dev.squall.format.Q4_K.min(seg, block, sub);
                    }
                    double dx = q.d()[b];
                    expected += dx * (d * isum - dmin * msum);
                    magnitude += Math.abs(dx * d * isum) + Math.abs(dx * dmin * msum);
                }
                float actual = kernel.dotQ8(seg, 0, q, 0, new float[Lanes.F.length()]);
                assertEquals(expected, actual, 1e-6 * magnitude, "n=" + n);
            }
        }
    }

    /** Q6_K against its integer definition: Σ_b d_x·d·Σ_g sc_g·Σ (code − 32)·q_x, codes read by {@link dev.squall.format.Q6_K#code}. */
    @Test
    void q6_KBlockDotProductsEqualTheIntegerDefinition() {
        Assumptions.assumeTrue(Lanes.QUANTIZED, "no quantized vector kernels with " + Lanes.F.length() + " float lanes");
        WeightFormat f = WeightFormats.Q6_K;
        RowKernel kernel = RowKernels.forFormat(f);
        assertEquals(Q8Activations.Kind.Q8_K, kernel.q8Kind());
        SplittableRandom r = new SplittableRandom(13);
        for (int n : new int[] {256, 768, 2048}) {
            try (Arena arena = Arena.ofConfined()) {
                Row row = Row.of(f, Q8Activations.Kind.Q8_K, n, r, 5, 6, arena);
                MemorySegment seg = row.seg();
                Q8Activations q = row.q();
                double expected = 0, magnitude = 0;
                for (int b = 0; b < n / 256; b++) {
                    long block = (long) b * f.blockBytes();
                    double d = F16.toFloat(seg.get(dev.squall.format.LittleEndian.SHORT, block + dev.squall.format.Q6_K.D_OFFSET));
                    long isum = 0;
                    for (int g = 0; g < 16; g++) {
                        long dot = 0;
                        for (int e = 16 * g; e < 16 * g + 16; e++) dot += (long) (dev.squall.format.Q6_K.code(seg, block, e) - 32) * q.q()[b * 256 + e];
                        isum += dot * seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, block + dev.squall.format.Q6_K.SCALES_OFFSET + g);
                    }
                    double term = q.d()[b] * d * isum;
                    expected += term;
                    magnitude += Math.abs(term);
                }
                float actual = kernel.dotQ8(seg, 0, q, 0, new float[Lanes.F.length()]);
                assertEquals(expected, actual, 1e-6 * magnitude + 1e-30, "n=" + n);
            }
        }
    }

    /** Four tokens per pass give each token's bits of one-token {@code dotQ8}, in every format with the path. */
    @ParameterizedTest
    @ValueSource(strings = {"q8_0", "q4_0", "mxfp4", "q4_k", "q6_k"})
    void fourTokensAtOnceEqualEachTokenAlone(String name) {
        Assumptions.assumeTrue(Lanes.QUANTIZED, "no quantized vector kernels with " + Lanes.F.length() + " float lanes");
        WeightFormat f = WeightFormats.byName(name);
        RowKernel kernel = RowKernels.forFormat(f);
        Assumptions.assumeTrue(kernel.dotsQ8(), () -> name + " has no int8 path on this machine");
        int n = 512, tokens = 6;
        SplittableRandom r = new SplittableRandom(21);
        float[] w = new float[n], x = new float[n * tokens];
        for (int i = 0; i < n; i++) w[i] = (float) r.nextGaussian();
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(f.rowBytes(n));
            f.encode(w, 0, n, seg, 0);
            Q8Activations q = new Q8Activations(kernel.q8Kind());
            q.quantize(x, tokens, n);
            float[] lanes = new float[4 * Lanes.F.length()], four = new float[2 * 4 + 1];
            kernel.dotQ8x4(seg, 0, q, 2, four, 1, 2, lanes);
            for (int i = 0; i < 4; i++) assertEquals(kernel.dotQ8(seg, 0, q, 2 + i, lanes), four[1 + 2 * i], name + " token " + (2 + i));
        }
    }

    /**
     * The packed copy of a matrix (codes back to back on the heap, scales as floats) gives the bits
     * of {@code dotQ8} over the mapped rows, for every row and token, one token or a batch of six;
     * formats without a packed layout say so with null.
     */
    @ParameterizedTest
    @ValueSource(strings = {"q8_0", "q4_0"})
    void aPackedCopyGivesTheBitsOfTheMappedRows(String name) {
        Assumptions.assumeTrue(Lanes.QUANTIZED, "no quantized vector kernels with " + Lanes.F.length() + " float lanes");
        WeightFormat f = WeightFormats.byName(name);
        RowKernel kernel = RowKernels.forFormat(f);
        int n = 384, rows = 7, tokens = 6;
        SplittableRandom r = new SplittableRandom(34);
        float[] w = new float[n * rows], x = new float[n * tokens];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * (i % 29 == 0 ? 20 : 1));
        try (Arena arena = Arena.ofConfined()) {
            long rowBytes = f.rowBytes(n);
            MemorySegment seg = arena.allocate(rowBytes * rows + 5, 8).asSlice(5, rowBytes * rows);
            for (int row = 0; row < rows; row++) f.encode(w, row * n, n, seg, row * rowBytes);
            dev.squall.tensor.WeightTensor t = new dev.squall.tensor.WeightTensor("w", f, new long[] {n, rows}, seg);
            PackedQ8 packed = kernel.packQ8(t);
            assertEquals(rows, packed.rows());
            assertEquals((long) rows * (n / 32) * (f.blockBytes() - 2 + Float.BYTES), packed.bytes());
            Q8Activations q = new Q8Activations(kernel.q8Kind());
            q.quantize(x, tokens, n);
            float[] lanes = new float[4 * Lanes.F.length()], batch = new float[1 + tokens * rows];
            packed.rows(q, batch, 1, 1, rows, lanes);
            for (int row = 0; row < rows; row++) {
                for (int tok = 0; tok < tokens; tok++) {
                    float mapped = kernel.dotQ8(seg, row * rowBytes, q, tok, lanes);
                    assertEquals(mapped, packed.dot(row, q, tok, lanes), name + " row " + row + " token " + tok);
                    if (row >= 1) assertEquals(mapped, batch[1 + tok * rows + row], name + " row " + row + " token " + tok + " of the batch");
                    else assertEquals(0f, batch[1 + tok * rows], "row 0 is outside [1, rows) and is not written");
                }
            }
        }
        assertEquals(null, RowKernels.forFormat(WeightFormats.Q6_K).packQ8(null), "Q6_K reads its blocks as stored");
    }

    @Test
    void tokensOfOneBatchGiveTheSameBitsWhereverTheyStand() {
        Assumptions.assumeTrue(Lanes.QUANTIZED, "no quantized vector kernels with " + Lanes.F.length() + " float lanes");
        int n = 256, rows = 5, tokens = 3;
        SplittableRandom r = new SplittableRandom(3);
        float[] w = new float[n * rows], x = new float[n * tokens];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        WeightFormat f = WeightFormats.Q8_0;
        RowKernel kernel = RowKernels.forFormat(f);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(f.rowBytes(n) * rows);
            for (int row = 0; row < rows; row++) f.encode(w, row * n, n, seg, row * f.rowBytes(n));
            Q8Activations all = new Q8Activations(), one = new Q8Activations();
            all.quantize(x, tokens, n);
            float[] lanes = new float[Lanes.F.length()];
            for (int t = 0; t < tokens; t++) {
                one.quantize(java.util.Arrays.copyOfRange(x, t * n, (t + 1) * n), 1, n);
                float[] batched = new float[rows], alone = new float[rows];
                for (int row = 0; row < rows; row++) {
                    batched[row] = kernel.dotQ8(seg, row * f.rowBytes(n), all, t, lanes);
                    alone[row] = kernel.dotQ8(seg, row * f.rowBytes(n), one, 0, lanes);
                }
                assertArrayEquals(alone, batched, "token " + t);
            }
        }
    }
}
