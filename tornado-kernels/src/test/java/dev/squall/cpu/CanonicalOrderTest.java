package dev.squall.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.ops.Matmul;
import dev.squall.tensor.WeightTensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kernel sums in the one canonical order, so results are bit-identical across kernels,
 * tilings and batch sizes: what lets a batched forward pass equal token-by-token decoding.
 */
class CanonicalOrderTest {

    static Stream<Arguments> formatsAndLengths() {
        Stream.Builder<Arguments> s = Stream.builder();
        for (WeightFormat f : WeightFormats.all()) {
            int[] lengths = switch (f.blockElements()) {
                case 1 -> new int[] {1, 5, 13, 16, 33, 127, 768};
                case 32 -> new int[] {32, 96, 224, 768};
                default -> new int[] {256, 768};
            };
            for (int n : lengths) s.add(Arguments.of(f, n));
        }
        return s.build();
    }

    private static WeightTensor rows(WeightFormat f, int rows, int n, long seed) {
        MemorySegment seg = Arena.ofAuto().allocate(f.rowBytes(n) * rows, 64);
        SplittableRandom r = new SplittableRandom(seed);
        float[] row = new float[n];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < n; j++) row[j] = (float) r.nextGaussian();
            f.encode(row, 0, n, seg, i * f.rowBytes(n));
        }
        return new WeightTensor("w", f, new long[] {n, rows}, seg);
    }

    private static float[] seeded(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("formatsAndLengths")
    void dotAndDot4EqualTheCanonicalSumOfDecodedRows(WeightFormat f, int n) {
        WeightTensor w = rows(f, 4, n, n);
        float[] x = seeded(n, 7), decoded = new float[n], four = new float[4];
        for (RowKernel k : new RowKernel[] {RowKernels.vector(f).orElseThrow(), RowKernels.scalar(f)}) {
            k.dot4(w.data(), 0, w.rowBytes(), x, 0, n, four, 0, new float[RowKernel.laneScratch()]);
            for (int r = 0; r < 4; r++) {
                f.decode(w.data(), w.rowOffset(r), decoded, 0, n);
                float expected = Canonical.dot(decoded, 0, x, 0, n);
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(k.dot(w.data(), w.rowOffset(r), x, 0, n)), k + " dot row " + r);
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(four[r]), k + " dot4 row " + r);
            }
        }
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("formatsAndLengths")
    void aTokenGetsTheSameBitsInABatchAsAlone(WeightFormat f, int n) {
        // 2..8 tokens take the fused in-register path where the format has one (F16), 9 the tiles
        for (int tokens : new int[] {2, 3, 4, 5, 8, 9}) batchEqualsSingle(f, n, tokens);
    }

    private static void batchEqualsSingle(WeightFormat f, int n, int tokens) {
        int rows = 13;
        WeightTensor w = rows(f, rows, n, 3 * n);
        float[] x = seeded(tokens * n, 11);
        float[] batched = new float[tokens * rows], single = new float[rows];
        RowKernel k = RowKernels.forFormat(f);
        float[] scratch = new float[Matmul.scratchFloats(w)];
        Matmul.cpuRows(w, k, x, tokens, batched, 0, 0, rows, scratch);
        for (int t = 0; t < tokens; t++) {
            float[] xt = java.util.Arrays.copyOfRange(x, t * n, (t + 1) * n);
            Matmul.cpuRows(w, k, xt, 1, single, 0, 0, rows, scratch);
            for (int r = 0; r < rows; r++) {
                assertEquals(Float.floatToRawIntBits(batched[t * rows + r]), Float.floatToRawIntBits(single[r]), tokens + " tokens: token " + t + " row " + r);
            }
        }
    }
}
