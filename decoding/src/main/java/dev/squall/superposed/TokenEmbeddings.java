package dev.squall.superposed;

import dev.squall.cpu.RowKernel;
import dev.squall.cpu.RowKernels;
import dev.squall.graph.ModelGraph;
import dev.squall.graph.Op;
import dev.squall.tensor.WeightTensor;

/**
 * The input embedding of each token, as the model's prologue computes it: the row of its
 * token-embedding table, decoded by the table's format kernel (F32, F16, Q8_0, …), so a row fed
 * as an embedding is bit for bit what the prologue would have looked up. Only a prologue that is
 * one lookup qualifies: a family whose prologue also scales or normalises the embedding would
 * need that step here too, and is refused rather than fed the wrong input.
 */
public final class TokenEmbeddings {

    private final WeightTensor table;
    private final RowKernel kernel;
    private final float[] row;

    private TokenEmbeddings(WeightTensor table) {
        this.table = table;
        this.kernel = RowKernels.forFormat(table.format());
        this.row = new float[table.columns()];
    }

    public static TokenEmbeddings of(ModelGraph graph) {
        if (graph.prologue().size() == 1 && graph.prologue().getFirst() instanceof Op.Embed e) return new TokenEmbeddings(e.table());
        throw new IllegalArgumentException("model " + graph.name() + ": its prologue is " + graph.prologue().stream().map(o -> o.getClass().getSimpleName()).toList()
                + ", not one token-embedding lookup, so a superposed input embedding cannot be formed");
    }

    /** Width of an embedding (the model's embedding size). */
    public int width() { return table.columns(); }

    /** Rows of the table (the model's vocabulary rows). */
    public int rows() { return table.rows(); }

    /** {@code out += weight · E(token)}; not thread-safe (one scratch row). */
    public void addScaled(int token, float weight, float[] out) {
        if (token < 0 || token >= table.rows()) throw new IllegalArgumentException("token " + token + " is outside the embedding table's " + table.rows() + " rows");
        kernel.decode(table.data(), table.rowOffset(token), row, 0, row.length);
        for (int i = 0; i < row.length; i++) out[i] += weight * row[i];
    }
}
