package dev.squall.model;

import dev.squall.backend.Backend;
import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.format.GgmlType;
import dev.squall.format.LittleEndian;
import dev.squall.format.NVFP4;
import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.gguf.GgufFile;
import dev.squall.gguf.GgufTensorInfo;
import dev.squall.graph.ModelGraph;
import dev.squall.tensor.WeightTensor;
import dev.squall.tokenizer.ChatTemplate;
import dev.squall.tokenizer.Tokenizer;
import dev.squall.tokenizer.Tokenizers;
import dev.squall.tokenizer.Vocabulary;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;

/**
 * A GGUF model opened for inference: its config, tokenizer, chat template and backend-neutral
 * graph. Weights stay in the memory-mapped file; {@link #compile} places the graph on a backend.
 */
public final class Model implements AutoCloseable {

    private final GgufFile file;
    private final ModelFamily family;
    private final ModelConfig config;
    private final Vocabulary vocabulary;
    private final Tokenizer tokenizer;
    private final ModelGraph graph;
    private final WeightConversion conversion;

    private Model(GgufFile file, WeightConversion conversion) {
        this.file = file;
        this.conversion = conversion;
        String source = file.path().toString();
        this.family = ModelFamily.of(file.metadata().getString("general.architecture"), source);
        Weights weights = conversion == null ? weights(file) : conversion.apply(weights(file));
        WeightTensor embedding = weights.require(ModelFamily.TOKEN_EMBEDDING);
        Optional<float[]> ropeFreqs = weights.find(ModelFamily.ROPE_FREQS).map(Model::vector);
        this.config = ModelConfigs.read(file.metadata(), family, embedding.rows(), ropeFreqs);
        this.vocabulary = named(source, () -> VocabularyKeys.read(file.metadata()));
        if (vocabulary.size() > config.vocabSize()) {
            throw new IllegalArgumentException(source + ": tokenizer.ggml.tokens has " + vocabulary.size()
                    + " tokens but " + ModelFamily.TOKEN_EMBEDDING + " has only " + config.vocabSize() + " rows");
        }
        this.tokenizer = named(source, () -> Tokenizers.create(vocabulary));
        this.graph = TransformerGraph.build(config, family, weights);
    }

    /** {@code part()}, its errors prefixed with the file they came from (the vocabulary's own checks do not know it). */
    private static <T> T named(String source, java.util.function.Supplier<T> part) {
        try {
            return part.get();
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(source)) throw e;
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    /** Opens and checks a GGUF model; {@code progress} sees the bytes of weights paged in so far. */
    public static Model open(Path path, LongConsumer progress) {
        return open(path, progress, null);
    }

    /**
     * Opens a GGUF model whose weights pass through {@code conversion} (null: none), which the
     * model closes with itself (also when opening fails). With a conversion the file is paged in
     * first (the conversion reads it all), without one after the model is checked.
     */
    public static Model open(Path path, LongConsumer progress, WeightConversion conversion) {
        GgufFile file;
        try {
            file = GgufFile.open(path);
        } catch (RuntimeException e) {
            if (conversion != null) conversion.close();
            throw e;
        }
        try {
            if (progress != null && conversion != null) pageIn(file, progress);
            Model m = new Model(file, conversion);
            if (progress != null && conversion == null) pageIn(file, progress);
            return m;
        } catch (RuntimeException e) {
            if (conversion != null) conversion.close();
            file.close();
            throw e;
        }
    }

    public static Model open(Path path) { return open(path, null); }

    /**
     * A model over an already checked GGUF file (e.g. {@link GgufFile#read} of bytes in memory),
     * which the model closes with itself, also when the file is not a model Squall can run.
     */
    public static Model of(GgufFile file) {
        try {
            return new Model(file, null);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Reads every weight once so that the first tokens do not wait on the disk. */
    private static void pageIn(GgufFile file, LongConsumer progress) {
        long done = 0;
        for (GgufTensorInfo t : file.tensors()) {
            file.data(t).load();
            done += t.byteSize();
            progress.accept(done);
        }
    }

    /** Total bytes of tensor data. */
    public long weightBytes() {
        return file.tensors().stream().mapToLong(GgufTensorInfo::byteSize).sum();
    }

    public Plan compile(Backend backend, PlanOptions options) { return backend.compile(graph, options); }

    public ModelConfig config() { return config; }

    public ModelFamily family() { return family; }

    public Tokenizer tokenizer() { return tokenizer; }

    public Vocabulary vocabulary() { return vocabulary; }

    public ChatTemplate chatTemplate() { return ChatTemplate.forVocabulary(vocabulary); }

    public ModelGraph graph() { return graph; }

    public GgufFile file() { return file; }

    /**
     * Bytes of the named tensor as the model computes with it: the file's, or the converted
     * tensor's when a {@link WeightConversion} replaced it.
     */
    public long tensorBytes(GgufTensorInfo t) {
        long converted = conversion == null ? -1 : conversion.byteSize(t.name());
        return converted >= 0 ? converted : t.byteSize();
    }

    /** The weight formats of the model's matrices, e.g. "Q4_K ×  97, Q6_K × 13" (after any conversion). */
    public String formatSummary() {
        if (conversion != null) return conversion.formatSummary();
        return file.tensors().stream().filter(t -> t.dims().length >= 2)
                .collect(Collectors.groupingBy(t -> t.type().name(), java.util.TreeMap::new, Collectors.counting()))
                .entrySet().stream().map(e -> e.getKey() + " × " + e.getValue()).collect(Collectors.joining(", "));
    }

    @Override public void close() {
        try {
            file.close();
        } finally {
            if (conversion != null) conversion.close();
        }
    }

    /**
     * The weights of a GGUF file, each in its Squall format; an unsupported type is an error naming
     * the tensor. An NVFP4 tensor {@code X.weight} takes its per-tensor scale from the F32 tensor
     * {@code X.scale} when the file has one, as llama.cpp does ({@link NVFP4}); such a scale beside
     * a weight of any other format is refused, since Squall would not apply it.
     */
    static Weights weights(GgufFile file) {
        String source = file.path().toString();
        return new Weights() {
            @Override public Optional<WeightTensor> find(String name) {
                return file.tensor(name).map(info -> {
                    WeightFormat f = WeightFormats.forType(info.type()).orElseThrow(() -> new IllegalArgumentException(source
                            + ": tensor '" + name + "' has type " + info.type() + ", which Squall does not compute with (supported: "
                            + WeightFormats.all().stream().map(WeightFormat::name).collect(Collectors.joining(", ")) + ")"));
                    return new WeightTensor(name, withTensorScale(file, name, f), info.dims(), file.data(info));
                });
            }

            @Override public String source() { return source; }
        };
    }

    private static WeightFormat withTensorScale(GgufFile file, String name, WeightFormat f) {
        if (!name.endsWith(".weight")) return f;
        String scaleName = name.substring(0, name.length() - ".weight".length()) + NVFP4.SCALE_SUFFIX;
        Optional<GgufTensorInfo> scale = file.tensor(scaleName);
        if (scale.isEmpty()) return f;
        String where = file.path() + ": tensor '" + scaleName + "'";
        if (!(f instanceof NVFP4)) {
            throw new IllegalArgumentException(where + " scales '" + name + "' (" + f.name()
                    + "); Squall applies a per-tensor scale only to NVFP4 weights");
        }
        GgufTensorInfo s = scale.get();
        if (s.type() != GgmlType.F32 || s.elementCount() != 1) {
            throw new IllegalArgumentException(where + ": an NVFP4 tensor scale must be one F32 value, found " + s.type() + " "
                    + java.util.Arrays.toString(s.dims()));
        }
        float value = file.data(s).get(LittleEndian.FLOAT, 0);
        try {
            return NVFP4.withTensorScale(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static float[] vector(WeightTensor t) {
        float[] v = new float[t.columns() * t.rows()];
        t.format().decode(t.data(), 0, v, 0, v.length);
        return v;
    }
}
