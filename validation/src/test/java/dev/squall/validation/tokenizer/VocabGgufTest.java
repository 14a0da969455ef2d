package dev.squall.validation.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.squall.gguf.GgufFile;
import dev.squall.model.VocabularyKeys;
import dev.squall.tokenizer.Vocabulary;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocabGgufTest {

    @TempDir Path dir;

    private static Vocabulary converted(String folder) throws URISyntaxException {
        return HfVocabularyConverter.convert(HfTokenizerFiles.read(Path.of(VocabGgufTest.class.getResource(folder).toURI())));
    }

    @Test
    void aVocabOnlyFileReadsBackAsTheSameVocabulary() throws Exception {
        for (String folder : new String[] {"bytelevel", "sentencepiece"}) {
            Vocabulary v = converted(folder);
            Path file = dir.resolve(folder + ".gguf");
            VocabGguf.write(v, folder, file);
            try (GgufFile f = GgufFile.open(file)) {
                assertEquals(v, VocabularyKeys.read(f.metadata()), folder);
                assertEquals("llama", f.metadata().getString("general.architecture"));
                assertEquals(0, f.tensors().size());
            }
        }
    }
}
