package dev.squall.tensor;

import dev.squall.format.WeightFormat;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A weight tensor as stored: a name, a format, a shape in ggml order ({@code shape[0]} is the
 * length of a row, the fastest-varying dimension) and its bytes, usually a slice of a memory-mapped
 * GGUF file.
 */
public record WeightTensor(String name, WeightFormat format, long[] shape, MemorySegment data) {

    public WeightTensor {
        shape = shape.clone();
        long expected = format.rowBytes(shape[0]) * rowsOf(shape);
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("tensor " + name + ": " + data.byteSize()
                    + " bytes given, " + expected + " expected for " + format.name() + " " + Arrays.toString(shape));
        }
    }

    private static long rowsOf(long[] shape) {
        long rows = 1;
        for (int i = 1; i < shape.length; i++) rows *= shape[i];
        return rows;
    }

    /** Elements per row ({@code shape[0]}). */
    public int columns() { return Math.toIntExact(shape[0]); }

    /** Number of rows: the product of all dimensions but the first. */
    public int rows() { return Math.toIntExact(rowsOf(shape)); }

    public long rowBytes() { return format.rowBytes(shape[0]); }

    /** Byte offset of row {@code r} within {@link #data}. */
    public long rowOffset(int r) { return r * rowBytes(); }

    @Override public long[] shape() { return shape.clone(); }

    @Override public String toString() {
        return name + " " + format.name() + " " + Arrays.toString(shape);
    }
}
