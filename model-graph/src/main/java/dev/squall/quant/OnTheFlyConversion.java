package dev.squall.quant;

import dev.squall.format.WeightFormat;
import dev.squall.model.ModelFamily;
import dev.squall.model.WeightConversion;
import dev.squall.model.Weights;
import dev.squall.tensor.WeightTensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Conversion of a model's matrices as it is opened ({@code --weights TYPE}): each matrix the graph
 * asks for is converted once, by {@link Quantizer} as {@link QuantizeFile} would, into off-heap
 * memory of a shared arena (never the Java heap), freed when the model closes. So a model opened
 * with a conversion computes with the same bytes as the quantized file would give.
 */
public final class OnTheFlyConversion implements WeightConversion {

    private final QuantizeOptions options;
    private final Arena arena = Arena.ofShared();
    private final Map<String, WeightTensor> tensors = new LinkedHashMap<>();
    private long nanos, bytes;
    private int converted;

    public OnTheFlyConversion(QuantizeOptions options) {
        this.options = options;
    }

    @Override public Weights apply(Weights file) {
        boolean tied = file.find(ModelFamily.OUTPUT).isEmpty();
        return new Weights() {
            @Override public Optional<WeightTensor> find(String name) {
                synchronized (OnTheFlyConversion.this) {
                    WeightTensor done = tensors.get(name);
                    if (done != null) return Optional.of(done);
                    Optional<WeightTensor> t = file.find(name).map(w -> convert(w, tied));
                    t.ifPresent(w -> tensors.put(name, w));
                    return t;
                }
            }

            @Override public String source() { return file.source(); }
        };
    }

    private WeightTensor convert(WeightTensor source, boolean tied) {
        if (!Quantizer.converts(source.name(), source.shape(), tied, options)) return source;
        long t0 = System.nanoTime();
        Quantizer.check(source.name(), source.format(), source.shape(), options.target());
        WeightFormat format = Quantizer.formatFor(source, options.target());
        MemorySegment data = arena.allocate(format.rowBytes(source.columns()) * source.rows(), 64);
        Quantizer.encode(source, format, data, null);
        nanos += System.nanoTime() - t0;
        bytes += data.byteSize();
        converted++;
        return new WeightTensor(source.name(), format, source.shape(), data);
    }

    /** Matrices converted so far. */
    public synchronized int converted() { return converted; }

    /** Seconds spent converting. */
    public synchronized double seconds() { return nanos / 1e9; }

    /** Off-heap bytes the converted matrices take. */
    public synchronized long bytes() { return bytes; }

    /** "converted 14 matrices to MXFP4 in 0.41 s (1.1 MiB off-heap)". */
    public synchronized String report() {
        return String.format(Locale.ROOT, "converted %d matrices to %s in %.2f s (%.1f MiB off-heap)",
                converted, options.target().name(), seconds(), bytes / 1048576.0);
    }

    @Override public synchronized String formatSummary() {
        return tensors.values().stream().filter(t -> t.shape().length >= 2)
                .collect(Collectors.groupingBy(t -> t.format().name(), TreeMap::new, Collectors.counting()))
                .entrySet().stream().map(e -> e.getKey() + " × " + e.getValue()).collect(Collectors.joining(", "));
    }

    @Override public synchronized long byteSize(String name) {
        WeightTensor t = tensors.get(name);
        return t == null ? -1 : t.data().byteSize();
    }

    @Override public void close() {
        arena.close();
    }
}
