package dev.squall.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.format.WeightFormats;
import dev.squall.model.Model;
import dev.squall.model.synthetic.SampleModels;
import dev.squall.superposed.NgramModel;
import dev.squall.superposed.VocabularyId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code squall ngram} builds the filter from a corpus, and {@code generate --superposed K} prints K numbered drafts with the lossy metrics line. */
class SuperposedCommandTest {

    @TempDir static Path dir;
    private static Path model, corpus;
    private static String lastOut;

    @BeforeAll
    static void write() throws Exception {
        model = SampleModels.write("micro", WeightFormats.Q8_0, dir, null);
        corpus = Files.createDirectories(dir.resolve("corpus"));
        Files.writeString(corpus.resolve("a.txt"), "the quick brown fox jumps over the lazy dog\n".repeat(20));
        Files.writeString(corpus.resolve("b.txt"), "once upon a time there was a quick fox\n".repeat(10));
        Files.writeString(corpus.resolve("held-out.txt"), "never counted\n");
        Files.writeString(dir.resolve("exclude.txt"), "held-out.txt\n");
    }

    private static Path ngram(String name, String... more) {
        Path out = dir.resolve(name);
        List<String> args = new java.util.ArrayList<>(List.of("ngram", "-m", model.toString(), "--corpus", corpus.toString(), "-o", out.toString(),
                "--exclude", dir.resolve("exclude.txt").toString()));
        args.addAll(List.of(more));
        Launcher r = Launcher.run(args.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("wrote " + out), r.out());
        lastOut = r.out();
        return out;
    }

    @Test
    void ngramCountsTheCorpusWithTheModelsTokenizer() throws Exception {
        Path file = ngram("corpus.ngram", "--order", "3");
        assertTrue(lastOut.contains(": 2 documents, ") && lastOut.contains("  order 3: "), lastOut);
        NgramModel m = NgramModel.load(file);
        assertEquals(3, m.order());
        try (Model micro = Model.open(model)) {
            m.requireVocabulary(VocabularyId.of(micro.tokenizer(), "micro"));
            String a = Files.readString(corpus.resolve("a.txt")), b = Files.readString(corpus.resolve("b.txt"));
            long tokens = micro.tokenizer().encode(a, false, false).length + micro.tokenizer().encode(b, false, false).length;
            assertEquals(tokens, m.tokens(), "both documents, not the excluded one");
        }
        NgramModel capped = NgramModel.load(ngram("capped.ngram", "--order", "3", "--max-tokens", "25"));
        assertEquals(25, capped.tokens());
    }

    @Test
    void generateSuperposedPrintsKNumberedDraftsAndSaysItIsLossy() {
        Path file = ngram("filter.ngram", "--order", "3");
        Launcher r = Launcher.run("generate", "-m", model.toString(), "-p", "the quick", "-n", "8", "--superposed", "3", "--ngram", file.toString(), "-t", "2");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("the quick\n"), r.out());
        for (int i = 1; i <= 3; i++) assertTrue(r.out().contains("--- draft " + i + " of 3 (score "), r.out());
        assertTrue(r.err().matches("(?s).*superposed K=3 \\(lossy: approximate drafts, not samples of the model\\): 7 forward calls for 3 × 8 tokens.*n-gram filter.*"), r.err());
    }

    @Test
    void anNgramFileOfAnotherVocabularyIsRefusedNamingBoth() throws Exception {
        Path other = dir.resolve("other.ngram");
        NgramModel.count(List.of(new int[] {1, 2, 3}), 2, new VocabularyId(1024, 42, "other-model.gguf")).save(other);
        Launcher r = Launcher.run("generate", "-m", model.toString(), "-p", "x", "-n", "4", "--superposed", "2", "--ngram", other.toString());
        assertEquals(1, r.exitCode(), r.err());
        String last = r.errLines()[r.errLines().length - 1];
        assertTrue(last.startsWith("squall generate: error: --ngram " + other + ": counted in the vocabulary of other-model.gguf (1024 tokens, fingerprint 000000000000002a)"), last);
        assertTrue(last.contains("not that of the model " + model.getFileName()), last);
        assertEquals("", r.out());
    }
}
