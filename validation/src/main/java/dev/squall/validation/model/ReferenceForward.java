package dev.squall.validation.model;

import dev.squall.graph.Act;
import dev.squall.graph.ModelGraph;
import dev.squall.graph.Op;
import dev.squall.ops.RmsNorm;
import dev.squall.ops.Rope;
import dev.squall.ops.SwiGlu;
import dev.squall.tensor.WeightTensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model graph evaluated by the operators' definitions (scalar Java, double accumulation) for one
 * sequence at positions 0..n−1, every position an output, with each weight matmul's input rounded
 * by an {@link ActivationRounding}: llama.cpp's arithmetic, emulated where it departs from F32.
 * It exists for one experiment: if the quantized models' gap to llama.cpp is that rounding, this
 * forward reproduces llama.cpp, and is as far from Squall as llama.cpp is.
 *
 * <p>What the experiment showed (the detail of each quantized case): the emulation equals
 * llama.cpp to F32 summation noise (NMSE about 1e-14) at every position until the first rounding
 * decision that the two sides' different F32 summation orders flip. After a flip in a key or value,
 * the difference reaches every later position through attention, and it grows: a perturbation δ of
 * a rounded input flips a grid point of step s with probability about δ/s at a cost of about s², so
 * each rounded matmul turns δ² into about δ·s, until the difference is as large as the rounding
 * noise itself. F16's fine grid flips from the first position on. Squall rounds nothing, so its
 * distance from llama.cpp is llama.cpp's rounding noise, and the emulation's distance from Squall
 * matches it.
 *
 * <p>Slow on purpose (every weight decoded once, every product in double): for the catalog's tiny
 * models only.
 */
public final class ReferenceForward {

    private final ModelGraph graph;
    private final ActivationRounding rounding;
    private final Map<Act, float[]> acts = new HashMap<>();
    private final Map<WeightTensor, float[]> decoded = new IdentityHashMap<>();
    private int[] tokens;

    private ReferenceForward(ModelGraph graph, ActivationRounding rounding) {
        this.graph = graph;
        this.rounding = rounding;
    }

    /** The logits of every position of {@code tokens}, {@code tokens.length × vocab}. */
    static float[] logits(ModelGraph graph, int[] tokens, ActivationRounding rounding) {
        ReferenceForward f = new ReferenceForward(graph, rounding);
        f.tokens = tokens.clone();
        List<Op> ops = new ArrayList<>(graph.prologue());
        for (ModelGraph.Layer l : graph.layers()) ops.addAll(l.ops());
        ops.addAll(graph.epilogue());
        for (Op op : ops) f.apply(op);
        return f.acts.get(graph.logits());
    }

    /**
     * The model's definition: the logits of every position of {@code tokens} in double, nothing
     * rounded. Squall's backends must equal it to F32 summation order whatever the weight format
     * (they decode the same weight values).
     */
    public static float[] definition(ModelGraph graph, int[] tokens) {
        return logits(graph, tokens, ActivationRounding.NONE);
    }

    /** The number of weight matmuls a position's logits pass through. */
    static int matmuls(ModelGraph graph) {
        int n = 0;
        for (ModelGraph.Layer l : graph.layers()) for (Op op : l.ops()) if (op instanceof Op.Matmul) n++;
        for (Op op : graph.epilogue()) if (op instanceof Op.Matmul) n++;
        return n;
    }

    private float[] act(Act a) {
        return acts.computeIfAbsent(a, x -> new float[tokens.length * x.width()]);
    }

    private float[] weights(WeightTensor w) {
        return decoded.computeIfAbsent(w, t -> {
            float[] v = new float[t.rows() * t.columns()];
            t.format().decode(t.data(), 0, v, 0, v.length);
            return v;
        });
    }

    private void apply(Op op) {
        int n = tokens.length;
        switch (op) {
            case Op.Embed e -> {
                float[] out = act(e.out());
                int w = e.out().width();
                for (int t = 0; t < n; t++) e.table().format().decode(e.table().data(), e.table().rowOffset(tokens[t]), out, t * w, w);
            }
            case Op.RmsNorm r -> {
                float[] in = act(r.in()), out = act(r.out()), w = weights(r.weight());
                for (int g = 0; g < n * r.in().width(); g += r.groupSize()) RmsNorm.oracle(in, g, r.groupSize(), w, r.eps(), out, g);
            }
            case Op.Matmul m -> matmul(m);
            case Op.Rope r -> {
                float[] x = act(r.x());
                for (int t = 0; t < n; t++) Rope.oracle(x, t * r.x().width(), r.heads(), r.headSize(), t, r.spec());
            }
            case Op.Attention a -> attention(a);
            case Op.Add a -> {
                float[] x = act(a.a()), y = act(a.b()), out = act(a.out());
                for (int i = 0; i < n * a.out().width(); i++) out[i] = x[i] + y[i];
            }
            case Op.SwiGlu s -> SwiGlu.oracle(act(s.gate()), 0, act(s.up()), 0, n * s.out().width(), act(s.out()), 0);
            case Op.GatherOutputs g -> System.arraycopy(act(g.in()), 0, act(g.out()), 0, n * g.out().width());
        }
    }

    private void matmul(Op.Matmul m) {
        WeightTensor wt = m.weight();
        int k = wt.columns(), rows = wt.rows();
        float[] w = weights(wt), in = act(m.in()), out = act(m.out()), bias = m.bias() == null ? null : weights(m.bias());
        float[] x = new float[k];
        for (int t = 0; t < tokens.length; t++) {
            System.arraycopy(in, t * k, x, 0, k);
            rounding.round(x, 0, k);
            for (int r = 0; r < rows; r++) {
                double sum = bias == null ? 0 : bias[r];
                for (int i = 0, o = r * k; i < k; i++) sum += (double) w[o + i] * x[i];
                out[t * rows + r] = (float) sum;
            }
        }
    }

    /** Causal attention over the batch itself: position t sees positions 0..t of its KV head. */
    private void attention(Op.Attention a) {
        float[] q = act(a.q()), k = act(a.k()), v = act(a.v()), out = act(a.out());
        int hs = a.headSize(), qw = a.q().width(), kvw = a.k().width(), group = a.heads() / a.kvHeads();
        double scale = 1 / Math.sqrt(hs);
        double[] p = new double[tokens.length];
        for (int t = 0; t < tokens.length; t++) {
            for (int h = 0; h < a.heads(); h++) {
                int qo = t * qw + h * hs, kvo = (h / group) * hs;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= t; j++) {
                    double s = 0;
                    for (int i = 0; i < hs; i++) s += (double) q[qo + i] * k[j * kvw + kvo + i];
                    p[j] = s * scale;
                    max = Math.max(max, p[j]);
                }
                double sum = 0;
                for (int j = 0; j <= t; j++) sum += p[j] = Math.exp(p[j] - max);
                for (int i = 0; i < hs; i++) {
                    double o = 0;
                    for (int j = 0; j <= t; j++) o += p[j] * v[j * kvw + kvo + i];
                    out[qo + i] = (float) (o / sum);
                }
            }
        }
    }
}
