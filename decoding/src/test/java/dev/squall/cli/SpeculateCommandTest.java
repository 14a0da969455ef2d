package dev.squall.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.format.WeightFormats;
import dev.squall.model.synthetic.SampleModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** {@code generate --speculate}: the same text as plain greedy decoding, the metrics line, and its errors. */
class SpeculateCommandTest {

    @TempDir static Path dir;
    private static String model, otherVocabulary;

    @BeforeAll
    static void writeModels() {
        model = SampleModels.write("micro", WeightFormats.F32, dir, null).toString();
        otherVocabulary = SampleModels.write("tiny", WeightFormats.Q4_0, dir, null).toString();
    }

    private static Launcher generate(String... extra) {
        List<String> args = new ArrayList<>(List.of("generate", "-m", model, "-p", "one two one two one", "-n", "40", "--temp", "0", "-t", "1"));
        args.addAll(List.of(extra));
        return Launcher.run(args.toArray(String[]::new));
    }

    @ParameterizedTest
    @ValueSource(strings = {"draft", "swift", "lookahead", "jacobi", "lookup"})
    void printsWhatPlainGreedyPrintsAndTheMetricsLine(String algorithm) {
        Launcher plain = generate();
        Launcher spec = algorithm.equals("draft") ? generate("--speculate", "draft", "--draft", model) : generate("--speculate", algorithm);
        assertEquals(0, spec.exitCode(), spec.err());
        assertEquals(plain.out(), spec.out());
        assertTrue(spec.err().lines().anyMatch(l -> l.matches("speculate " + algorithm + ": tau=[0-9.]+ forwards/token=[0-9.]+ accepted=\\d+/\\d+ drafted")), spec.err());
    }

    /** Untrained heads of {@code kind} for the micro model (each repeats its output head), with made-up accuracies. */
    private static String heads(String kind, String modelFile) {
        Path file = dir.resolve(kind + "-" + Path.of(modelFile).getFileName());
        try (dev.squall.model.Model m = dev.squall.model.Model.open(Path.of(modelFile))) {
            var k = dev.squall.heads.DraftHeads.Kind.of(kind);
            int dim = m.config().embeddingSize(), vocab = m.config().vocabSize();
            var h = dev.squall.heads.DraftHeads.initial(k, 3, dim, vocab, dev.squall.heads.HeadsFile.output(m),
                    k == dev.squall.heads.DraftHeads.Kind.HYDRA ? dev.squall.heads.HeadsFile.embeddings(m) : null);
            float[] acc = new float[3 * dev.squall.heads.HeadTrainer.RANKS];
            for (int i = 0; i < acc.length; i++) acc[i] = (float) Math.pow(0.5, 1 + i % dev.squall.heads.HeadTrainer.RANKS + i / dev.squall.heads.HeadTrainer.RANKS);
            dev.squall.heads.HeadsFile.write(file, h, new dev.squall.heads.HeadsFile.Info(m.config().name(), dev.squall.heads.HeadsFile.fingerprint(m), acc, null, 0, 0, "test"));
        }
        return file.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"medusa", "hydra"})
    void headsPrintWhatPlainGreedyPrintsAndTheMetricsLine(String kind) {
        Launcher plain = generate();
        Launcher spec = generate("--speculate", kind, "--heads", heads(kind, model), "--tree-nodes", "12");
        assertEquals(0, spec.exitCode(), spec.err());
        assertEquals(plain.out(), spec.out());
        assertTrue(spec.err().lines().anyMatch(l -> l.matches("speculate " + kind + ": tau=[0-9.]+ forwards/token=[0-9.]+ accepted=\\d+/\\d+ drafted")), spec.err());
    }

    @Test
    void typicalAcceptanceSaysItIsLossy() {
        Launcher spec = Launcher.run("generate", "-m", model, "-p", "one two one two one", "-n", "40", "--temp", "0.8", "--seed", "3", "-t", "1",
                "--speculate", "medusa", "--heads", heads("medusa", model), "--accept", "typical");
        assertEquals(0, spec.exitCode(), spec.err());
        assertTrue(spec.err().lines().anyMatch(l -> l.startsWith("speculate medusa: tau=") && l.contains("typical acceptance") && l.contains("lossy")), spec.err());
    }

    @Test
    void headsForAnotherModelAreRefused() {
        Launcher r = generate("--speculate", "medusa", "--heads", heads("medusa", otherVocabulary));
        assertEquals(1, r.exitCode(), r.err());
        assertTrue(r.err().contains("these heads were trained for model 'squall-tiny'") && r.err().contains(model), r.err());
    }

    @Test
    void headsOfTheWrongKindAreRefused() {
        Launcher r = generate("--speculate", "hydra", "--heads", heads("medusa", model));
        assertEquals(1, r.exitCode(), r.err());
        assertTrue(r.err().contains("--speculate hydra needs hydra heads") && r.err().contains("holds medusa heads"), r.err());
    }

    private static Launcher chat(String... extra) {
        java.io.InputStream stdin = System.in;
        System.setIn(new java.io.ByteArrayInputStream("one two one two\ntwo one two one\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        try {
            List<String> args = new ArrayList<>(List.of("chat", "-m", model, "-n", "24", "--temp", "0", "-t", "1"));
            args.addAll(List.of(extra));
            return Launcher.run(args.toArray(String[]::new));
        } finally {
            System.setIn(stdin);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"draft", "swift", "lookup"})
    void chatRepliesAreThePlainRepliesTurnAfterTurn(String algorithm) {
        Launcher plain = chat();
        Launcher spec = algorithm.equals("draft") ? chat("--speculate", "draft", "--draft", model) : chat("--speculate", algorithm);
        assertEquals(0, spec.exitCode(), spec.err());
        assertEquals(plain.out(), spec.out());
        assertEquals(2, spec.err().lines().filter(l -> l.startsWith("speculate " + algorithm + ": tau=")).count(), "a metrics line per turn: " + spec.err());
    }

    private static void assertError(String message, String... flags) {
        Launcher r = generate(flags);
        assertEquals(1, r.exitCode(), r.err());
        assertEquals("squall generate: error: " + message, r.err().strip().lines().reduce((a, b) -> b).orElse(""));
    }

    @Test
    void badFlagsAreNamed() {
        assertError("--speculate eagle: unknown algorithm (expected one of draft, swift, lookahead, jacobi, lookup, medusa, hydra)", "--speculate", "eagle");
        assertError("--speculate draft needs a draft model: --draft FILE", "--speculate", "draft");
        assertError("--draft is for --speculate draft, not lookup", "--speculate", "lookup", "--draft", model);
        assertError("--draft needs --speculate draft", "--draft", model);
        assertError("--draft-max 0 is out of range (a positive count)", "--speculate", "lookup", "--draft-max", "0");
        assertError("--draft-p-min 1.5 is out of range [0, 1]", "--speculate", "swift", "--draft-p-min", "1.5");
        assertError("--draft " + dir.resolve("absent.gguf") + ": no such file", "--speculate", "draft", "--draft", dir.resolve("absent.gguf").toString());
    }

    @Test
    void aDraftWithAnotherVocabularyIsRefusedByName() {
        Launcher r = generate("--speculate", "draft", "--draft", otherVocabulary);
        assertEquals(1, r.exitCode(), r.err());
        String last = r.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.contains("--draft " + otherVocabulary) && last.contains("a draft model needs the same vocabulary"), last);
    }
}
