package dev.squall.ops;

import static dev.squall.ops.OpAssertions.assertNmseBelow;
import static dev.squall.ops.OpAssertions.nmse;
import static dev.squall.ops.OpAssertions.seeded;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.graph.AttentionPolicy;
import dev.squall.graph.RopeSpec;
import dev.squall.ops.Attention.KvPages;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Attention under LM-Infinite's RoPE distance cap: keys are cached rotated by their own position
 * and the query by its own, as in a model; the cap must score a far (sink) key as though the
 * query sat {@code cap} positions after it.
 */
class CappedAttentionTest {

    private static final int SHIFT = 6, PAGE = 1 << SHIFT;

    /** A cache of {@code positions} keys and values on 64-position pages, keys stored by dimension, each key rotated by its position. */
    private record Cache(KvPages kv, float[][] rawKeys) {}

    private static Cache cache(int positions, int kvHeads, int headSize, RopeSpec rope, long seed) {
        int kvWidth = kvHeads * headSize, pages = (positions + PAGE - 1) / PAGE;
        float[][] k = new float[pages][PAGE * kvWidth], v = new float[pages][];
        float[][] raw = new float[positions][];
        int[] table = new int[pages];
        for (int p = 0; p < pages; p++) {
            table[p] = pages - 1 - p;
            v[table[p]] = seeded(PAGE * kvWidth, seed + 2L * p + 1);
        }
        for (int pos = 0; pos < positions; pos++) {
            raw[pos] = seeded(kvWidth, seed * 1000 + pos);
            float[] rotated = raw[pos].clone();
            Rope.oracle(rotated, 0, kvHeads, headSize, pos, rope);
            for (int c = 0; c < kvWidth; c++) k[table[pos >> SHIFT]][(c << SHIFT) + (pos & (PAGE - 1))] = rotated[c];
        }
        return new Cache(new KvPages(k, v, table, SHIFT, kvWidth, true), raw);
    }

    private static int[] ranges(AttentionPolicy p, int q) {
        int[] r = new int[2 * p.maxRanges()];
        return Arrays.copyOf(r, 2 * p.visibleRanges(q, r));
    }

    /**
     * GQA (query heads share KV heads), both RoPE pairings, queries well past the cap: the
     * kernel matches the double oracle; float rotations and dot products over a few hundred
     * terms keep the NMSE far below 1e-10. The cap is not a no-op: the uncapped result differs.
     */
    @ParameterizedTest
    @CsvSource({"64,4,2,300,4,64,ADJACENT", "64,4,2,1000,4,128,NEOX", "32,6,3,200,1,16,ADJACENT", "80,2,1,130,10,50,NEOX"})
    void cappedKernelMatchesTheOracle(int headSize, int heads, int kvHeads, int queryPos, int sinks, int window, RopeSpec.Pairing pairing) {
        RopeSpec rope = new RopeSpec(headSize, 10000f, 1f, null, pairing);
        KvPages kv = cache(queryPos + 1, kvHeads, headSize, rope, 7).kv();
        AttentionPolicy policy = AttentionPolicy.lmInfinite(sinks, window);
        int[] r = ranges(policy, queryPos);
        int cap = policy.distanceCap();
        float scale = (float) (1 / Math.sqrt(headSize));
        for (int h = 0; h < heads; h++) {
            float[] q = seeded(headSize, 100 + h);
            for (int i = 0; i < headSize; i++) q[i] *= 4;
            Rope.oracle(q, 0, 1, headSize, queryPos, rope);
            int headOffset = (h / (heads / kvHeads)) * headSize;
            float[] expected = new float[headSize], actual = new float[headSize], uncapped = new float[headSize];
            Attention.oracle(q, 0, headSize, scale, kv, headOffset, r, r.length / 2, rope, queryPos, cap, expected, 0);
            Attention.cpu(q, 0, headSize, scale, kv, headOffset, r, 0, r.length / 2, rope, queryPos, cap, new float[queryPos + 1], actual, 0);
            Attention.cpu(q, 0, headSize, scale, kv, headOffset, r, 0, r.length / 2, new float[queryPos + 1], uncapped, 0);
            assertNmseBelow(expected, actual, 1e-10, "head " + h + " capped against the oracle");
            assertTrue(nmse(expected, uncapped) > 1e-6, "head " + h + ": the cap changes the result (NMSE " + nmse(expected, uncapped) + ")");
        }
    }

    /**
     * The definition from the paper, built independently: each visible key j scored with the raw
     * query rotated to position min(queryPos, j + cap). Two float rotation routes (R(q) then
     * R(-d), against R(j + cap) directly) differ by float rounding only: NMSE below 1e-9.
     */
    @ParameterizedTest
    @CsvSource({"64,2,500,4,64", "64,1,129,2,64"})
    void farKeysAreScoredAsThoughTheQuerySatCapPositionsAfterThem(int headSize, int kvHeads, int queryPos, int sinks, int window) {
        RopeSpec rope = new RopeSpec(headSize, 10000f, 1f, null, RopeSpec.Pairing.ADJACENT);
        Cache c = cache(queryPos + 1, kvHeads, headSize, rope, 11);
        int[] r = ranges(AttentionPolicy.lmInfinite(sinks, window), queryPos);
        float[] rawQuery = seeded(headSize, 5);
        for (int i = 0; i < headSize; i++) rawQuery[i] *= 4;
        int headOffset = (kvHeads - 1) * headSize;
        double scale = 1 / Math.sqrt(headSize), max = Double.NEGATIVE_INFINITY;
        int n = 0;
        for (int k = 0; k < r.length; k += 2) n += r[k + 1] - r[k];
        double[] w = new double[n];
        int[] cells = new int[n];
        for (int k = 0, j = 0; k < r.length; k += 2) {
            for (int p = r[k]; p < r[k + 1]; p++, j++) {
                float[] query = rawQuery.clone();
                Rope.oracle(query, 0, 1, headSize, Math.min(queryPos, p + window), rope);
                float[] key = Arrays.copyOfRange(c.rawKeys()[p], headOffset, headOffset + headSize);
                Rope.oracle(key, 0, 1, headSize, p, rope);
                double dot = 0;
                for (int i = 0; i < headSize; i++) dot += (double) query[i] * key[i];
                w[j] = dot * scale;
                cells[j] = p;
                max = Math.max(max, w[j]);
            }
        }
        double sum = 0;
        for (int j = 0; j < n; j++) sum += w[j] = Math.exp(w[j] - max);
        float[] expected = new float[headSize];
        for (int i = 0; i < headSize; i++) {
            double o = 0;
            for (int j = 0; j < n; j++) o += w[j] / sum * c.kv().value(cells[j], headOffset, i);
            expected[i] = (float) o;
        }
        float[] q = rawQuery.clone(), actual = new float[headSize];
        Rope.oracle(q, 0, 1, headSize, queryPos, rope);
        Attention.cpu(q, 0, headSize, (float) scale, c.kv(), headOffset, r, 0, r.length / 2, rope, queryPos, window, new float[n], actual, 0);
        assertNmseBelow(expected, actual, 1e-9, "LM-Infinite against the paper's definition");
    }

    /**
     * Where no visible key is further than the cap (the window covers the sequence), or there is
     * no rotation to undo, the capped kernel gives the uncapped kernel's bits.
     */
    @ParameterizedTest
    @CsvSource({"64,2,100,4,101", "64,2,100,4,1000", "32,1,63,0,64"})
    void withoutFarKeysTheCapChangesNoBit(int headSize, int kvHeads, int queryPos, int sinks, int window) {
        RopeSpec rope = new RopeSpec(headSize, 10000f, 1f, null, RopeSpec.Pairing.ADJACENT);
        KvPages kv = cache(queryPos + 1, kvHeads, headSize, rope, 13).kv();
        AttentionPolicy policy = AttentionPolicy.lmInfinite(sinks, window);
        int[] r = ranges(policy, queryPos);
        assertArrayEquals(ranges(AttentionPolicy.causal(), queryPos), r, "the window covers the sequence");
        float[] q = seeded(headSize, 3);
        Rope.oracle(q, 0, 1, headSize, queryPos, rope);
        float[] causal = new float[headSize], capped = new float[headSize], noRope = new float[headSize];
        float scale = 0.125f;
        Attention.cpu(q, 0, headSize, scale, kv, headSize * (kvHeads - 1), r, 0, 1, new float[queryPos + 1], causal, 0);
        Attention.cpu(q, 0, headSize, scale, kv, headSize * (kvHeads - 1), r, 0, 1, rope, queryPos, policy.distanceCap(), new float[queryPos + 1], capped, 0);
        Attention.cpu(q, 0, headSize, scale, kv, headSize * (kvHeads - 1), r, 0, 1, null, queryPos, 1, new float[queryPos + 1], noRope, 0);
        assertArrayEquals(causal, capped, "window ≥ sequence: causal bits");
        assertArrayEquals(causal, noRope, "no rotation: no cap");
    }
}
