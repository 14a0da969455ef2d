package dev.squall.model;

import dev.squall.graph.Act;
import dev.squall.graph.ModelGraph;
import dev.squall.graph.Op;
import dev.squall.tensor.WeightTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the graph of a pre-norm decoder-only transformer from a config and its weights; the
 * {@link ModelFamily} says where a family departs from the shared block.
 *
 * <pre>
 *  x = embed(tokens)
 *  per layer:  h = rmsnorm(x)·w_attn_norm
 *              q = h·Wq (+bq)   k = h·Wk (+bk)   v = h·Wv (+bv)
 *              [qwen3: q, k = per-head rmsnorm]          q, k = rope(q, k)
 *              a = attention(q, k, v over the KV cache)      x = x + a·Wo
 *              h = rmsnorm(x)·w_ffn_norm
 *              x = x + (silu(h·Wgate) · h·Wup)·Wdown
 *  outputs:    hidden = rmsnorm(x[output rows])·w_out_norm    logits = hidden·Wout (Wout = Wembed when tied)
 * </pre>
 * Activations are shared by all layers (one buffer each); the layer index travels with each op
 * for debug checkpoints.
 */
public final class TransformerGraph {

    private TransformerGraph() {}

    public static ModelGraph build(ModelConfig c, ModelFamily family, Weights w) {
        long d = c.embeddingSize(), qw = c.queryWidth(), kvw = c.kvWidth(), ff = c.ffnSize(), hs = c.headSize();
        Act x = Act.tokens("x", c.embeddingSize());
        Act h = Act.tokens("norm", c.embeddingSize());
        Act q = Act.tokens("q", c.queryWidth());
        Act k = Act.tokens("k", c.kvWidth());
        Act v = Act.tokens("v", c.kvWidth());
        Act attn = Act.tokens("attn", c.queryWidth());
        Act proj = Act.tokens("attn_out", c.embeddingSize());
        Act gate = Act.tokens("ffn_gate", c.ffnSize());
        Act up = Act.tokens("ffn_up", c.ffnSize());
        Act ffnOut = Act.tokens("ffn_out", c.embeddingSize());
        Act xOut = Act.outputs("x_out", c.embeddingSize());
        Act hidden = Act.outputs("hidden", c.embeddingSize());
        Act logits = Act.outputs("logits", c.vocabSize());

        WeightTensor embedding = w.require(ModelFamily.TOKEN_EMBEDDING, d, c.vocabSize());
        List<Op> prologue = List.of(new Op.Embed(embedding, x));

        List<ModelGraph.Layer> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            ModelFamily.LayerNames n = family.layer(i);
            List<Op> ops = new ArrayList<>();
            ops.add(new Op.RmsNorm(x, w.require(n.attnNorm(), d), c.normEps(), c.embeddingSize(), h));
            ops.add(new Op.Matmul(w.require(n.q(), d, qw), bias(w, family, n.qBias(), qw), h, q));
            ops.add(new Op.Matmul(w.require(n.k(), d, kvw), bias(w, family, n.kBias(), kvw), h, k));
            ops.add(new Op.Matmul(w.require(n.v(), d, kvw), bias(w, family, n.vBias(), kvw), h, v));
            if (family.hasQkNorm()) {
                ops.add(new Op.RmsNorm(q, w.require(n.qNorm(), hs), c.normEps(), c.headSize(), q));
                ops.add(new Op.RmsNorm(k, w.require(n.kNorm(), hs), c.normEps(), c.headSize(), k));
            }
            ops.add(new Op.Rope(q, c.heads(), c.headSize(), c.rope()));
            ops.add(new Op.Rope(k, c.kvHeads(), c.headSize(), c.rope()));
            ops.add(new Op.Attention(i, q, k, v, attn, c.heads(), c.kvHeads(), c.headSize(), c.rope()));
            ops.add(new Op.Matmul(w.require(n.output(), qw, d), null, attn, proj));
            ops.add(new Op.Add(x, proj, x));
            List<Op> attention = ops;
            ops = new ArrayList<>();
            ops.add(new Op.RmsNorm(x, w.require(n.ffnNorm(), d), c.normEps(), c.embeddingSize(), h));
            ops.add(new Op.Matmul(w.require(n.gate(), d, ff), null, h, gate));
            ops.add(new Op.Matmul(w.require(n.up(), d, ff), null, h, up));
            ops.add(new Op.SwiGlu(gate, up, gate));
            ops.add(new Op.Matmul(w.require(n.down(), ff, d), null, gate, ffnOut));
            ops.add(new Op.Add(x, ffnOut, x));
            layers.add(new ModelGraph.Layer(i, attention, ops));
        }

        WeightTensor output = w.find(ModelFamily.OUTPUT, d, c.vocabSize()).orElse(embedding);
        List<Op> epilogue = List.of(
                new Op.GatherOutputs(x, xOut),
                new Op.RmsNorm(xOut, w.require(ModelFamily.OUTPUT_NORM, d), c.normEps(), c.embeddingSize(), hidden),
                new Op.Matmul(output, null, hidden, logits));
        return new ModelGraph(c.name(), prologue, layers, epilogue, x, hidden, logits,
                new ModelGraph.KvGeometry(c.layers(), c.kvHeads(), c.headSize()));
    }

    private static WeightTensor bias(Weights w, ModelFamily family, String name, long width) {
        if (family.requiresQkvBias()) return w.require(name, width);
        return w.find(name, width).orElse(null);
    }
}
