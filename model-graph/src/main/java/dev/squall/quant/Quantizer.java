package dev.squall.quant;

import dev.squall.format.GgmlType;
import dev.squall.format.NVFP4;
import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.model.ModelFamily;
import dev.squall.tensor.WeightTensor;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import java.util.stream.IntStream;

/**
 * The conversion of one weight matrix, shared by the quantize command and by conversion at load
 * time: which tensors are converted, from which formats, and the rows themselves.
 *
 * <ul>
 * <li>Converted: every tensor of two or more dimensions (the matrices), except those the
 *     {@link QuantizeOptions} keep; vectors (norms, biases, RoPE factors) stay as stored.</li>
 * <li>Sources: F32, F16, BF16 and Q8_0, decoded exactly to floats and encoded by the target
 *     format's reference encoder. Other quantized sources are refused rather than rounded twice
 *     on a coarse grid.</li>
 * <li>NVFP4: the tensor scale maps the matrix's largest magnitude to 6·448
 *     ({@link NVFP4#tensorScaleFor}), except for {@code token_embd.weight}, which llama.cpp looks up
 *     by row without a scale, so it keeps scale 1 (ggml's encoding).</li>
 * </ul>
 */
public final class Quantizer {

    private Quantizer() {}

    /** The formats a matrix may be converted from. */
    public static final List<WeightFormat> SOURCES = List.of(WeightFormats.F32, WeightFormats.F16, WeightFormats.BF16, WeightFormats.Q8_0);

    /**
     * Whether the tensor {@code name} of shape {@code dims} is converted; {@code tied} says the
     * model has no {@code output.weight}.
     */
    public static boolean converts(String name, long[] dims, boolean tied, QuantizeOptions options) {
        if (dims.length < 2) return false;
        if (name.equals(ModelFamily.TOKEN_EMBEDDING) && (options.keepEmbeddings() || tied && options.keepOutput())) return false;
        return !(name.equals(ModelFamily.OUTPUT) && options.keepOutput());
    }

    /**
     * Refuses a conversion that cannot be done, naming the tensor: a source format that is not in
     * {@link #SOURCES}, or rows that are not a whole number of the target's blocks.
     */
    public static void check(String name, WeightFormat source, long[] dims, WeightFormat target) {
        if (!SOURCES.contains(source)) {
            throw new QuantizationException("tensor '" + name + "' is " + source.name() + ": matrices are converted from F32, F16, BF16 or Q8_0"
                    + " (quantizing " + source.name() + " again would round it twice)");
        }
        if (dims[0] % target.blockElements() != 0) {
            throw new QuantizationException("tensor '" + name + "': its rows of " + dims[0] + " elements are not a multiple of the "
                    + target.name() + " block size " + target.blockElements());
        }
    }

    /**
     * The format {@code source} is converted to: {@code target}, or for NVFP4 the format with this
     * matrix's tensor scale (one pass over the matrix for its largest magnitude).
     */
    public static WeightFormat formatFor(WeightTensor source, WeightFormat target) {
        if (!(target instanceof NVFP4) || source.name().equals(ModelFamily.TOKEN_EMBEDDING)) return target;
        int cols = source.columns();
        float amax = (float) IntStream.range(0, source.rows()).parallel().mapToDouble(r -> {
            float[] row = new float[cols];
            source.format().decode(source.data(), source.rowOffset(r), row, 0, cols);
            float m = 0f;
            for (float v : row) m = Math.max(m, Math.abs(v));
            return m;
        }).max().orElse(0);
        return NVFP4.withTensorScale(NVFP4.tensorScaleFor(amax));
    }

    /**
     * Encodes every row of {@code source} in {@code format} into {@code dst} (its rows back to
     * back), rows in parallel; {@code progress} (may be null) sees the elements done so far.
     */
    public static void encode(WeightTensor source, WeightFormat format, MemorySegment dst, LongConsumer progress) {
        int cols = source.columns(), rows = source.rows();
        long rowBytes = format.rowBytes(cols);
        if (dst.byteSize() != rowBytes * rows) {
            throw new QuantizationException("tensor '" + source.name() + "': " + dst.byteSize() + " bytes given, "
                    + rowBytes * rows + " needed for " + format.name());
        }
        AtomicLong done = new AtomicLong();
        AtomicReference<String> bad = new AtomicReference<>();
        IntStream.range(0, rows).parallel().forEach(r -> {
            float[] row = new float[cols];
            source.format().decode(source.data(), source.rowOffset(r), row, 0, cols);
            for (int i = 0; i < cols; i++) {
                if (!Float.isFinite(row[i])) bad.compareAndSet(null, "row " + r + " element " + i + " is " + row[i]);
            }
            format.encode(row, 0, cols, dst, r * rowBytes);
            if (progress != null) progress.accept(done.addAndGet(cols));
        });
        if (bad.get() != null) {
            throw new QuantizationException("tensor '" + source.name() + "': " + bad.get() + "; only finite weights are quantized");
        }
    }

    /** llama.cpp's {@code general.file_type} for a file whose matrices are mostly {@code f}; Squall's own types give their type id. */
    public static int fileType(WeightFormat f) {
        GgmlType type = GgmlType.fromId(f.ggmlType()).orElseThrow();
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            case Q4_K -> 15;     // LLAMA_FTYPE_MOSTLY_Q4_K_M
            case Q6_K -> 18;
            case BF16 -> 32;
            case MXFP4 -> 38;    // LLAMA_FTYPE_MOSTLY_MXFP4_MOE
            case NVFP4 -> 39;    // LLAMA_FTYPE_MOSTLY_NVFP4
            default -> type.id();
        };
    }
}
