package dev.squall.bench.study;

import dev.squall.format.LittleEndian;
import dev.squall.format.MinifloatCodec;
import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.gguf.GgufFile;
import dev.squall.gguf.GgufTensorInfo;
import dev.squall.model.WeightConversion;
import dev.squall.model.Weights;
import dev.squall.quant.Quantizer;
import dev.squall.tensor.WeightTensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * A model's matrices as F32 copies in off-heap memory that a codec's quantize→dequantize round trip
 * overwrites ({@link #apply}), so the model runs on exactly the values the format would give
 * ("fake quantization"), with the F32 kernels. The copies are allocated once for the whole study.
 */
final class FakeQuantization implements AutoCloseable {

    private final Arena arena = Arena.ofShared();
    private final List<WeightTensor> sources = new ArrayList<>();
    private final Map<String, WeightTensor> copies = new LinkedHashMap<>();
    private final long elements;

    /** The weight NMSE of one round trip over all matrices: Σ(w - q)² / Σw². */
    record Error(double squaredError, double energy) {
        double nmse() { return squaredError / energy; }
    }

    FakeQuantization(GgufFile file) {
        long n = 0;
        for (GgufTensorInfo t : file.tensors()) {
            if (t.dims().length < 2) continue;
            WeightFormat f = WeightFormats.forType(t.type()).filter(Quantizer.SOURCES::contains).orElseThrow(() -> new IllegalArgumentException(
                    "tensor '" + t.name() + "' is " + t.type() + ": the study starts from F32, F16, BF16 or Q8_0 weights"));
            WeightTensor source = new WeightTensor(t.name(), f, t.dims(), file.data(t));
            sources.add(source);
            MemorySegment copy = arena.allocate(WeightFormats.F32.rowBytes(source.columns()) * source.rows(), 64);
            copies.put(t.name(), new WeightTensor(t.name(), WeightFormats.F32, t.dims(), copy));
            n += t.elementCount();
        }
        this.elements = n;
    }

    /** Elements of all matrices. */
    long elements() { return elements; }

    /** The first matrix whose rows are not whole blocks of {@code block}, if any (1 and per row fit every matrix). */
    Optional<WeightTensor> misfit(int block) {
        return sources.stream().filter(s -> block > 1 && s.columns() % block != 0).findFirst();
    }

    /** The source matrices, as stored. */
    List<WeightTensor> sources() { return sources; }

    /** Overwrites every copy with {@code codec}'s round trip of its source; returns the error. */
    Error apply(MinifloatCodec codec) {
        double se = 0, energy = 0;
        for (WeightTensor s : sources) {
            MemorySegment dst = copies.get(s.name()).data();
            int cols = s.columns();
            double[] sums = IntStream.range(0, s.rows()).parallel().mapToObj(r -> {
                float[] row = new float[cols], q = new float[cols];
                s.format().decode(s.data(), s.rowOffset(r), row, 0, cols);
                codec.roundTrip(row, 0, cols, q, 0);
                MemorySegment.copy(q, 0, dst, LittleEndian.FLOAT, (long) r * cols * Float.BYTES, cols);
                double e = 0, w = 0;
                for (int i = 0; i < cols; i++) {
                    double d = (double) q[i] - row[i];
                    e += d * d;
                    w += (double) row[i] * row[i];
                }
                return new double[] {e, w};
            }).reduce(new double[2], (a, b) -> new double[] {a[0] + b[0], a[1] + b[1]});
            se += sums[0];
            energy += sums[1];
        }
        return new Error(se, energy);
    }

    /** The error of storing every matrix in {@code target} (as {@link Quantizer} would, tensor scales included). */
    Error errorOf(WeightFormat target) {
        double se = 0, energy = 0;
        for (WeightTensor s : sources) {
            WeightFormat f = Quantizer.formatFor(s, target);
            int cols = s.columns();
            double[] sums = IntStream.range(0, s.rows()).parallel().mapToObj(r -> {
                float[] row = new float[cols], q = new float[cols];
                s.format().decode(s.data(), s.rowOffset(r), row, 0, cols);
                MemorySegment enc = MemorySegment.ofArray(new byte[(int) f.rowBytes(cols)]);
                f.encode(row, 0, cols, enc, 0);
                f.decode(enc, 0, q, 0, cols);
                double e = 0, w = 0;
                for (int i = 0; i < cols; i++) {
                    double d = (double) q[i] - row[i];
                    e += d * d;
                    w += (double) row[i] * row[i];
                }
                return new double[] {e, w};
            }).reduce(new double[2], (a, b) -> new double[] {a[0] + b[0], a[1] + b[1]});
            se += sums[0];
            energy += sums[1];
        }
        return new Error(se, energy);
    }

    /** The conversion that hands the model the copies (as they are now) in place of its matrices; closing it keeps them. */
    WeightConversion conversion(String label) {
        return new WeightConversion() {
            @Override public Weights apply(Weights file) {
                return new Weights() {
                    @Override public Optional<WeightTensor> find(String name) {
                        WeightTensor c = copies.get(name);
                        return c != null ? Optional.of(c) : file.find(name);
                    }

                    @Override public String source() { return file.source(); }
                };
            }

            @Override public String formatSummary() { return "F32 × " + copies.size() + " (" + label + ")"; }

            @Override public long byteSize(String name) { return -1; }

            @Override public void close() {}
        };
    }

    @Override public void close() { arena.close(); }
}
