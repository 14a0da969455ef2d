package dev.squall.format;

import java.util.Optional;

/**
 * Every tensor type id a GGUF file may carry, with ggml's block layout ({@code ggml_type_traits}).
 *
 * <p>Knowing the layout of a type is enough to check a file's tensor extents; decoding it needs a
 * {@link WeightFormat}, which exists only for the types Squall computes with
 * ({@link WeightFormats#forType}).
 *
 * <p><b>Squall's own types</b> start at {@value #SQUALL_FIRST_ID}, far above ggml's
 * {@code GGML_TYPE_COUNT} (43 in llama.cpp 3.21.1's ggml), for formats ggml has no type for:
 * MXFP8 (E4M3, E5M2) and FP8 with one FP32 scale per row (E4M3, E5M2). llama.cpp refuses such a
 * file when it reads the tensor table ("tensor '…' has invalid ggml type 16384. should be in [0,
 * 43)") rather than misreading it. The FP8 rows carry their scale in a 4-byte header:
 * {@link #rowHeaderBytes()}.
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q4_1(3, 32, 20),
    Q5_0(6, 32, 22),
    Q5_1(7, 32, 24),
    Q8_0(8, 32, 34),
    Q8_1(9, 32, 36),
    Q2_K(10, 256, 84),
    Q3_K(11, 256, 110),
    Q4_K(12, 256, 144),
    Q5_K(13, 256, 176),
    Q6_K(14, 256, 210),
    Q8_K(15, 256, 292),
    IQ2_XXS(16, 256, 66),
    IQ2_XS(17, 256, 74),
    IQ3_XXS(18, 256, 98),
    IQ1_S(19, 256, 50),
    IQ4_NL(20, 32, 18),
    IQ3_S(21, 256, 110),
    IQ2_S(22, 256, 82),
    IQ4_XS(23, 256, 136),
    I8(24, 1, 1),
    I16(25, 1, 2),
    I32(26, 1, 4),
    I64(27, 1, 8),
    F64(28, 1, 8),
    IQ1_M(29, 256, 56),
    BF16(30, 1, 2),
    TQ1_0(34, 256, 54),
    TQ2_0(35, 256, 66),
    MXFP4(39, 32, 17),
    NVFP4(40, 64, 36),
    Q1_0(41, 128, 18),
    Q2_0(42, 64, 18),
    /** Squall: OCP MXFP8 with E4M3 elements, {@code {uint8 e8m0; uint8 q[32]}} ({@link MXFP8}). */
    MXFP8_E4M3(16384, 32, 33),
    /** Squall: OCP MXFP8 with E5M2 elements ({@link MXFP8}). */
    MXFP8_E5M2(16385, 32, 33),
    /** Squall: E4M3 with an FP32 scale per row, {@code {float32 scale; uint8 q[n]}} ({@link FP8}). */
    FP8_E4M3(16386, 1, 1, 4),
    /** Squall: E5M2 with an FP32 scale per row ({@link FP8}). */
    FP8_E5M2(16387, 1, 1, 4);

    /** The first of Squall's own type ids (0x4000). */
    public static final int SQUALL_FIRST_ID = 16384;

    private static final java.util.Map<Long, GgmlType> BY_ID = new java.util.HashMap<>();
    static {
        for (GgmlType t : values()) BY_ID.put((long) t.id, t);
    }

    private final int id;
    private final int blockElements;
    private final int blockBytes;
    private final int rowHeaderBytes;

    GgmlType(int id, int blockElements, int blockBytes) {
        this(id, blockElements, blockBytes, 0);
    }

    GgmlType(int id, int blockElements, int blockBytes, int rowHeaderBytes) {
        this.id = id;
        this.blockElements = blockElements;
        this.blockBytes = blockBytes;
        this.rowHeaderBytes = rowHeaderBytes;
    }

    /** The numeric id stored in GGUF tensor infos. */
    public int id() { return id; }

    public int blockElements() { return blockElements; }

    public int blockBytes() { return blockBytes; }

    /** Bytes at the start of every row before its blocks: 4 for the per-row FP32 scale of FP8, else 0. */
    public int rowHeaderBytes() { return rowHeaderBytes; }

    /** Bytes of a row of {@code elements} elements (a whole number of blocks): header plus blocks. */
    public long rowBytes(long elements) {
        return rowHeaderBytes + elements / blockElements * blockBytes;
    }

    /** Whether ggml (and so llama.cpp) defines this type; false for Squall's own ids. */
    public boolean definedByGgml() { return id < SQUALL_FIRST_ID; }

    /** The type with this id, or empty when neither ggml nor Squall defines one (removed ids included). */
    public static Optional<GgmlType> fromId(long id) {
        return Optional.ofNullable(BY_ID.get(id));
    }
}
