package dev.squall.graph;

/**
 * An activation tensor of the graph: {@code rows × width} floats, row-major.
 *
 * <p>{@link Rows#TOKENS} tensors have one row per token of the batch; {@link Rows#OUTPUTS}
 * tensors have one row per requested output position (see {@link Batch#outputRows()}). The name
 * is the tensor's identity in a graph and doubles as a debug checkpoint ({@code blk.3.attn_out}).
 */
public record Act(String name, int width, Rows rows) {

    public enum Rows { TOKENS, OUTPUTS }

    public Act {
        if (width <= 0) throw new IllegalArgumentException("activation " + name + ": width " + width);
    }

    public static Act tokens(String name, int width) { return new Act(name, width, Rows.TOKENS); }

    public static Act outputs(String name, int width) { return new Act(name, width, Rows.OUTPUTS); }
}
