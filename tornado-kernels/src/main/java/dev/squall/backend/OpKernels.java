package dev.squall.backend;

import dev.squall.format.WeightFormat;
import dev.squall.graph.RopeSpec;
import dev.squall.tensor.WeightTensor;
import java.util.Optional;

/**
 * A backend's operators one at a time, for the validation suite: host arrays in, host arrays out.
 * Results are written at the given offsets and nowhere else (the suite surrounds them with guard
 * regions); inputs are not modified except by the in-place operators (rope, softmax).
 *
 * <p>Operator names for {@link #unsupported}: matmul, embed, rmsnorm, rope, softmax, attention,
 * swiglu, add.
 */
public interface OpKernels extends AutoCloseable {

    /** The device these kernels run on (the {@code --device} id). */
    String device();

    /** Empty when the device runs {@code op} on weights of {@code format} (null for ops without weights); otherwise why not. */
    Optional<String> unsupported(String op, WeightFormat format);

    /** out[t·rows + r] = Σ_k W[r][k]·x[t·K + k]. */
    void matmul(WeightTensor w, float[] x, int tokens, float[] out, int outOffset);

    /** out[t·K ..] = row tokens[t] of the table. */
    void embed(WeightTensor table, int[] tokens, float[] out, int outOffset);

    /** RMS normalization of each of {@code rows} rows of n floats, scaled by weight. */
    void rmsNorm(float[] x, int rows, int n, float[] weight, float eps, float[] out, int outOffset);

    /** Rotates {@code heads} heads of every token in place; token t sits at {@code positions[t]}. */
    void rope(float[] x, int offset, int tokens, int heads, int headSize, int[] positions, RopeSpec spec);

    /** Softmax of each of {@code rows} rows of n floats in place, after scaling by {@code scale}. */
    void softmax(float[] x, int offset, int rows, int n, float scale);

    /**
     * Causal grouped-query attention: query t (heads × headSize floats) at position
     * {@code queryPositions[t]} attends to cache positions {@code [0, queryPositions[t]]} of
     * {@code keys}/{@code values} ({@code positions × kvHeads·headSize}), scaled by 1/sqrt(headSize).
     */
    void attention(float[] q, int tokens, int heads, int kvHeads, int headSize, float[] keys, float[] values,
                   int positions, int[] queryPositions, float[] out, int outOffset);

    /** out[i] = silu(gate[i])·up[i]. */
    void swiGlu(float[] gate, float[] up, int n, float[] out, int outOffset);

    /** out[i] = a[i] + b[i]. */
    void add(float[] a, float[] b, int n, float[] out, int outOffset);

    @Override default void close() {}
}
