package dev.squall.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.format.WeightFormats;
import dev.squall.model.synthetic.SampleModels;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherTest {

    @TempDir static Path dir;
    private static String model;

    @BeforeAll
    static void writeModel() {
        model = SampleModels.write("micro", WeightFormats.Q8_0, dir, null).toString();
    }

    @Test
    void generateStreamsTextAndReportsSpeeds() {
        Launcher r = Launcher.run("generate", "-m", model, "-p", "Hello", "-n", "16", "--seed", "1", "-t", "2");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("Hello"), "the prompt is echoed: " + r.out());
        assertTrue(r.out().length() > "Hello\n".length(), "text was generated: " + r.out());
        assertTrue(r.err().matches("(?s).*prefill \\d+ tokens, [0-9.]+ tokens/s \\| decode 15 tokens, [0-9.]+ tokens/s \\| stop: token budget.*"), r.err());
    }

    @Test
    void theSameSeedGivesTheSameText() {
        String[] args = {"generate", "-m", model, "-p", "Once upon a time", "-n", "32", "--seed", "7", "--temp", "1.2"};
        assertEquals(Launcher.run(args).out(), Launcher.run(args).out());
    }

    @Test
    void outOfRangeFlagsAreNamed() {
        assertError("--top-p 1.5 is out of range ((0, 1])", "--top-p", "1.5");
        assertError("--threads 0 is out of range (1 to 1024)", "-t", "0");
        assertError("--n-predict -2 is out of range (-1 = until the context is full, or a count ≥ 0)", "-n", "-2");
        assertError("--batch-size 0 is out of range (a positive count)", "-b", "0");
        assertError("--device cuda:7: no such device; present: java; tornado: the TornadoVM backend is not installed (see ./setup-tornado.sh)",
                "--device", "cuda:7");
    }

    private static void assertError(String message, String... flags) {
        String[] full = Stream.concat(Stream.of("generate", "-m", model, "-p", "Hi"), Arrays.stream(flags)).toArray(String[]::new);
        Launcher r = Launcher.run(full);
        assertEquals(1, r.exitCode(), r.err());
        assertEquals("squall generate: error: " + message, r.err().strip().lines().reduce((a, b) -> b).orElse(""));
    }

    @Test
    void anUnknownFlagIsAUsageErrorWithExitStatus2() {
        Launcher r = Launcher.run("generate", "-m", model, "-p", "Hi", "--frobnicate");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("squall generate: Unknown option: '--frobnicate'"), r.err());
    }

    @Test
    void infoShowsMetadataAndTensors() {
        Launcher r = Launcher.run("info", "-m", model);
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("general.architecture"), r.out());
        assertTrue(r.out().contains("blk.1.ffn_down.weight") && r.out().contains("Q8_0"), r.out());
    }

    @Test
    void tokenizePrintsIds() {
        Launcher r = Launcher.run("tokenize", "-m", model, "-p", "Hello world");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().strip().matches("\\[1( \\d+)+\\]"), "BOS then the pieces: " + r.out());
    }
}
