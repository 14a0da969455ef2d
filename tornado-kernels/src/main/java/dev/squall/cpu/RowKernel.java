package dev.squall.cpu;

import java.lang.foreign.MemorySegment;

/**
 * The Vector API kernel of one weight format: the hot operations of a CPU matmul.
 *
 * <p>Contract shared by every implementation: {@code w} holds weight rows in the format's block
 * layout, a row starting at byte {@code offset}; {@code n} is a whole number of blocks; nothing is
 * read outside the rows or {@code [xOffset, xOffset + n)} of {@code x}. Quantized blocks are decoded
 * in registers: {@link #dot} and {@link #dot4} never expand a row to floats in memory. Chosen once
 * per tensor when a plan is built ({@link RowKernels#forFormat}).
 *
 * <p><b>The canonical order.</b> {@link #dot} and {@link #dot4} compute each row's sum in one fixed
 * order, the same as {@code dev.squall.ops.Matmul}'s F32 tiles over decoded rows: one
 * {@link Lanes#F} accumulator per row, fed {@code acc = fma(w[i..i+L), x[i..i+L), acc)} over the
 * full vectors in element order, folded by {@link Lanes#sum}, then the tail elements fused in one by
 * one ({@code s = fma(w[i], x[i], s)}). The weights are the oracle's values exactly, so a token's
 * result is bit-identical whether its batch ran the in-register path or the decode-and-tile path.
 */
public interface RowKernel {

    /** Σ w[i]·x[i] for i in [0, n), in the canonical order. */
    float dot(MemorySegment w, long offset, float[] x, int xOffset, int n);

    /**
     * Four consecutive rows, {@code rowBytes} apart from byte {@code offset}, times the same
     * {@code x}, each in the canonical order: {@code out[outOffset + r]} for r &lt; 4. One pass over
     * the four rows keeps four independent accumulation chains in flight. {@code lanes} is scratch
     * ({@link #laneScratch()} floats) where the accumulators are folded.
     */
    void dot4(MemorySegment w, long offset, long rowBytes, float[] x, int xOffset, int n, float[] out, int outOffset, float[] lanes);

    /** Floats of {@code lanes} scratch that {@link #dot4} needs: room for four accumulators. */
    static int laneScratch() { return 4 * Lanes.F.length(); }

    /** Floats of {@code lanes} scratch that {@link #dotTokens} needs: room for eight accumulators. */
    static int tokenLaneScratch() { return 8 * Lanes.F.length(); }

    /**
     * Whether {@link #dotTokens} decodes in registers: then a small batch reads and decodes each row
     * once per few tokens, with no scratch, instead of decoding rows to memory first.
     */
    default boolean fusesTokens() { return false; }

    /**
     * One row times {@code tokens} activations, each in the canonical order:
     * {@code out[outOffset + t·outStride] = Σ_i w[i]·x[xOffset + t·xStride + i]} for t &lt; tokens.
     * The row is decoded in registers once per group of up to eight tokens. {@code lanes} is scratch
     * ({@link #tokenLaneScratch()} floats). Only for kernels that {@link #fusesTokens}.
     */
    default void dotTokens(MemorySegment w, long offset, float[] x, int xOffset, int xStride, int tokens, int n,
                           float[] out, int outOffset, int outStride, float[] lanes) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " decodes rows to memory for batches");
    }

    /**
     * Decodes {@code n} elements into {@code dst[dstOffset..)}: the matrix-matrix path decodes a few
     * rows into a small, cache-resident scratch and reuses them for every token of a batch.
     * Must give exactly the values of the format's oracle {@code decode}.
     */
    void decode(MemorySegment w, long offset, float[] dst, int dstOffset, int n);

    /**
     * Whether {@link #dotQ8} runs: the format has an exact int8 path for activations rounded to
     * 8-bit integers ({@link Q8Activations}) of the kind {@link #q8Kind}.
     */
    default boolean dotsQ8() { return false; }

    /** How the int8 path wants the activations rounded: as llama.cpp's {@code vec_dot_type} of the format. */
    default Q8Activations.Kind q8Kind() { return Q8Activations.Kind.Q8_0; }

    /**
     * One row times token {@code token} of {@code x} (rounded as {@link #q8Kind} says): per block,
     * the integer sums of the products (exact),
     * converted to float and fused into one {@link Lanes#F} accumulator times the product of the
     * two blocks' scales, block after block in order, the lanes folded by {@link Lanes#sum}. The
     * order is fixed per row and token, so any batch gives the same bits as token by token.
     * {@code lanes} is scratch ({@link Lanes#F}-many floats). Only for kernels that {@link #dotsQ8}.
     */
    default float dotQ8(MemorySegment w, long offset, Q8Activations x, int token, float[] lanes) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no int8 path");
    }

    /**
     * {@link #dotQ8} for tokens {@code t0 .. t0 + 3} of {@code x}: {@code out[outOffset + i·outStride]}
     * for i &lt; 4, each bit for bit what {@link #dotQ8} gives for that token (the row's blocks
     * are decoded once for the four). {@code lanes} is scratch: four {@link Lanes#F}-many floats.
     */
    default void dotQ8x4(MemorySegment w, long offset, Q8Activations x, int t0, float[] out, int outOffset, int outStride, float[] lanes) {
        for (int i = 0; i < 4; i++) out[outOffset + i * outStride] = dotQ8(w, offset, x, t0 + i, lanes);
    }

    /**
     * {@code w} copied into the int8 path's heap layout ({@link PackedQ8}), whose products equal
     * {@link #dotQ8}'s bit for bit; null where the format reads its blocks as stored.
     */
    default PackedQ8 packQ8(dev.squall.tensor.WeightTensor w) { return null; }
}
