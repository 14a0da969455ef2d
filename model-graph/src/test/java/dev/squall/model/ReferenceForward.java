package dev.squall.model;

import dev.squall.graph.Act;
import dev.squall.graph.ModelGraph;
import dev.squall.graph.Op;
import dev.squall.ops.Add;
import dev.squall.ops.Attention;
import dev.squall.ops.Matmul;
import dev.squall.ops.RmsNorm;
import dev.squall.ops.Rope;
import dev.squall.ops.SwiGlu;
import dev.squall.tensor.WeightTensor;
import java.util.HashMap;
import java.util.Map;

/**
 * The model graph run with every operator's oracle (scalar, double accumulation), one sequence at
 * positions 0..n-1 with causal attention, every position an output: the definition the Java
 * backend's forward pass is checked against.
 */
final class ReferenceForward {

    private ReferenceForward() {}

    /** Logits of every position, {@code n × vocab} row-major. */
    static float[] logits(ModelGraph g, int[] tokens) {
        int n = tokens.length;
        Map<Act, float[]> acts = new HashMap<>();
        Map<Integer, float[][]> kv = new HashMap<>();
        java.util.List<Op> all = new java.util.ArrayList<>(g.prologue());
        for (ModelGraph.Layer l : g.layers()) all.addAll(l.ops());
        all.addAll(g.epilogue());
        for (Op op : all) {
            switch (op) {
                case Op.Embed e -> {
                    float[] out = buf(acts, e.out(), n);
                    for (int t = 0; t < n; t++) {
                        WeightTensor table = e.table();
                        table.format().decode(table.data(), table.rowOffset(tokens[t]), out, t * table.columns(), table.columns());
                    }
                }
                case Op.RmsNorm r -> {
                    float[] x = acts.get(r.in()), out = buf(acts, r.out(), n), w = vector(r.weight());
                    for (int i = 0; i < n * r.in().width(); i += r.groupSize()) RmsNorm.oracle(x, i, r.groupSize(), w, r.eps(), out, i);
                }
                case Op.Matmul m -> {
                    float[] out = new float[n * m.out().width()];
                    Matmul.oracle(m.weight(), acts.get(m.in()), n, out);
                    if (m.bias() != null) {
                        float[] b = vector(m.bias());
                        for (int i = 0; i < out.length; i++) out[i] += b[i % b.length];
                    }
                    acts.put(m.out(), out);
                }
                case Op.Rope r -> {
                    float[] x = acts.get(r.x());
                    for (int t = 0; t < n; t++) Rope.oracle(x, t * r.x().width(), r.heads(), r.headSize(), t, r.spec());
                }
                case Op.Attention a -> {
                    float[] q = acts.get(a.q()), out = buf(acts, a.out(), n);
                    // one page holding every position: keys and values exactly as the layer produced them
                    float[][] keys = {acts.get(a.k()).clone()}, values = {acts.get(a.v()).clone()};
                    kv.put(a.layer(), keys);
                    Attention.KvPages pages = new Attention.KvPages(keys, values, new int[] {0}, 20, a.kvHeads() * a.headSize());
                    int group = a.heads() / a.kvHeads();
                    float scale = (float) (1.0 / Math.sqrt(a.headSize()));
                    for (int t = 0; t < n; t++) {
                        for (int h = 0; h < a.heads(); h++) {
                            int qo = t * a.q().width() + h * a.headSize();
                            Attention.oracle(q, qo, a.headSize(), scale, pages, (h / group) * a.headSize(), new int[] {0, t + 1}, 1, out, qo);
                        }
                    }
                }
                case Op.Add a -> {
                    float[] x = acts.get(a.a()), y = acts.get(a.b()), out = new float[n * a.out().width()];
                    Add.oracle(x, 0, y, 0, out.length, out, 0);
                    acts.put(a.out(), out);
                }
                case Op.SwiGlu s -> {
                    float[] gate = acts.get(s.gate()), up = acts.get(s.up()), out = new float[n * s.out().width()];
                    SwiGlu.oracle(gate, 0, up, 0, out.length, out, 0);
                    acts.put(s.out(), out);
                }
                case Op.GatherOutputs gather -> acts.put(gather.out(), acts.get(gather.in()).clone());
            }
        }
        return acts.get(g.logits());
    }

    private static float[] buf(Map<Act, float[]> acts, Act a, int n) {
        float[] b = new float[n * a.width()];
        acts.put(a, b);
        return b;
    }

    private static float[] vector(WeightTensor t) {
        float[] v = new float[t.columns()];
        t.format().decode(t.data(), 0, v, 0, v.length);
        return v;
    }
}
