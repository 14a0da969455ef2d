package dev.squall.validation.op;

import dev.squall.backend.Backend;
import dev.squall.backend.OpKernels;
import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.graph.RopeSpec;
import dev.squall.ops.Add;
import dev.squall.ops.Attention;
import dev.squall.ops.Matmul;
import dev.squall.ops.RmsNorm;
import dev.squall.ops.Rope;
import dev.squall.ops.Softmax;
import dev.squall.ops.SwiGlu;
import dev.squall.tensor.WeightTensor;
import dev.squall.validation.CaseSource;
import dev.squall.validation.Context;
import dev.squall.validation.ValidationCase;
import dev.squall.validation.ValidationCase.Outcome;
import java.util.ArrayList;
import java.util.List;

/**
 * Operator parity in the spirit of llama.cpp's test-backend-ops: every operator × weight format ×
 * shape on every backend against the operator's oracle. Shapes always include odd sizes (1, 5, 7,
 * 13, 33, 127) and sizes that are not multiples of the vector width; inputs are seeded; each
 * threshold is derived from the data of its case (see {@link Bounds}).
 */
public final class OpParityCases implements CaseSource {

    private static final int[] ODD = {1, 5, 7, 13, 33, 127};

    @Override public List<ValidationCase> cases(Context context, List<Backend> backends) {
        List<ValidationCase> cases = new ArrayList<>();
        for (Backend b : backends) {
            OpKernels k = b.ops(context.threads());
            matmul(k, cases);
            embed(k, cases);
            rmsNorm(k, cases);
            rope(k, cases);
            softmax(k, cases);
            attention(k, cases);
            elementwise(k, cases);
        }
        return cases;
    }

    // ---------------------------------------------------------------- inputs

    private static float[] uniform(int n, long seed) { return OpInputs.uniform(n, seed); }

    private static WeightTensor weights(WeightFormat f, int rows, int k, long seed) { return OpInputs.weights(f, rows, k, seed); }

    /**
     * Row lengths for a format: odd ones for plain floats (and FP8 with a row scale, whose rows take
     * any length); 1, 3 and 7 blocks and 768 (a real model width) where those are whole blocks:
     * 32, 96, 224, 768 for 32-element blocks, 64, 192, 448, 768 for NVFP4, 256, 768 for K-quants.
     */
    static int[] columnsFor(WeightFormat f) {
        int b = f.blockElements();
        if (b == 1) return new int[] {5, 13, 127, 768};
        return java.util.stream.IntStream.of(b, 3 * b, 7 * b, 768).filter(n -> n <= 768 && n % b == 0).distinct().sorted().toArray();
    }

    // ---------------------------------------------------------------- matmul and embed

    /**
     * Threshold: each output's error is at most γ_K·Σ_k|w·x| + u·|y| in any summation order, so
     * NMSE ≤ Σ(γ_K·S + u·|y|)² / Σy². Derived from this case's own data.
     */
    private static void matmul(OpKernels k, List<ValidationCase> cases) {
        for (WeightFormat f : WeightFormats.all()) {
            for (int cols : columnsFor(f)) {
                for (int rows : new int[] {1, 7, 33, 127}) {
                    for (int tokens : new int[] {1, 5, 17}) {
                        String name = "matmul " + f.name() + " rows=" + rows + " k=" + cols + " tokens=" + tokens;
                        long seed = name.hashCode();
                        cases.add(new OpCase(name, k, "matmul", f, kernels -> {
                            WeightTensor w = weights(f, rows, cols, seed);
                            float[] x = uniform(tokens * cols, seed + 1);
                            float[] expected = new float[tokens * rows];
                            Matmul.oracle(w, x, tokens, expected);
                            Guarded out = new Guarded(tokens * rows);
                            kernels.matmul(w, x, tokens, out.array, out.offset());
                            return OpCase.judge(expected, out, matmulBound(w, x, tokens, expected));
                        }));
                    }
                }
            }
        }
    }

    private static double matmulBound(WeightTensor w, float[] x, int tokens, float[] y) {
        int k = w.columns(), rows = w.rows();
        float[] row = new float[k];
        double err = 0, ref = 0, g = Bounds.gamma(k);
        for (int r = 0; r < rows; r++) {
            w.format().decode(w.data(), w.rowOffset(r), row, 0, k);
            for (int t = 0; t < tokens; t++) {
                double s = 0;
                for (int i = 0; i < k; i++) s += Math.abs((double) row[i] * x[t * k + i]);
                double yv = y[t * rows + r];
                double e = g * s + Bounds.U * Math.abs(yv);
                err += e * e;
                ref += yv * yv;
            }
        }
        return ref == 0 ? 0 : err / ref;
    }

    /** Embedding rows are decoded exactly: the threshold is 0 (bit-identical to the oracle's decode). */
    private static void embed(OpKernels k, List<ValidationCase> cases) {
        for (WeightFormat f : WeightFormats.all()) {
            for (int cols : columnsFor(f)) {
                String name = "embed " + f.name() + " k=" + cols + " tokens=5";
                long seed = name.hashCode();
                cases.add(new OpCase(name, k, "embed", f, kernels -> {
                    WeightTensor table = weights(f, 33, cols, seed);
                    int[] tokens = {0, 32, 7, 7, 13};
                    float[] expected = new float[tokens.length * cols];
                    for (int t = 0; t < tokens.length; t++) f.decode(table.data(), table.rowOffset(tokens[t]), expected, t * cols, cols);
                    Guarded out = new Guarded(expected.length);
                    kernels.embed(table, tokens, out.array, out.offset());
                    return OpCase.judge(expected, out, 0);
                }));
            }
        }
    }

    // ---------------------------------------------------------------- norms, rope, softmax

    /** Threshold: the scale carries at most γ_n/2 + 3u (sum, sqrt, division), two products add 2u: NMSE ≤ (γ_n/2 + 5u)². */
    private static void rmsNorm(OpKernels k, List<ValidationCase> cases) {
        for (int n : new int[] {1, 5, 7, 13, 33, 127, 768, 4096}) {
            for (int rows : new int[] {1, 3}) {
                String name = "rmsnorm n=" + n + " rows=" + rows;
                long seed = name.hashCode();
                cases.add(new OpCase(name, k, "rmsnorm", null, kernels -> {
                    float[] x = uniform(rows * n, seed), w = uniform(n, seed + 1), expected = new float[rows * n];
                    for (int r = 0; r < rows; r++) RmsNorm.oracle(x, r * n, n, w, 1e-5f, expected, r * n);
                    Guarded out = new Guarded(rows * n);
                    kernels.rmsNorm(x, rows, n, w, 1e-5f, out.array, out.offset());
                    double rel = Bounds.gamma(n) / 2 + 5 * Bounds.U;
                    return OpCase.judge(expected, out, rel * rel);
                }));
            }
        }
    }

    /**
     * Threshold: the angle of pair i may carry ggml's float recurrence error, at most
     * pos·(dims/2 + 2)·u, plus u each for cos and sin and two roundings per product:
     * NMSE ≤ 2·(Δθ + 4u)².
     */
    private static void rope(OpKernels k, List<ValidationCase> cases) {
        for (RopeSpec.Pairing pairing : RopeSpec.Pairing.values()) {
            for (int headSize : new int[] {32, 64, 80, 128}) {
                for (int heads : new int[] {1, 3}) {
                    addRope(k, cases, pairing, headSize, headSize, heads, 10000f, null);
                }
            }
            addRope(k, cases, pairing, 64, 32, 2, 10000f, null);  // partial rotation: dims < head size
            float[] factors = new float[16];
            for (int i = 0; i < factors.length; i++) factors[i] = 1f + i / 4f;
            addRope(k, cases, pairing, 32, 32, 2, 500000f, factors);  // Llama 3 frequency factors
        }
    }

    private static void addRope(OpKernels k, List<ValidationCase> cases, RopeSpec.Pairing pairing, int headSize, int dims,
                                int heads, float base, float[] factors) {
        String name = "rope " + pairing.name().toLowerCase() + " head=" + headSize + " dims=" + dims + " heads=" + heads
                + " base=" + (int) base + (factors == null ? "" : " factors");
        long seed = name.hashCode();
        cases.add(new OpCase(name, k, "rope", null, kernels -> {
            RopeSpec spec = new RopeSpec(dims, base, 1f, factors, pairing);
            int tokens = 5;
            int[] positions = {0, 1, 17, 1000, 4095};
            float[] x = uniform(tokens * heads * headSize, seed), expected = x.clone();
            for (int t = 0; t < tokens; t++) Rope.oracle(expected, t * heads * headSize, heads, headSize, positions[t], spec);
            Guarded actual = Guarded.of(x);
            kernels.rope(actual.array, actual.offset(), tokens, heads, headSize, positions, spec);
            double dTheta = 4095 * (dims / 2.0 + 2) * Bounds.U + 4 * Bounds.U;
            return OpCase.judge(expected, actual, 2 * dTheta * dTheta);
        }));
    }

    /** Threshold: each probability carries 2 exp errors, the sum's γ_n and two roundings: NMSE ≤ (2ε_exp + γ_n + 2u)². */
    private static void softmax(OpKernels k, List<ValidationCase> cases) {
        for (int n : new int[] {1, 5, 7, 13, 33, 127, 32000}) {
            for (float scale : new float[] {1f, 0.125f}) {
                String name = "softmax n=" + n + " rows=3 scale=" + scale;
                long seed = name.hashCode();
                cases.add(new OpCase(name, k, "softmax", null, kernels -> {
                    float[] x = uniform(3 * n, seed);
                    for (int i = 0; i < x.length; i++) x[i] *= 20;
                    float[] expected = x.clone();
                    for (int r = 0; r < 3; r++) Softmax.oracle(expected, r * n, n, scale);
                    Guarded actual = Guarded.of(x);
                    kernels.softmax(actual.array, actual.offset(), 3, n, scale);
                    double rel = 2 * Bounds.EXP + Bounds.gamma(n) + 2 * Bounds.U;
                    return OpCase.judge(expected, actual, rel * rel);
                }));
            }
        }
    }

    // ---------------------------------------------------------------- attention

    /**
     * Threshold, per query head: scores err by δ_j ≤ γ_hs·Σ|q·k_j|·scale; the weights then by at
     * most 2·max δ + 2ε_exp + γ_n relative, and each output element by that plus γ_n times
     * Σ_j p_j·|v_j|. NMSE ≤ Σ bound² / Σ y².
     */
    private static void attention(OpKernels k, List<ValidationCase> cases) {
        int[][] groups = {{4, 4}, {4, 2}, {8, 1}};
        for (int headSize : new int[] {32, 64, 80, 128}) {
            for (int[] g : groups) {
                for (int positions : new int[] {1, 7, 33, 200}) {
                    int tokens = Math.min(5, positions);
                    String name = "attention head=" + headSize + " heads=" + g[0] + "/" + g[1] + " positions=" + positions + " queries=" + tokens;
                    long seed = name.hashCode();
                    cases.add(new OpCase(name, k, "attention", null, kernels -> attentionCase(kernels, headSize, g[0], g[1], positions, tokens, seed)));
                }
            }
        }
    }

    private static Outcome attentionCase(OpKernels kernels, int hs, int heads, int kvHeads, int positions, int tokens, long seed) {
        int kvw = kvHeads * hs, qw = heads * hs, group = heads / kvHeads;
        float[] q = uniform(tokens * qw, seed), keys = uniform(positions * kvw, seed + 1), values = uniform(positions * kvw, seed + 2);
        for (int i = 0; i < q.length; i++) q[i] *= 3;
        int[] qpos = new int[tokens];
        for (int t = 0; t < tokens; t++) qpos[t] = positions - tokens + t;
        float scale = (float) (1.0 / Math.sqrt(hs));
        Attention.KvPages kv = new Attention.KvPages(new float[][] {keys}, new float[][] {values}, new int[] {0}, 30, kvw);
        float[] expected = new float[tokens * qw];
        double err = 0, ref = 0;
        for (int t = 0; t < tokens; t++) {
            for (int h = 0; h < heads; h++) {
                int qo = t * qw + h * hs, ko = (h / group) * hs, n = qpos[t] + 1;
                Attention.oracle(q, qo, hs, scale, kv, ko, new int[] {0, n}, 1, expected, qo);
                double maxDelta = 0;
                double[] s = new double[n];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    double dot = 0, abs = 0;
                    for (int i = 0; i < hs; i++) {
                        dot += (double) q[qo + i] * keys[j * kvw + ko + i];
                        abs += Math.abs((double) q[qo + i] * keys[j * kvw + ko + i]);
                    }
                    s[j] = dot * scale;
                    max = Math.max(max, s[j]);
                    maxDelta = Math.max(maxDelta, Bounds.gamma(hs) * abs * scale + Bounds.U * Math.abs(s[j]));
                }
                double sum = 0;
                for (int j = 0; j < n; j++) sum += s[j] = Math.exp(s[j] - max);
                double rel = 2 * maxDelta + 2 * Bounds.EXP + Bounds.gamma(n) + 2 * Bounds.U + Bounds.gamma(n);
                for (int i = 0; i < hs; i++) {
                    double weighted = 0;
                    for (int j = 0; j < n; j++) weighted += s[j] / sum * Math.abs(values[j * kvw + ko + i]);
                    double e = rel * weighted;
                    err += e * e;
                    ref += (double) expected[qo + i] * expected[qo + i];
                }
            }
        }
        Guarded out = new Guarded(tokens * qw);
        kernels.attention(q, tokens, heads, kvHeads, hs, keys, values, positions, qpos, out.array, out.offset());
        return OpCase.judge(expected, out, ref == 0 ? 0 : err / ref);
    }

    // ---------------------------------------------------------------- element-wise

    /** SwiGLU: ε_exp + 4u relative per element; add: one rounding, u. */
    private static void elementwise(OpKernels k, List<ValidationCase> cases) {
        for (int n : new int[] {1, 5, 7, 13, 33, 127, 768, 2048}) {
            String sw = "swiglu n=" + n;
            cases.add(new OpCase(sw, k, "swiglu", null, kernels -> {
                float[] g = uniform(n, sw.hashCode()), u = uniform(n, sw.hashCode() + 1), expected = new float[n];
                for (int i = 0; i < n; i++) g[i] *= 8;
                SwiGlu.oracle(g, 0, u, 0, n, expected, 0);
                Guarded out = new Guarded(n);
                kernels.swiGlu(g, u, n, out.array, out.offset());
                double rel = Bounds.EXP + 4 * Bounds.U;
                return OpCase.judge(expected, out, rel * rel);
            }));
            String ad = "add n=" + n;
            cases.add(new OpCase(ad, k, "add", null, kernels -> {
                float[] a = uniform(n, ad.hashCode()), b = uniform(n, ad.hashCode() + 1), expected = new float[n];
                Add.oracle(a, 0, b, 0, n, expected, 0);
                Guarded out = new Guarded(n);
                kernels.add(a, b, n, out.array, out.offset());
                return OpCase.judge(expected, out, Bounds.U * Bounds.U);
            }));
        }
    }
}
