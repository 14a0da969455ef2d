package dev.squall.heads;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Draft heads on a model's final hidden state: head {@code k} (from 0) guesses the token
 * {@code k + 2} places after the hidden state's token, the model's own output head giving the
 * first. Each head is one residual block and its own output matrix (Medusa, Cai et al. 2024, §2.1.1):
 *
 * <pre>
 *   medusa head k:  z = h + SiLU(W_k · h + b_k)                          W_k: dim × dim
 *   hydra  head k:  z = h + SiLU(W_k · [h; E(t₁); …; E(t_{k+1})] + b_k)   W_k: dim × (k + 2)·dim
 *                   logits_k = U_k · z                                   U_k: vocab × dim
 * </pre>
 * A Hydra head (Ankner et al. 2024) also sees the input embeddings {@code E} of the tokens guessed
 * before it: {@code t₁} is the model's own next token, {@code t₂ …} the earlier heads' guesses on
 * the same branch, so its guesses depend on the branch. W starts at zero (a new head repeats the
 * model's output head on h) and U at the model's output matrix. Weights are row-major F32.
 */
public final class DraftHeads {

    /** Which heads: independent (Medusa) or conditioned on the guesses before them (Hydra). */
    public enum Kind {
        MEDUSA, HYDRA;

        public String label() { return name().toLowerCase(Locale.ROOT); }

        public static Kind of(String label) {
            for (Kind k : values()) if (k.label().equals(label)) return k;
            throw new IllegalArgumentException("unknown kind of heads '" + label + "' (expected medusa or hydra)");
        }
    }

    private final Kind kind;
    private final int count, dim, vocab;
    final float[][] w, b, u;
    private final float[] embeddings;   // vocab × dim, the model's input embeddings (Hydra only)

    /** Heads with the given weights; {@code embeddings} (vocab × dim) is needed by Hydra heads only. */
    public DraftHeads(Kind kind, int dim, int vocab, float[][] w, float[][] b, float[][] u, float[] embeddings) {
        this.kind = kind;
        this.count = w.length;
        this.dim = dim;
        this.vocab = vocab;
        if (count < 1) throw new IllegalArgumentException("draft heads need at least one head");
        if (b.length != count || u.length != count) throw new IllegalArgumentException("weights for " + count + " heads, biases for " + b.length + ", output matrices for " + u.length);
        for (int k = 0; k < count; k++) {
            if (w[k].length != dim * inputs(kind, k, dim)) throw new IllegalArgumentException("head " + k + ": weight of " + w[k].length + " floats, expected " + dim + " × " + inputs(kind, k, dim));
            if (b[k].length != dim) throw new IllegalArgumentException("head " + k + ": bias of " + b[k].length + " floats, expected " + dim);
            if (u[k].length != (long) vocab * dim) throw new IllegalArgumentException("head " + k + ": output matrix of " + u[k].length + " floats, expected " + vocab + " × " + dim);
        }
        if (kind == Kind.HYDRA && (embeddings == null || embeddings.length != (long) vocab * dim)) {
            throw new IllegalArgumentException("hydra heads need the model's input embeddings (" + vocab + " × " + dim + ")");
        }
        this.w = w;
        this.b = b;
        this.u = u;
        this.embeddings = embeddings;
    }

    /** New heads for a model: W zero, b zero, every U a copy of the model's output matrix (vocab × dim). */
    public static DraftHeads initial(Kind kind, int count, int dim, int vocab, float[] output, float[] embeddings) {
        float[][] w = new float[count][], b = new float[count][], u = new float[count][];
        for (int k = 0; k < count; k++) {
            w[k] = new float[dim * inputs(kind, k, dim)];
            b[k] = new float[dim];
            u[k] = output.clone();
        }
        return new DraftHeads(kind, dim, vocab, w, b, u, embeddings);
    }

    /** Random small weights everywhere (tests: a gradient check needs SiLU away from its zero-init point). */
    public static DraftHeads random(Kind kind, int count, int dim, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] w = new float[count][], b = new float[count][], u = new float[count][];
        for (int k = 0; k < count; k++) {
            w[k] = gaussian(r, dim * inputs(kind, k, dim), 0.5);
            b[k] = gaussian(r, dim, 0.5);
            u[k] = gaussian(r, vocab * dim, 0.5);
        }
        return new DraftHeads(kind, dim, vocab, w, b, u, gaussian(r, vocab * dim, 1.0));
    }

    private static float[] gaussian(SplittableRandom r, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            double u1 = 1 - r.nextDouble(), u2 = r.nextDouble();
            v[i] = (float) (scale * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
        }
        return v;
    }

    /** Input width of head {@code k}: dim for Medusa, (k + 2)·dim for Hydra. */
    public static int inputs(Kind kind, int k, int dim) { return kind == Kind.MEDUSA ? dim : (k + 2) * dim; }

    public int inputs(int k) { return inputs(kind, k, dim); }

    public Kind kind() { return kind; }

    public int count() { return count; }

    public int dim() { return dim; }

    public int vocab() { return vocab; }

    /** The input embedding of {@code token} (Hydra). */
    float[] embeddings() { return embeddings; }

    /** Parameters in all heads. */
    public long parameters() {
        long n = 0;
        for (int k = 0; k < count; k++) n += w[k].length + b[k].length + u[k].length;
        return n;
    }

    /**
     * Head {@code k}'s input: {@code h}, then for Hydra the embeddings of {@code guessed[0 … k]}
     * (the model's next token, then the guesses of heads {@code 0 … k − 1} on this branch).
     */
    public float[] input(int k, float[] h, int[] guessed) {
        if (kind == Kind.MEDUSA) return h;
        if (guessed.length < k + 1) throw new IllegalArgumentException("hydra head " + k + " needs " + (k + 1) + " tokens before its guess, given " + guessed.length);
        float[] x = Arrays.copyOf(h, inputs(k));
        for (int j = 0; j <= k; j++) System.arraycopy(embeddings, guessed[j] * dim, x, (j + 1) * dim, dim);
        return x;
    }

    /** The logits of head {@code k} for hidden state {@code h} (and, for Hydra, the tokens before its guess). */
    public float[] logits(Dense dense, int k, float[] h, int[] guessed) {
        float[] x = input(k, h, guessed);
        int in = inputs(k);
        float[] z = new float[dim];
        for (int i = 0; i < dim; i++) {
            float a = Dense.dot(w[k], i * in, x, 0, in) + b[k][i];
            z[i] = h[i] + silu(a);
        }
        float[] logits = new float[vocab];
        int blocks = (vocab + 255) / 256;
        float[] uk = u[k];
        dense.parallelFor(blocks, blk -> {
            for (int v = blk * 256, end = Math.min(vocab, v + 256); v < end; v++) logits[v] = Dense.dot(uk, v * dim, z, 0, dim);
        });
        return logits;
    }

    /** The {@code n} tokens with the highest logits, best first (lower id first on ties). */
    public static int[] top(float[] logits, int n) {
        int[] best = new int[Math.min(n, logits.length)];
        int size = 0;
        for (int v = 0; v < logits.length; v++) {
            if (size == best.length && logits[v] <= logits[best[size - 1]]) continue;
            int at = size == best.length ? size - 1 : size++;
            while (at > 0 && logits[best[at - 1]] < logits[v]) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = v;
        }
        return best;
    }

    static float silu(float a) { return a / (1f + (float) Math.exp(-a)); }
}
