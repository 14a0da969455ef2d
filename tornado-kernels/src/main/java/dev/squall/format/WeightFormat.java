package dev.squall.format;

import java.lang.foreign.MemorySegment;

/**
 * A weight number format as data: its block layout in bytes and its scalar decode and encode.
 *
 * <p>The layout of every format that GGUF knows is bit-exact with ggml's ({@code ggml-common.h}):
 * a row of {@code n} elements is {@code n / blockElements()} consecutive blocks of
 * {@code blockBytes()} bytes, little-endian. {@link #decode} is the oracle that every kernel is
 * checked against; {@link #encode} is the reference quantizer (ggml's {@code quantize_row_*_ref}
 * rules), used by the sample models, the quantizer and the tests.
 *
 * <p>Bit rules (rounding, saturation, NaN) live in the format classes and nowhere else. Kernels
 * never branch on the format per element: a backend chooses a kernel for a format once, when it
 * builds a plan.
 */
public interface WeightFormat {

    /** The ggml name of the format, e.g. {@code Q4_K}. */
    String name();

    /** The GGUF tensor type id ({@code ggml_type}). */
    int ggmlType();

    /** Elements per block: 1 for plain floats, 32 for Q8_0, 256 for the K-quants. */
    int blockElements();

    /** Bytes per block. */
    int blockBytes();

    /** Bytes taken by a row of {@code elements} elements; the count must be a whole number of blocks. */
    default long rowBytes(long elements) {
        if (elements % blockElements() != 0) {
            throw new IllegalArgumentException(name() + ": a row of " + elements
                    + " elements is not a multiple of the block size " + blockElements());
        }
        return elements / blockElements() * blockBytes();
    }

    /**
     * The oracle: decodes {@code n} elements (a whole number of blocks) that start at byte
     * {@code offset} of {@code src} into {@code dst[dstOffset..dstOffset+n)}.
     */
    void decode(MemorySegment src, long offset, float[] dst, int dstOffset, int n);

    /**
     * The reference encoder: encodes {@code src[srcOffset..srcOffset+n)} (a whole number of
     * blocks) into {@code dst} at byte {@code offset}, rounding as ggml's reference quantizer does.
     */
    void encode(float[] src, int srcOffset, int n, MemorySegment dst, long offset);
}
