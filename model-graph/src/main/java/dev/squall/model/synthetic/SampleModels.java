package dev.squall.model.synthetic;

import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.model.ModelFamily;
import dev.squall.tokenizer.SampleVocabulary;
import dev.squall.tokenizer.Vocabulary;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The project's sample models (micro is for tests and quick checks): Llama-architecture GGUFs with seeded random weights and a generated
 * 32,000-token SentencePiece vocabulary, so every machine can run Squall without a download.
 *
 * <table>
 *   <caption>Sample models</caption>
 *   <tr><th>name</th><th>dim</th><th>layers</th><th>heads</th><th>FFN</th><th>vocab</th><th>output</th><th>parameters</th></tr>
 *   <tr><td>micro</td><td>64</td><td>2</td><td>4 (2 KV)</td><td>160</td><td>1024</td><td>separate</td><td>~0.2M</td></tr>
 *   <tr><td>tiny</td><td>288</td><td>6</td><td>6</td><td>768</td><td>32000</td><td>tied</td><td>~15M</td></tr>
 *   <tr><td>134m</td><td>768</td><td>12</td><td>12</td><td>2048</td><td>32000</td><td>separate</td><td>~134M</td></tr>
 * </table>
 */
public final class SampleModels {

    private SampleModels() {}

    public static final long SEED = 20261126L;

    /** The formats sample models are written in. */
    public static final List<WeightFormat> FORMATS = List.of(WeightFormats.F32, WeightFormats.F16, WeightFormats.Q8_0, WeightFormats.Q4_0);

    public static final List<String> NAMES = List.of("micro", "tiny", "134m");

    private static final java.util.Map<Integer, Vocabulary> VOCABULARIES = new java.util.concurrent.ConcurrentHashMap<>();

    private static Vocabulary vocabulary(int size) {
        return VOCABULARIES.computeIfAbsent(size, n -> SampleVocabulary.generate(n, SEED));
    }

    /** The spec of a sample model by name (tiny, 134m), in a given format. */
    public static ModelSpec spec(String name, WeightFormat format) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "micro" -> new ModelSpec("squall-micro", ModelFamily.LLAMA, 64, 2, 4, 2, 16, 160, vocabulary(1024), false,
                    10000f, null, 512, format, SEED);
            case "tiny" -> new ModelSpec("squall-tiny", ModelFamily.LLAMA, 288, 6, 6, 6, 48, 768, vocabulary(32000), true,
                    10000f, null, 2048, format, SEED);
            case "134m" -> new ModelSpec("squall-134m", ModelFamily.LLAMA, 768, 12, 12, 12, 64, 2048, vocabulary(32000), false,
                    10000f, null, 2048, format, SEED);
            default -> throw new IllegalArgumentException("no sample model '" + name + "' (choose from " + String.join(", ", NAMES) + ")");
        };
    }

    /** The conventional file name: {@code squall-tiny-q8_0.gguf}. */
    public static String fileName(String name, WeightFormat format) {
        return "squall-" + name.toLowerCase(Locale.ROOT) + "-" + format.name().toLowerCase(Locale.ROOT) + ".gguf";
    }

    /**
     * The tensor alignment of a sample file: 64 bytes, a cache line, except for micro. A 512-bit
     * load of F32 rows that start 32 bytes into a cache line splits every load in two, which cost
     * F32 matrix-vector products a fifth of their speed on AVX-512 (28.4 against 22.6 GB/s, one
     * thread, 32000 × 768). Micro fits in the caches, and it keeps GGUF's default of 32 because
     * the fuzz regressions are byte offsets into it.
     */
    static int alignment(String name) {
        return name.equalsIgnoreCase("micro") ? 32 : 64;
    }

    public static Path write(String name, WeightFormat format, Path dir, java.util.function.LongConsumer progress) {
        Path path = dir.resolve(fileName(name, format));
        SyntheticModel.write(spec(name, format), path, progress, alignment(name));
        return path;
    }
}
