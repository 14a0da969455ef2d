package dev.squall.gguf;

import dev.squall.format.GgmlType;
import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of a GGUF tensor table.
 *
 * @param name       the tensor's name, e.g. {@code blk.0.attn_q.weight}
 * @param type       its ggml type
 * @param dims       its shape in ggml order: {@code dims[0]} is the length of a row, the
 *                   fastest-varying dimension
 * @param offset     where its data starts, relative to the data section
 * @param byteSize   its data's size in bytes
 * @param fileOffset where its data starts in the file
 */
public record GgufTensorInfo(String name, GgmlType type, long[] dims, long offset, long byteSize, long fileOffset) {

    public GgufTensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        dims = dims.clone();
        String problem = GgufLayout.shapeProblem(type, dims);
        if (problem != null) throw new IllegalArgumentException("tensor " + GgufText.quote(name) + ": " + problem);
        if (byteSize != GgufLayout.byteSize(type, dims)) {
            throw new IllegalArgumentException("tensor " + GgufText.quote(name) + ": " + byteSize + " bytes given, "
                    + GgufLayout.byteSize(type, dims) + " expected for " + type + " " + Arrays.toString(dims));
        }
    }

    /**
     * Bytes taken by a tensor of {@code type} and {@code dims}.
     *
     * @throws IllegalArgumentException when the shape is not one GGUF can hold (see
     *         {@link GgufWriter#addTensor(String, GgmlType, long[], java.util.function.Consumer)})
     */
    public static long byteSizeOf(GgmlType type, long... dims) {
        String problem = GgufLayout.shapeProblem(type, dims);
        if (problem != null) throw new IllegalArgumentException(problem);
        return GgufLayout.byteSize(type, dims);
    }

    @Override public long[] dims() { return dims.clone(); }

    public int nDims() { return dims.length; }

    public long dim(int i) { return dims[i]; }

    /** The product of the dimensions. */
    public long elementCount() {
        long n = 1;
        for (long d : dims) n *= d;
        return n;
    }

    @Override public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t && name.equals(t.name) && type == t.type
                && Arrays.equals(dims, t.dims) && offset == t.offset && byteSize == t.byteSize
                && fileOffset == t.fileOffset;
    }

    @Override public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(dims), offset, byteSize, fileOffset);
    }

    /** {@code blk.0.attn_q.weight Q4_K [4096, 4096] at 1234 (9437184 bytes)}. */
    @Override public String toString() {
        return GgufText.plain(name) + " " + type + " " + Arrays.toString(dims) + " at " + fileOffset + " (" + byteSize + " bytes)";
    }
}
