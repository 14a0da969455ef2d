package dev.squall.model;

/**
 * A change applied to a model's weights as it is opened, e.g. matrices quantized to another format
 * on the fly ({@code dev.squall.quant.OnTheFlyConversion}): it sees each tensor the graph asks for
 * and may hand back another. It owns whatever memory its tensors live in, released by
 * {@link #close()} when the model closes.
 */
public interface WeightConversion extends AutoCloseable {

    /** The weights the model computes with, given those of its file. */
    Weights apply(Weights file);

    /** The formats of the matrices the model computes with, e.g. "MXFP4 × 14, F32 × 1". */
    String formatSummary();

    /** Bytes of the named tensor as the model computes with it, or -1 when this conversion left it as stored. */
    long byteSize(String name);

    @Override void close();
}
