package dev.squall.gguf;

import dev.squall.format.GgmlType;

/** Constants and size arithmetic of the GGUF layout, shared by the reader and the writer. */
final class GgufLayout {

    /** "GGUF" read as a little-endian u32. */
    static final int MAGIC = 0x46554747;
    static final String ALIGNMENT_KEY = "general.alignment";
    static final int DEFAULT_ALIGNMENT = 32;
    static final int MAX_DIMS = 4;
    /** The smallest metadata entry: an empty key (8), a type (4) and a one-byte value. */
    static final int MIN_KV_BYTES = 8 + 4 + 1;
    /** The smallest tensor info: an empty name (8), n_dims (4), one dimension (8), type (4), offset (8). */
    static final int MIN_TENSOR_INFO_BYTES = 8 + 4 + 8 + 4 + 8;

    private GgufLayout() {}

    static boolean isValidAlignment(long alignment) {
        return alignment > 0 && (alignment & (alignment - 1)) == 0;
    }

    /** {@code x} rounded up to a multiple of {@code alignment} (a power of two); {@code x} is far from overflow. */
    static long alignUp(long x, long alignment) {
        return (x + alignment - 1) & -alignment;
    }

    /**
     * What is wrong with a tensor of {@code type} and {@code dims}, or {@code null} when its shape is
     * valid: 1 to 4 dimensions, each at least 1, a row (dims[0]) that is a whole number of blocks,
     * and an element count and byte size that fit in a long. A row takes the type's row header
     * (FP8's per-row scale) plus its blocks ({@link GgmlType#rowBytes}).
     */
    static String shapeProblem(GgmlType type, long[] dims) {
        if (dims.length < 1 || dims.length > MAX_DIMS) {
            return "n_dims is " + dims.length + ", expected 1 to " + MAX_DIMS;
        }
        for (int d = 0; d < dims.length; d++) {
            if (dims[d] <= 0) {
                String shown = dims[d] < 0 ? Long.toUnsignedString(dims[d]) + " (over 2^63-1)" : "0";
                return "dimension #" + d + " is " + shown + ", expected at least 1";
            }
        }
        long elements = 1;
        for (long dim : dims) {
            elements = multiplyOrNegative(elements, dim);
            if (elements < 0) return "dims " + dimsString(dims) + " hold more than 2^63-1 elements";
        }
        if (dims[0] % type.blockElements() != 0) {
            return "a row of " + dims[0] + " elements is not a multiple of the " + type + " block size "
                    + type.blockElements();
        }
        long bytes = multiplyOrNegative(dims[0] / type.blockElements(), type.blockBytes());
        if (bytes >= 0) bytes = bytes + type.rowHeaderBytes() < 0 ? -1 : bytes + type.rowHeaderBytes();
        for (int d = 1; d < dims.length && bytes >= 0; d++) bytes = multiplyOrNegative(bytes, dims[d]);
        if (bytes < 0) return "dims " + dimsString(dims) + " of " + type + " take more than 2^63-1 bytes";
        return null;
    }

    /** Bytes of a tensor whose shape {@link #shapeProblem} accepted. */
    static long byteSize(GgmlType type, long[] dims) {
        long bytes = type.rowBytes(dims[0]);
        for (int d = 1; d < dims.length; d++) bytes *= dims[d];
        return bytes;
    }

    static String dimsString(long[] dims) {
        StringBuilder b = new StringBuilder("[");
        for (int d = 0; d < dims.length; d++) {
            if (d > 0) b.append(", ");
            b.append(Long.toUnsignedString(dims[d]));
        }
        return b.append(']').toString();
    }

    private static long multiplyOrNegative(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long low = a * b;
        return high == 0 && low >= 0 ? low : -1;
    }
}
