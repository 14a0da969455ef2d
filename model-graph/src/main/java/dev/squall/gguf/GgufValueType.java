package dev.squall.gguf;

import java.util.Optional;

/**
 * The type of a metadata value ({@code gguf_type}), with its id in the file and the size of one
 * value in bytes ({@code -1} for the variable-length {@link #STRING} and {@link #ARRAY}).
 */
public enum GgufValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    STRING(8, -1),
    ARRAY(9, -1),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    private static final GgufValueType[] BY_ID = values();

    private final int id;
    private final int size;

    GgufValueType(int id, int size) {
        this.id = id;
        this.size = size;
    }

    /** The id stored in the file. */
    public int id() { return id; }

    /** Bytes per value, or {@code -1} for {@link #STRING} and {@link #ARRAY}. */
    public int fixedSize() { return size; }

    /**
     * The fewest bytes a value of this type can take in a file: a string is at least its 8-byte
     * length, an array at least its element type and 8-byte count. Bounds every count in a file.
     */
    int minEncodedSize() {
        return switch (this) {
            case STRING -> 8;
            case ARRAY -> 12;
            default -> size;
        };
    }

    /** One of the eight integer types. */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** {@link #FLOAT32} or {@link #FLOAT64}. */
    public boolean isFloat() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /** The type with this id, or empty when GGUF defines none. */
    public static Optional<GgufValueType> fromId(long id) {
        if (id < 0 || id >= BY_ID.length) return Optional.empty();
        return Optional.of(BY_ID[(int) id]);
    }
}
