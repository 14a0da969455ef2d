package dev.squall.cpu;

import java.lang.foreign.MemorySegment;

/**
 * The Vector API kernel of one weight format: the two hot operations a CPU matmul needs.
 *
 * <p>Contract shared by every implementation: {@code w} is a weight row (or part of one) in the
 * format's block layout starting at byte {@code offset}; {@code n} is a whole number of blocks;
 * nothing is read outside {@code [offset, offset + rowBytes(n))} of {@code w} or
 * {@code [xOffset, xOffset + n)} of {@code x}. Quantized blocks are decoded in registers: a row is
 * never expanded to floats in memory by {@link #dot}. Chosen once per tensor when a plan is built
 * ({@link RowKernels#forFormat}).
 */
public interface RowKernel {

    /** Σ w[i]·x[i] for i in [0, n), accumulated in float lanes. */
    float dot(MemorySegment w, long offset, float[] x, int xOffset, int n);

    /**
     * Decodes {@code n} elements into {@code dst[dstOffset..)}: the matrix-matrix path decodes a few
     * rows into a small, cache-resident scratch and reuses them for every token of a batch.
     * Must give exactly the values of the format's oracle {@code decode}.
     */
    void decode(MemorySegment w, long offset, float[] dst, int dstOffset, int n);
}
