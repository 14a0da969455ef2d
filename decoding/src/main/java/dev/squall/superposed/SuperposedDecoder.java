package dev.squall.superposed;

import dev.squall.backend.Plan;
import dev.squall.generation.Session;
import dev.squall.graph.Batch;
import dev.squall.sampling.Sampler;
import dev.squall.sampling.SamplerConfig;
import dev.squall.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Superposed Decoding (Shen et al. 2024, "Superposed Decoding: Multiple Generations from a Single
 * Autoregressive Inference Pass"): K drafts of one prompt from one forward call per token.
 *
 * <pre>
 *   prompt ─ prefill ─▶ p(·)  ─ top-k ─▶ drafts d₁…d_K (scores s_i)
 *   step:  x = Σ γ_i · E(last token of d_i)     one input embedding, at the next position of one sequence
 *          p(·) = model(x)                      one forward call; the cache holds the superposed states
 *          for each d_i and each of the top-k tokens t of p:
 *              score(d_i t) = s_i + log((1 − α) · p(t) + α · P_ngram(t | d_i))
 *          keep the K best (d_i, t) of the K·k; γ_i ∝ exp(s_i)   (uniform at the first step)
 * </pre>
 *
 * The model's distribution after a superposition is one distribution for all drafts; what sets
 * the drafts apart is their own history, seen only by the n-gram filter ({@link NgramModel},
 * linear interpolation with weight α, as the paper's n-gram interpolation). Without one the drafts
 * are the K best-scoring extensions under the shared distribution.
 *
 * <p><b>Lossy</b>: the drafts are not samples of the model's distribution, nor its K most likely
 * continuations; past the first token each is conditioned on a blend of all drafts' tokens. With
 * K = 1 and no n-gram model the single draft is plain greedy decoding exactly (the embedding row
 * times 1 is the row the prologue looks up).
 *
 * <p>Drafts never pick an end-of-generation, control or out-of-vocabulary token, so each has the
 * requested length.
 */
public final class SuperposedDecoder {

    /**
     * @param drafts      K, the drafts kept
     * @param candidates  k, the model's most likely tokens each draft may be extended by (the K·k scored per step)
     * @param ngramWeight α, the n-gram filter's share of a token's probability (unused without one)
     */
    public record Options(int drafts, int candidates, double ngramWeight) {
        public Options {
            if (drafts < 1 || drafts > 64) throw new IllegalArgumentException("drafts " + drafts + " is out of range (1 to 64)");
            if (candidates < 1) throw new IllegalArgumentException("candidates per draft " + candidates + " is out of range (a positive count)");
            if (!(ngramWeight >= 0 && ngramWeight <= 1)) throw new IllegalArgumentException("n-gram weight " + ngramWeight + " is out of range [0, 1]");
        }
    }

    /** One draft: its tokens and its score (Σ log of the interpolated probability of each). */
    public record Draft(int[] tokens, double score) {
        public Draft { tokens = tokens.clone(); }
        @Override public int[] tokens() { return tokens.clone(); }
    }

    /**
     * The drafts, best score first, with what they cost: forward calls and nanoseconds of the
     * prefill and of the decoding after it (everything from the prompt's logits on).
     */
    public record Result(List<Draft> drafts, int promptTokens, long prefillForwards, long decodeForwards, long prefillNanos, long decodeNanos) {
        public Result { drafts = List.copyOf(drafts); }

        /** Tokens of one draft. */
        public int length() { return drafts.isEmpty() ? 0 : drafts.getFirst().tokens.length; }

        /** Tokens per second of decoding that each draft grows by. */
        public double tokensPerSecondPerDraft() { return length() / (decodeNanos / 1e9); }

        /** Tokens per second of decoding over all drafts. */
        public double tokensPerSecond() { return drafts.size() * tokensPerSecondPerDraft(); }
    }

    private final Plan plan;
    private final Tokenizer tokenizer;
    private final TokenEmbeddings embeddings;
    private final NgramModel ngram;
    private final Options options;
    private final boolean[] banned;

    /** A decoder over {@code plan}; {@code ngram} may be null (model probabilities only). */
    public SuperposedDecoder(Plan plan, Tokenizer tokenizer, TokenEmbeddings embeddings, NgramModel ngram, Options options) {
        this.plan = plan;
        this.tokenizer = tokenizer;
        this.embeddings = embeddings;
        this.ngram = ngram;
        this.options = options;
        this.banned = new boolean[embeddings.rows()];
        for (int t = 0; t < banned.length; t++) {
            banned[t] = t >= tokenizer.vocabSize() || tokenizer.isEndOfGeneration(t) || tokenizer.isControl(t);
        }
    }

    public Options options() { return options; }

    /** K drafts of {@code tokens} tokens after {@code prompt}, the prompt fed in batches of {@code batchSize}. */
    public Result generate(int[] prompt, int tokens, int batchSize) {
        if (tokens < 1) throw new IllegalArgumentException("superposed decoding needs at least one token per draft, not " + tokens);
        if (prompt.length == 0) throw new IllegalArgumentException("superposed decoding needs a prompt of at least one token");
        int capacity = plan.cache().capacity();
        if (prompt.length + tokens - 1 > capacity) {
            throw new Session.ContextFullException("superposed decoding of " + tokens + " tokens after a prompt of " + prompt.length
                    + " needs " + (prompt.length + tokens - 1) + " positions, the context size is " + capacity);
        }
        try (Session s = new Session(plan, tokenizer, new Sampler(SamplerConfig.greedy()))) {
            long t0 = System.nanoTime();
            s.append(prompt, batchSize);
            float[] logits = s.logits();
            long t1 = System.nanoTime();
            int tail = ngram == null ? 0 : Math.min(prompt.length, ngram.order() - 1);
            Beam beam = Beam.root(Arrays.copyOfRange(prompt, prompt.length - tail, prompt.length), tokens);
            float[] x = new float[embeddings.width()];
            long forwards = 0;
            for (int step = 0; step < tokens; step++) {
                if (step > 0) {
                    superpose(beam, step == 1, x);
                    logits = plan.forward(Batch.builder().embedding(s.sequence(), prompt.length + step - 1, x, true).build()).logits(0);
                    forwards++;
                }
                beam = extend(beam, logits, step == 0 ? Math.max(options.candidates, options.drafts) : options.candidates);
            }
            long t2 = System.nanoTime();
            List<Draft> drafts = new ArrayList<>();
            for (int i = 0; i < beam.size; i++) drafts.add(new Draft(Arrays.copyOfRange(beam.history[i], tail, tail + tokens), beam.score[i]));
            return new Result(drafts, prompt.length, s.forwards(), forwards, t1 - t0, t2 - t1);
        }
    }

    /** The drafts so far: each one's n-gram history (the prompt's tail, then its tokens) and score, best first. */
    private static final class Beam {
        final int[][] history;
        final double[] score;
        final int size, length;

        Beam(int[][] history, double[] score, int size, int length) {
            this.history = history;
            this.score = score;
            this.size = size;
            this.length = length;
        }

        static Beam root(int[] tail, int tokens) {
            return new Beam(new int[][] {Arrays.copyOf(tail, tail.length + tokens)}, new double[] {0}, 1, tail.length);
        }
    }

    /** x = Σ γ_i E(last token of draft i): γ uniform, or the softmax of the scores. */
    private void superpose(Beam beam, boolean uniform, float[] x) {
        Arrays.fill(x, 0f);
        double[] gamma = new double[beam.size];
        double best = beam.score[0], sum = 0;
        for (int i = 0; i < beam.size; i++) sum += gamma[i] = uniform ? 1 : Math.exp(beam.score[i] - best);
        for (int i = 0; i < beam.size; i++) embeddings.addScaled(beam.history[i][beam.length - 1], (float) (gamma[i] / sum), x);
    }

    /** The K best one-token extensions of {@code beam} by the model's {@code logits} and the n-gram filter. */
    private Beam extend(Beam beam, float[] logits, int k) {
        int[] top = topTokens(logits, k);
        double max = Double.NEGATIVE_INFINITY, z = 0;
        for (float l : logits) max = Math.max(max, l);
        for (float l : logits) z += Math.exp(l - max);
        double logZ = max + Math.log(z);
        double alpha = ngram == null ? 0 : options.ngramWeight;
        int n = beam.size * top.length;
        double[] score = new double[n];
        Integer[] order = new Integer[n];
        for (int i = 0; i < beam.size; i++) {
            for (int j = 0; j < top.length; j++) {
                int c = i * top.length + j, t = top[j];
                double p = Math.exp(logits[t] - logZ);
                if (alpha > 0) p = (1 - alpha) * p + alpha * ngram.probability(beam.history[i], beam.length, t);
                score[c] = beam.score[i] + Math.log(p);
                order[c] = c;
            }
        }
        Arrays.sort(order, (a, b) -> score[a] != score[b] ? Double.compare(score[b], score[a]) : Integer.compare(a, b));
        int kept = Math.min(options.drafts, n);
        int[][] history = new int[kept][];
        double[] scores = new double[kept];
        for (int r = 0; r < kept; r++) {
            int c = order[r], parent = c / top.length;
            history[r] = beam.history[parent].clone();
            history[r][beam.length] = top[c % top.length];
            scores[r] = score[c];
        }
        return new Beam(history, scores, kept, beam.length + 1);
    }

    /** The {@code k} allowed tokens of highest logit, highest first (ties: lower id first). */
    private int[] topTokens(float[] logits, int k) {
        int[] best = new int[k];
        int size = 0;
        for (int t = 0; t < logits.length; t++) {
            if (banned[t] || Float.isNaN(logits[t])) continue;
            if (size == k && logits[t] <= logits[best[k - 1]]) continue;
            int at = size < k ? size++ : k - 1;
            while (at > 0 && logits[best[at - 1]] < logits[t]) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = t;
        }
        if (size == 0) throw new IllegalStateException("no token the drafts may take: every logit is banned or NaN");
        return Arrays.copyOf(best, size);
    }
}
