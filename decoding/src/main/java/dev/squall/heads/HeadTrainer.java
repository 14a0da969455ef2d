package dev.squall.heads;

import java.util.Arrays;

/**
 * Trains {@link DraftHeads} on a frozen model's final hidden states: for a window of tokens
 * {@code x₀ … x_{n−1}} and the hidden states {@code h₀ … h_{n−1}} after each, head {@code k} at
 * position t predicts {@code x_{t+k+2}} (Hydra heads see {@code x_{t+1} … x_{t+k+1}}, teacher
 * forced). The loss is Σ_k λᵏ · mean cross-entropy of head k, λ = 0.8 (Medusa-1's weighting, so
 * the heads whose guesses are kept most often count most); gradients are written out by hand
 * (below) and applied by AdamW (Loshchilov and Hutter 2019: decoupled weight decay, bias-corrected
 * moments).
 *
 * <pre>
 *   forward   A = X·Wᵀ + b      Z = H + SiLU(A)      P = softmax(Z·Uᵀ)
 *   backward  G = λᵏ/m · (P − onehot(target))
 *             ∂U += Gᵀ·Z        ∂Z = G·U             ∂A = ∂Z ⊙ SiLU′(A)
 *             ∂W += ∂Aᵀ·X       ∂b += Σ_rows ∂A      SiLU′(a) = σ(a)·(1 + a·(1 − σ(a)))
 * </pre>
 */
public final class HeadTrainer {

    /** Weight of head k's loss: λᵏ. */
    public static final double HEAD_WEIGHT_DECAY = 0.8;

    /** Ranks whose accuracy is measured (the tree never takes more candidates than this per node). */
    public static final int RANKS = 10;

    private final DraftHeads heads;
    private final Dense dense;
    private final double weightDecay;
    final float[][] gw, gb, gu;
    final float[][] mw, vw, mb, vb, mu, vu;
    private long steps;

    public HeadTrainer(DraftHeads heads, Dense dense, double weightDecay) {
        this.heads = heads;
        this.dense = dense;
        this.weightDecay = weightDecay;
        int n = heads.count();
        gw = like(heads.w); gb = like(heads.b); gu = like(heads.u);
        mw = like(heads.w); vw = like(heads.w); mb = like(heads.b); vb = like(heads.b); mu = like(heads.u); vu = like(heads.u);
    }

    private static float[][] like(float[][] p) {
        float[][] z = new float[p.length][];
        for (int i = 0; i < p.length; i++) z[i] = new float[p[i].length];
        return z;
    }

    public DraftHeads heads() { return heads; }

    /** AdamW steps taken. */
    public long steps() { return steps; }

    void restoreSteps(long steps) { this.steps = steps; }

    /** Positions head {@code k} is trained on in a window of {@code n} tokens. */
    public static int positions(int n, int k) { return Math.max(0, n - k - 2); }

    /**
     * Per-head mean cross-entropy over the window ({@code hidden}: n × dim, the hidden state after
     * each of {@code tokens[0 … n)}); with {@code gradients}, their gradients (of the λ-weighted
     * sum) are added to the gradient buffers. Element {@code count()} of the result is the weighted sum.
     * With {@code ranks}, adds for each head how often the true token was its rank-r guess
     * ({@code ranks[k][r]}, r < {@link #RANKS}) and how many positions were scored
     * ({@code ranks[k][RANKS]}).
     */
    public double[] loss(float[] hidden, int[] tokens, int n, boolean gradients, long[][] ranks) {
        int dim = heads.dim(), vocab = heads.vocab();
        double[] out = new double[heads.count() + 1];
        for (int k = 0; k < heads.count(); k++) {
            int m = positions(n, k);
            if (m == 0) continue;
            int in = heads.inputs(k);
            float[] x = inputs(hidden, tokens, m, k);
            float[] a = new float[m * dim];
            dense.nt(x, heads.w[k], a, m, dim, in);
            float[] z = new float[m * dim];
            float[] bk = heads.b[k];
            for (int t = 0; t < m; t++) {
                for (int i = 0; i < dim; i++) {
                    int at = t * dim + i;
                    a[at] += bk[i];
                    z[at] = hidden[at] + DraftHeads.silu(a[at]);
                }
            }
            float[] g = new float[m * vocab];
            dense.nt(z, heads.u[k], g, m, vocab, dim);
            double weight = Math.pow(HEAD_WEIGHT_DECAY, k);
            double[] rowLoss = new double[m];
            int[] rowRank = new int[m];
            final int head = k;
            dense.parallelFor(m, t -> {
                int target = tokens[t + head + 2];
                if (ranks != null) rowRank[t] = rank(g, t * vocab, vocab, target);
                rowLoss[t] = softmaxGradient(g, t * vocab, vocab, target, (float) (weight / m));
            });
            double ce = 0;
            for (double l : rowLoss) ce += l;
            if (ranks != null) {
                for (int r : rowRank) if (r < RANKS) ranks[k][r]++;
                ranks[k][RANKS] += m;
            }
            ce /= m;
            out[k] = ce;
            out[heads.count()] += weight * ce;
            if (!gradients) continue;
            dense.tn(g, z, gu[k], m, vocab, dim);
            float[] dz = new float[m * dim];
            dense.nn(g, heads.u[k], dz, m, vocab, dim);
            for (int at = 0; at < m * dim; at++) {
                float s = 1f / (1f + (float) Math.exp(-a[at]));
                dz[at] *= s * (1f + a[at] * (1f - s));
            }
            dense.tn(dz, x, gw[k], m, dim, in);
            float[] gbk = gb[k];
            for (int t = 0; t < m; t++) for (int i = 0; i < dim; i++) gbk[i] += dz[t * dim + i];
        }
        return out;
    }

    /** Head k's inputs for the first m positions (m × inputs(k)): the hidden state, then (Hydra) the embeddings of the k + 1 tokens after it. */
    private float[] inputs(float[] hidden, int[] tokens, int m, int k) {
        int dim = heads.dim(), in = heads.inputs(k);
        if (heads.kind() == DraftHeads.Kind.MEDUSA) return hidden.length == m * dim ? hidden : Arrays.copyOf(hidden, m * dim);
        float[] x = new float[m * in];
        float[] e = heads.embeddings();
        for (int t = 0; t < m; t++) {
            System.arraycopy(hidden, t * dim, x, t * in, dim);
            for (int j = 0; j <= k; j++) System.arraycopy(e, tokens[t + 1 + j] * dim, x, t * in + (j + 1) * dim, dim);
        }
        return x;
    }

    /** Turns a row of logits into {@code scale · (softmax − onehot(target))} and returns −log softmax(target). */
    private static double softmaxGradient(float[] g, int at, int vocab, int target, float scale) {
        float max = Float.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) max = Math.max(max, g[at + v]);
        double sum = 0;
        for (int v = 0; v < vocab; v++) sum += Math.exp(g[at + v] - max);
        double logZ = max + Math.log(sum);
        double loss = logZ - g[at + target];
        for (int v = 0; v < vocab; v++) g[at + v] = (float) (scale * Math.exp(g[at + v] - logZ));
        g[at + target] -= scale;
        return loss;
    }

    /** How many logits of the row beat the target's (0: the target is the top guess). */
    private static int rank(float[] g, int at, int vocab, int target) {
        float t = g[at + target];
        int rank = 0;
        for (int v = 0; v < vocab; v++) if (g[at + v] > t) rank++;
        return rank;
    }

    /** Clears the gradient buffers. */
    public void zeroGradients() {
        for (float[][] g : new float[][][] {gw, gb, gu}) for (float[] x : g) Arrays.fill(x, 0f);
    }

    /** One AdamW update of every head with the accumulated gradients and learning rate {@code lr} (no decay on biases). */
    public void update(double lr) {
        steps++;
        double c1 = 1 - Math.pow(0.9, steps), c2 = 1 - Math.pow(0.999, steps);
        for (int k = 0; k < heads.count(); k++) {
            adamw(heads.w[k], gw[k], mw[k], vw[k], lr, c1, c2, weightDecay);
            adamw(heads.b[k], gb[k], mb[k], vb[k], lr, c1, c2, 0);
            adamw(heads.u[k], gu[k], mu[k], vu[k], lr, c1, c2, weightDecay);
        }
    }

    private void adamw(float[] p, float[] g, float[] m, float[] v, double lr, double c1, double c2, double decay) {
        int blocks = (p.length + 4095) / 4096;
        dense.parallelFor(blocks, blk -> {
            for (int i = blk * 4096, end = Math.min(p.length, i + 4096); i < end; i++) {
                m[i] = 0.9f * m[i] + 0.1f * g[i];
                v[i] = 0.999f * v[i] + 0.001f * g[i] * g[i];
                double step = (m[i] / c1) / (Math.sqrt(v[i] / c2) + 1e-8);
                p[i] = (float) (p[i] - lr * (step + decay * p[i]));
            }
        });
    }

    /** Learning rate at step {@code s} of {@code total}: linear warm-up over the first 5% (at least 1 step), then cosine decay to a tenth. */
    public static double schedule(double peak, long s, long total) {
        long warm = Math.max(1, total / 20);
        if (s < warm) return peak * (s + 1) / warm;
        double progress = Math.min(1.0, (s - warm) / (double) Math.max(1, total - warm));
        return peak * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
