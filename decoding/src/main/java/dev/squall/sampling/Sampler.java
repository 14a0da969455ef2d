package dev.squall.sampling;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Chooses the next token from logits, in llama.cpp's order: penalties on recent tokens, then
 * greedy (temperature ≤ 0) or top-k → top-p → min-p → temperature → a seeded draw.
 *
 * <p>Candidates are ordered by logit, ties by lower token id, so a choice never depends on sort
 * stability. The random stream belongs to the sampler: the same seed and the same logits give the
 * same tokens.
 *
 * <p>{@link #sample} is {@link #draw} of {@link #distribution}: speculative decoders read the very
 * distribution plain sampling draws from, and draw from it (or from a residual of it) with the
 * same seeded stream. The history the penalties see can be cut back ({@link #truncate}) when a
 * session rolls back.
 */
public final class Sampler {

    private final SamplerConfig config;
    private final SplittableRandom random;
    private int[] recent = new int[64];
    private int recentCount;

    public Sampler(SamplerConfig config) {
        this.config = config;
        this.random = new SplittableRandom(config.seed());
    }

    public SamplerConfig config() { return config; }

    /** Records a token the penalties should see (prompt tokens and generated ones). */
    public void accept(int token) {
        if (recentCount == recent.length) recent = Arrays.copyOf(recent, recentCount * 2);
        recent[recentCount++] = token;
    }

    /** How many tokens the history holds. */
    public int historyLength() { return recentCount; }

    /** Forgets the history after its first {@code length} tokens. */
    public void truncate(int length) {
        if (length < 0 || length > recentCount) throw new IllegalArgumentException("cannot cut a history of " + recentCount + " tokens to " + length);
        recentCount = length;
    }

    /** Picks a token; {@code logits} is modified (penalties applied in place). */
    public int sample(float[] logits) {
        return draw(distributionInPlace(logits));
    }

    /**
     * The distribution the next token is drawn from: penalties on the history, then greedy (all
     * mass on the best token) or top-k → top-p → min-p → temperature. {@code logits} is not changed.
     */
    public Distribution distribution(float[] logits) {
        return distributionInPlace(logits.clone());
    }

    private Distribution distributionInPlace(float[] logits) {
        applyPenalties(logits);
        if (config.isGreedy()) return Distribution.pointMass(argmax(logits), logits.length);
        Candidates c = Candidates.of(logits, config.topK());
        if (config.topP() < 1f) c.keepTopP(config.topP());
        if (config.minP() > 0f) c.keepMinP(config.minP());
        c.softmax(config.temperature());
        return new Distribution(Arrays.copyOf(c.ids, c.size), Arrays.copyOf(c.probs, c.size), logits.length);
    }

    /**
     * Draws a token from {@code d} with the sampler's stream: a point mass takes no draw (as
     * greedy sampling takes none); otherwise one uniform number.
     */
    public int draw(Distribution d) {
        if (d.isPointMass()) return d.token(0);
        return d.draw(random.nextDouble());
    }

    /** A uniform number in [0, 1) from the sampler's stream (for acceptance tests). */
    public double nextUniform() { return random.nextDouble(); }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }

    private void applyPenalties(float[] logits) {
        boolean repeat = config.repeatPenalty() != 1f;
        boolean presence = config.presencePenalty() != 0f || config.frequencyPenalty() != 0f;
        if ((!repeat && !presence) || config.repeatLastN() == 0 || recentCount == 0) return;
        int window = config.repeatLastN() < 0 ? recentCount : Math.min(recentCount, config.repeatLastN());
        java.util.HashMap<Integer, Integer> counts = new java.util.HashMap<>();
        for (int i = recentCount - window; i < recentCount; i++) counts.merge(recent[i], 1, Integer::sum);
        for (var e : counts.entrySet()) {
            int token = e.getKey();
            if (token < 0 || token >= logits.length) continue;
            float l = logits[token];
            if (repeat) l = l > 0 ? l / config.repeatPenalty() : l * config.repeatPenalty();
            l -= e.getValue() * config.frequencyPenalty() + config.presencePenalty();
            logits[token] = l;
        }
    }

    /** The tokens still in the running, most likely first. */
    static final class Candidates {
        int[] ids;
        float[] logits;
        double[] probs;
        int size;

        static Candidates of(float[] logits, int topK) {
            int n = logits.length;
            int k = topK > 0 ? Math.min(topK, n) : n;
            long[] best = k < n ? smallestKeys(logits, k) : allKeys(logits);
            Arrays.sort(best);
            Candidates c = new Candidates();
            c.size = k;
            c.ids = new int[k];
            c.logits = new float[k];
            for (int i = 0; i < k; i++) {
                c.ids[i] = (int) best[i];
                c.logits[i] = logits[c.ids[i]];
            }
            return c;
        }

        /** Sort key of a token: better logits first, then lower ids. */
        private static long key(float logit, int id) {
            return ((long) descending(logit) << 32) | id;
        }

        private static long[] allKeys(float[] logits) {
            long[] keys = new long[logits.length];
            for (int i = 0; i < logits.length; i++) keys[i] = key(logits[i], i);
            return keys;
        }

        /** The k smallest keys through a max-heap: O(n log k) instead of sorting the vocabulary. */
        private static long[] smallestKeys(float[] logits, int k) {
            long[] heap = new long[k];
            for (int i = 0; i < k; i++) heap[i] = key(logits[i], i);
            for (int i = k / 2 - 1; i >= 0; i--) siftDown(heap, i, k);
            for (int i = k; i < logits.length; i++) {
                long key = key(logits[i], i);
                if (key < heap[0]) {
                    heap[0] = key;
                    siftDown(heap, 0, k);
                }
            }
            return heap;
        }

        private static void siftDown(long[] heap, int i, int n) {
            while (true) {
                int l = 2 * i + 1, r = l + 1, largest = i;
                if (l < n && heap[l] > heap[largest]) largest = l;
                if (r < n && heap[r] > heap[largest]) largest = r;
                if (largest == i) return;
                long t = heap[i];
                heap[i] = heap[largest];
                heap[largest] = t;
                i = largest;
            }
        }

        /** An int whose signed order is the reverse of the float's order; NaN sorts last. */
        private static int descending(float f) {
            if (Float.isNaN(f)) return Integer.MAX_VALUE;
            int bits = Float.floatToIntBits(f == 0f ? 0f : f);
            int ascending = bits ^ ((bits >> 31) & 0x7fffffff);
            return ~ascending;
        }

        private double[] softmaxAt(float temperature) {
            double[] p = new double[size];
            double max = logits[0] / (double) temperature, sum = 0;
            for (int i = 0; i < size; i++) sum += p[i] = Math.exp(logits[i] / (double) temperature - max);
            for (int i = 0; i < size; i++) p[i] /= sum;
            return p;
        }

        void keepTopP(float topP) {
            double[] p = softmaxAt(1f);
            double cumulative = 0;
            for (int i = 0; i < size; i++) {
                cumulative += p[i];
                if (cumulative >= topP) {
                    size = i + 1;
                    return;
                }
            }
        }

        void keepMinP(float minP) {
            double[] p = softmaxAt(1f);
            double threshold = p[0] * minP;
            int keep = 1;
            while (keep < size && p[keep] >= threshold) keep++;
            size = keep;
        }

        void softmax(float temperature) { probs = softmaxAt(temperature); }

        int draw(double u) {
            double cumulative = 0;
            for (int i = 0; i < size; i++) {
                cumulative += probs[i];
                if (u < cumulative) return ids[i];
            }
            return ids[size - 1];
        }
    }
}
