package dev.squall.validation.tokenizer;

import dev.squall.gguf.GgufMetadata;
import dev.squall.gguf.GgufWriter;
import dev.squall.model.VocabularyKeys;
import dev.squall.tokenizer.Vocabulary;
import java.nio.file.Path;

/**
 * A vocabulary-only GGUF file, as {@code convert_hf_to_gguf.py --vocab-only} writes one: no
 * tensors, {@code general.architecture = llama} and the vocabulary's {@code tokenizer.*} keys.
 * llama.cpp loading with {@code vocab_only} reads nothing else ({@code load_hparams} stops after
 * {@code general.name}), so no hyper-parameter key is needed.
 */
final class VocabGguf {

    private VocabGguf() {}

    static void write(Vocabulary vocabulary, String name, Path file) {
        GgufWriter w = new GgufWriter();
        GgufMetadata.Builder md = w.metadata();
        md.putString("general.architecture", "llama");
        md.putString("general.name", name);
        VocabularyKeys.write(vocabulary, md);
        w.write(file);
    }
}
