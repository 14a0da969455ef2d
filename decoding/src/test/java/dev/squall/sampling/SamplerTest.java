package dev.squall.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SamplerTest {

    private static float[] logits(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] l = new float[n];
        for (int i = 0; i < n; i++) l[i] = (float) r.nextGaussian() * 3;
        return l;
    }

    private static SamplerConfig config(float temp, int topK, float topP, float minP, long seed) {
        return new SamplerConfig(temp, topK, topP, minP, 1f, 64, 0f, 0f, seed);
    }

    @Test
    void greedyPicksTheLargestLogitAndTheLowestIdOnTies() {
        float[] l = {0.5f, 2f, -1f, 2f};
        assertEquals(1, new Sampler(SamplerConfig.greedy()).sample(l.clone()));
        assertEquals(Sampler.argmax(logits(1000, 1)), new Sampler(SamplerConfig.greedy()).sample(logits(1000, 1)));
    }

    @Test
    void theSameSeedGivesTheSameTokens() {
        int[] a = draws(new Sampler(SamplerConfig.defaults(42)), 200), b = draws(new Sampler(SamplerConfig.defaults(42)), 200);
        assertTrue(Arrays.equals(a, b));
        assertTrue(!Arrays.equals(a, draws(new Sampler(SamplerConfig.defaults(43)), 200)), "another seed, other tokens");
    }

    private static int[] draws(Sampler s, int n) {
        return IntStream.range(0, n).map(i -> s.sample(logits(500, i))).toArray();
    }

    @Test
    void topKOfOneIsGreedy() {
        for (int i = 0; i < 20; i++) {
            float[] l = logits(300, i);
            assertEquals(Sampler.argmax(l), new Sampler(config(1.5f, 1, 1f, 0f, i)).sample(l.clone()));
        }
    }

    @Test
    void topKKeepsOnlyTheKBestTokens() {
        float[] l = logits(300, 3);
        Integer[] order = IntStream.range(0, l.length).boxed().sorted((x, y) -> Float.compare(l[y], l[x])).toArray(Integer[]::new);
        java.util.Set<Integer> best = java.util.Set.of(order[0], order[1], order[2], order[3], order[4]);
        Sampler s = new Sampler(config(5f, 5, 1f, 0f, 9));
        for (int i = 0; i < 300; i++) assertTrue(best.contains(s.sample(l.clone())));
    }

    @Test
    void minPDropsTokensFarBelowTheBest() {
        float[] l = new float[10];
        Arrays.fill(l, -10f);
        l[4] = 0f;
        l[7] = (float) Math.log(0.5);  // half as likely as token 4: survives min-p 0.4
        Sampler s = new Sampler(config(1f, 0, 1f, 0.4f, 1));
        for (int i = 0; i < 200; i++) {
            int t = s.sample(l.clone());
            assertTrue(t == 4 || t == 7, "token " + t);
        }
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        float[] l = {(float) Math.log(0.6), (float) Math.log(0.3), (float) Math.log(0.1)};
        Sampler s = new Sampler(config(1f, 0, 0.85f, 0f, 2));
        for (int i = 0; i < 200; i++) assertTrue(s.sample(l.clone()) != 2, "token 2 lies beyond p = 0.85");
    }

    /**
     * Draw frequencies follow softmax(l / T): with 20,000 draws each frequency's standard error is
     * at most sqrt(0.25 / 20000) ≈ 0.0035; 5 standard errors is the bound.
     */
    @Test
    void drawsFollowTheTemperedDistribution() {
        float[] l = {1f, 0.5f, 0f, -1f};
        float temp = 0.7f;
        double[] p = new double[l.length];
        double sum = 0;
        for (int i = 0; i < l.length; i++) sum += p[i] = Math.exp(l[i] / temp);
        Sampler s = new Sampler(config(temp, 0, 1f, 0f, 123));
        int n = 20000;
        int[] counts = new int[l.length];
        for (int i = 0; i < n; i++) counts[s.sample(l.clone())]++;
        for (int i = 0; i < l.length; i++) assertEquals(p[i] / sum, counts[i] / (double) n, 5 * 0.0035, "token " + i);
    }

    @Test
    void repeatPenaltyShrinksRecentTokens() {
        float[] l = {2f, 1.9f, -1f};
        Sampler s = new Sampler(new SamplerConfig(0f, 0, 1f, 0f, 1.2f, 64, 0f, 0f, 0));
        s.accept(0);
        assertEquals(1, s.sample(l), "2 / 1.2 < 1.9");
        assertEquals(2f / 1.2f, l[0], 1e-6);
    }

    @Test
    void presenceAndFrequencyPenaltiesSubtract() {
        float[] l = {1f, 0f};
        Sampler s = new Sampler(new SamplerConfig(0f, 0, 1f, 0f, 1f, -1, 0.5f, 0.25f, 0));
        s.accept(0);
        s.accept(0);
        s.sample(l);
        assertEquals(1f - 0.5f - 2 * 0.25f, l[0], 1e-6);
        assertEquals(0f, l[1]);
    }

    @Test
    void outOfRangeSettingsAreNamed() {
        assertEquals("--top-p 0.0 is out of range ((0, 1])",
                assertThrows(IllegalArgumentException.class, () -> config(1f, 0, 0f, 0f, 0)).getMessage());
        assertEquals("--top-k -1 is out of range (0 = off, or a positive count)",
                assertThrows(IllegalArgumentException.class, () -> config(1f, -1, 1f, 0f, 0)).getMessage());
    }
}
