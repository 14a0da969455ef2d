package dev.squall.model;

import dev.squall.backend.Backend;
import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
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

    private Model(GgufFile file) {
        this.file = file;
        String source = file.path().toString();
        this.family = ModelFamily.of(file.metadata().getString("general.architecture"), source);
        Weights weights = weights(file);
        WeightTensor embedding = weights.require(ModelFamily.TOKEN_EMBEDDING);
        Optional<float[]> ropeFreqs = weights.find(ModelFamily.ROPE_FREQS).map(Model::vector);
        this.config = ModelConfigs.read(file.metadata(), family, embedding.rows(), ropeFreqs);
        this.vocabulary = VocabularyKeys.read(file.metadata());
        if (vocabulary.size() > config.vocabSize()) {
            throw new IllegalArgumentException(source + ": tokenizer.ggml.tokens has " + vocabulary.size()
                    + " tokens but " + ModelFamily.TOKEN_EMBEDDING + " has only " + config.vocabSize() + " rows");
        }
        this.tokenizer = Tokenizers.create(vocabulary);
        this.graph = TransformerGraph.build(config, family, weights);
    }

    /** Opens and checks a GGUF model; {@code progress} sees the bytes of weights paged in so far. */
    public static Model open(Path path, LongConsumer progress) {
        GgufFile file = GgufFile.open(path);
        try {
            Model m = new Model(file);
            if (progress != null) m.pageIn(progress);
            return m;
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    public static Model open(Path path) { return open(path, null); }

    /** Reads every weight once so that the first tokens do not wait on the disk. */
    private void pageIn(LongConsumer progress) {
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

    /** The weight formats of the model's matrices, e.g. "Q4_K ×  97, Q6_K × 13". */
    public String formatSummary() {
        return file.tensors().stream().filter(t -> t.dims().length >= 2)
                .collect(Collectors.groupingBy(t -> t.type().name(), java.util.TreeMap::new, Collectors.counting()))
                .entrySet().stream().map(e -> e.getKey() + " × " + e.getValue()).collect(Collectors.joining(", "));
    }

    @Override public void close() { file.close(); }

    /** The weights of a GGUF file, each in its Squall format; an unsupported type is an error naming the tensor. */
    static Weights weights(GgufFile file) {
        String source = file.path().toString();
        return new Weights() {
            @Override public Optional<WeightTensor> find(String name) {
                return file.tensor(name).map(info -> {
                    WeightFormat f = WeightFormats.forType(info.type()).orElseThrow(() -> new IllegalArgumentException(source
                            + ": tensor '" + name + "' has type " + info.type() + ", which Squall does not compute with (supported: "
                            + WeightFormats.all().stream().map(WeightFormat::name).collect(Collectors.joining(", ")) + ")"));
                    return new WeightTensor(name, f, info.dims(), file.data(info));
                });
            }

            @Override public String source() { return source; }
        };
    }

    private static float[] vector(WeightTensor t) {
        float[] v = new float[t.columns() * t.rows()];
        t.format().decode(t.data(), 0, v, 0, v.length);
        return v;
    }
}
