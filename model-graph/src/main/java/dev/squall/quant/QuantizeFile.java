package dev.squall.quant;

import dev.squall.format.GgmlType;
import dev.squall.format.NVFP4;
import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.gguf.GgufFile;
import dev.squall.gguf.GgufTensorInfo;
import dev.squall.gguf.GgufWriter;
import dev.squall.model.ModelFamily;
import dev.squall.tensor.WeightTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Writes a quantized copy of a GGUF model: the same metadata and tensors in the same order, each
 * matrix that {@link Quantizer#converts} in the target format, everything else byte for byte.
 *
 * <p>Metadata: {@code general.file_type} becomes the target's llama.cpp file type
 * ({@link Quantizer#fileType}); {@value #KEY} records what was done, e.g. "MXFP4 (GGUF type 39)
 * from F32: 14 matrices converted; kept as stored: token_embd.weight (F32); vectors as stored".
 * NVFP4 matrices other than the embedding table get their tensor scale as {@code <name>.scale}, an
 * F32 tensor of one element written right after them, where llama.cpp looks for it.
 *
 * <p>Every problem is found before the output file is created: an unsupported source format or a
 * row length that is not a whole number of blocks names the tensor ({@link Quantizer#check}).
 */
public final class QuantizeFile {

    /** The metadata key that says how the file was quantized. */
    public static final String KEY = "squall.quantization";

    private final GgufFile input;
    private final QuantizeOptions options;
    private final List<GgufTensorInfo> converted = new ArrayList<>();
    private final List<GgufTensorInfo> keptMatrices = new ArrayList<>();
    private final TreeSet<String> sources = new TreeSet<>();

    /** What a write did. */
    public record Summary(int matricesConverted, int matricesKept, int vectors, long bytesIn, long bytesOut, double seconds,
                          String description) {}

    /**
     * Plans the quantization of {@code input} and checks it.
     *
     * @throws IllegalArgumentException naming the tensor when one cannot be converted
     */
    public QuantizeFile(GgufFile input, QuantizeOptions options) {
        this.input = input;
        this.options = options;
        boolean tied = input.tensor(ModelFamily.OUTPUT).isEmpty();
        for (GgufTensorInfo t : input.tensors()) {
            if (Quantizer.converts(t.name(), t.dims(), tied, options)) {
                WeightFormat source = WeightFormats.forType(t.type()).orElseThrow(() -> new QuantizationException(
                        "tensor '" + t.name() + "' is " + t.type() + ": matrices are converted from F32, F16, BF16 or Q8_0"));
                Quantizer.check(t.name(), source, t.dims(), options.target());
                converted.add(t);
                sources.add(source.name());
            } else if (t.dims().length >= 2) {
                keptMatrices.add(t);
            }
        }
        if (converted.isEmpty()) throw new IllegalArgumentException(input.path() + ": no matrix to convert");
    }

    /** Elements of all the matrices to convert: what the progress of {@link #write} counts up to. */
    public long totalElements() {
        return converted.stream().mapToLong(GgufTensorInfo::elementCount).sum();
    }

    /** Writes the quantized file; {@code progress} (may be null) sees the elements converted so far. */
    public Summary write(Path output, LongConsumer progress) {
        long t0 = System.nanoTime();
        WeightFormat target = options.target();
        String description = description();
        GgufWriter w = new GgufWriter();
        w.metadata().putAll(input.metadata());
        w.metadata().putUint32("general.file_type", Quantizer.fileType(target));
        w.metadata().putString(KEY, description);
        AtomicLong before = new AtomicLong();
        long bytesOut = 0;
        int vectors = 0;
        for (GgufTensorInfo t : input.tensors()) {
            if (!converted.contains(t)) {
                if (t.dims().length < 2) vectors++;
                w.addTensor(t.name(), t.type(), t.dims(), input.data(t));
                bytesOut += t.byteSize();
                continue;
            }
            WeightTensor source = new WeightTensor(t.name(), WeightFormats.forType(t.type()).orElseThrow(), t.dims(), input.data(t));
            WeightFormat format = Quantizer.formatFor(source, target);
            GgmlType type = GgmlType.fromId(format.ggmlType()).orElseThrow();
            long done = before.get();
            w.addTensor(t.name(), type, t.dims(), slice -> Quantizer.encode(source, format, slice,
                    progress == null ? null : n -> progress.accept(done + n)));
            before.addAndGet(t.elementCount());
            bytesOut += GgufTensorInfo.byteSizeOf(type, t.dims());
            if (format instanceof NVFP4 nv && !t.name().equals(ModelFamily.TOKEN_EMBEDDING) && t.name().endsWith(".weight")) {
                String scaleName = t.name().substring(0, t.name().length() - ".weight".length()) + NVFP4.SCALE_SUFFIX;
                float[] scale = {nv.tensorScale()};
                w.addTensor(scaleName, GgmlType.F32, new long[] {1}, seg -> WeightFormats.F32.encode(scale, 0, 1, seg, 0));
                bytesOut += 4;
            }
        }
        w.write(output);
        long bytesIn = input.tensors().stream().mapToLong(GgufTensorInfo::byteSize).sum();
        return new Summary(converted.size(), keptMatrices.size(), vectors, bytesIn, bytesOut, (System.nanoTime() - t0) / 1e9, description);
    }

    /** The value of {@value #KEY}. */
    public String description() {
        WeightFormat target = options.target();
        String kept = keptMatrices.isEmpty() ? "none"
                : String.join(", ", keptMatrices.stream().map(t -> t.name() + " (" + t.type() + ")").toList());
        return String.format(Locale.ROOT, "%s (GGUF type %d) from %s: %d matrices converted by Squall; kept as stored: %s; vectors as stored",
                target.name(), target.ggmlType(), String.join("/", sources), converted.size(), kept);
    }
}
