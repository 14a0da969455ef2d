package dev.squall.ops;

import static dev.squall.ops.OpAssertions.assertNmseBelow;
import static dev.squall.ops.OpAssertions.seeded;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.squall.ops.Attention.KvPages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AttentionTest {

    /** Pages of 4 positions, physical pages in reverse order of the logical ones. */
    private static KvPages pages(int positions, int kvWidth, long seed) {
        int shift = 2, size = 1 << shift;
        int pageCount = (positions + size - 1) / size;
        float[][] k = new float[pageCount][], v = new float[pageCount][];
        int[] table = new int[pageCount];
        for (int p = 0; p < pageCount; p++) {
            table[p] = pageCount - 1 - p;
            k[table[p]] = seeded(size * kvWidth, seed + 2L * p);
            v[table[p]] = seeded(size * kvWidth, seed + 2L * p + 1);
        }
        return new KvPages(k, v, table, shift, kvWidth);
    }

    /** The same cache with each key page stored dimension by dimension. */
    private static KvPages byDimension(KvPages rows) {
        int size = 1 << rows.pageShift(), w = rows.kvWidth();
        float[][] k = new float[rows.keys().length][];
        for (int p = 0; p < k.length; p++) {
            k[p] = new float[size * w];
            for (int slot = 0; slot < size; slot++) {
                for (int c = 0; c < w; c++) k[p][c * size + slot] = rows.keys()[p][slot * w + c];
            }
        }
        return new KvPages(k, rows.values(), rows.pageTable(), rows.pageShift(), w, true);
    }

    /**
     * Keys stored by dimension, on pages of 64 positions (four vectors of 16, one of 16, scalar
     * tails): the same attention as the oracle, and every position's score independent of where
     * the position falls in a page (a range starting at p gives the same output as the rows layout
     * up to float rounding of the sums, NMSE far below 1e-10).
     */
    @ParameterizedTest
    @CsvSource({"64,200,2,0", "64,200,2,37", "80,131,1,5", "5,70,3,63", "128,64,1,0"})
    void keysStoredByDimensionMatchTheOracle(int headSize, int positions, int kvHeads, int from) {
        int shift = 6, size = 1 << shift, kvWidth = kvHeads * headSize;
        int pageCount = (positions + size - 1) / size;
        float[][] k = new float[pageCount][], v = new float[pageCount][];
        int[] table = new int[pageCount];
        for (int p = 0; p < pageCount; p++) {
            table[p] = pageCount - 1 - p;
            k[table[p]] = seeded(size * kvWidth, 40 + 2L * p);
            v[table[p]] = seeded(size * kvWidth, 41 + 2L * p);
        }
        KvPages rows = new KvPages(k, v, table, shift, kvWidth), dims = byDimension(rows);
        float[] q = seeded(headSize, 4);
        for (int i = 0; i < headSize; i++) q[i] *= 4;
        int[] ranges = {from, positions};
        int headOffset = (kvHeads - 1) * headSize;
        float scale = (float) (1 / Math.sqrt(headSize));
        float[] expected = new float[headSize], viaRows = new float[headSize], viaDims = new float[headSize];
        Attention.oracle(q, 0, headSize, scale, dims, headOffset, ranges, 1, expected, 0);
        Attention.cpu(q, 0, headSize, scale, rows, headOffset, ranges, 1, new float[positions], viaRows, 0);
        Attention.cpu(q, 0, headSize, scale, dims, headOffset, ranges, 1, new float[positions], viaDims, 0);
        assertNmseBelow(expected, viaDims, 1e-10, "keys by dimension");
        assertNmseBelow(viaRows, viaDims, 1e-10, "keys by dimension against rows");
        float[] oracleRows = new float[headSize];
        Attention.oracle(q, 0, headSize, scale, rows, headOffset, ranges, 1, oracleRows, 0);
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, oracleRows, "the oracle reads both layouts alike");

        // the same keys and values rounded to binary16: the kernel over half pages equals the float
        // kernel over the widened values (same sums, same order), and the oracle
        short[][] hk = new short[pageCount][], hv = new short[pageCount][];
        float[][] wk = new float[pageCount][], wv = new float[pageCount][];
        for (int p = 0; p < pageCount; p++) {
            hk[p] = new short[dims.keys()[p].length];
            hv[p] = new short[v[p].length];
            wk[p] = new float[hk[p].length];
            wv[p] = new float[hv[p].length];
            for (int i = 0; i < hk[p].length; i++) wk[p][i] = Float.float16ToFloat(hk[p][i] = Float.floatToFloat16(dims.keys()[p][i]));
            for (int i = 0; i < hv[p].length; i++) wv[p][i] = Float.float16ToFloat(hv[p][i] = Float.floatToFloat16(v[p][i]));
        }
        KvPages half = new KvPages(null, null, hk, hv, table, shift, kvWidth, true), widened = new KvPages(wk, wv, table, shift, kvWidth, true);
        float[] viaHalf = new float[headSize], viaWidened = new float[headSize], halfOracle = new float[headSize];
        Attention.cpu(q, 0, headSize, scale, half, headOffset, ranges, 1, new float[positions], viaHalf, 0);
        Attention.cpu(q, 0, headSize, scale, widened, headOffset, ranges, 1, new float[positions], viaWidened, 0);
        Attention.oracle(q, 0, headSize, scale, half, headOffset, ranges, 1, halfOracle, 0);
        org.junit.jupiter.api.Assertions.assertArrayEquals(viaWidened, viaHalf, "half pages read as their widened values");
        assertNmseBelow(halfOracle, viaHalf, 1e-10, "half pages against the oracle");
    }

    /** Float dot products and a float softmax over a few hundred terms: NMSE well below 1e-10. */
    @ParameterizedTest
    @CsvSource({"32,1,1", "64,13,2", "80,37,3", "128,200,1", "5,7,2"})
    void cpuMatchesOracleOverPagedCache(int headSize, int positions, int kvHeads) {
        KvPages kv = pages(positions, kvHeads * headSize, 9);
        float[] q = seeded(headSize, 4);
        for (int i = 0; i < headSize; i++) q[i] *= 4;
        int[] ranges = {0, positions};
        int headOffset = (kvHeads - 1) * headSize;
        float[] a = new float[headSize], b = new float[headSize + 2];
        b[headSize] = b[headSize + 1] = 12345f;
        float scale = (float) (1 / Math.sqrt(headSize));
        Attention.oracle(q, 0, headSize, scale, kv, headOffset, ranges, 1, a, 0);
        Attention.cpu(q, 0, headSize, scale, kv, headOffset, ranges, 1, new float[positions], b, 0);
        assertNmseBelow(a, java.util.Arrays.copyOf(b, headSize), 1e-10, "attention");
        assertEquals(12345f, b[headSize], "guard after the output");
        assertEquals(12345f, b[headSize + 1], "guard after the output");
    }

    @Test
    void disjointRangesAttendOnlyToTheirPositions() {
        int headSize = 16, positions = 20;
        KvPages kv = pages(positions, headSize, 21);
        float[] q = seeded(headSize, 22);
        int[] ranges = {0, 3, 10, 15};
        float[] a = new float[headSize], b = new float[headSize];
        Attention.oracle(q, 0, headSize, 0.25f, kv, 0, ranges, 2, a, 0);
        Attention.cpu(q, 0, headSize, 0.25f, kv, 0, ranges, 2, new float[positions], b, 0);
        assertNmseBelow(a, b, 1e-10, "two ranges");
        // A single visible position returns its value row exactly.
        Attention.cpu(q, 0, headSize, 0.25f, kv, 0, new int[] {7, 8}, 1, new float[positions], b, 0);
        float[] page = kv.values()[kv.pageTable()[7 >> 2]];
        for (int i = 0; i < headSize; i++) assertEquals(page[(7 & 3) * headSize + i], b[i], "value element " + i);
    }
}
