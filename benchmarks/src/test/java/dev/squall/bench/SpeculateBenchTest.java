package dev.squall.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.squall.cli.Squall;
import dev.squall.format.WeightFormats;
import dev.squall.model.synthetic.SampleModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bench --speculate}: its prompt file, its flags, and one real run on a micro model. */
class SpeculateBenchTest {

    @TempDir static Path dir;
    private static String model;

    @BeforeAll
    static void writeModel() {
        model = SampleModels.write("micro", WeightFormats.F32, dir, null).toString();
    }

    record Result(int code, String out, String err) {}

    private static Result bench(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Squall.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void promptsAreLinesOrJsonTextFields() throws Exception {
        Path plain = Files.writeString(dir.resolve("p.txt"), "first prompt\n\nsecond prompt\nthird\n");
        assertEquals(List.of("first prompt", "second prompt"), SpeculateBench.prompts(plain, 2));
        Path jsonl = Files.writeString(dir.resolve("p.jsonl"), "{\"id\": 0, \"text\": \"a\\nb\"}\n{\"text\": \"c\"}\n");
        assertEquals(List.of("a\nb", "c"), SpeculateBench.prompts(jsonl, 10));
    }

    @Test
    void aBadPromptFileNamesTheFileAndLine() throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.jsonl"), "{\"text\": \"ok\"}\n{\"text\": 3}\n");
        var e = assertThrows(IllegalArgumentException.class, () -> SpeculateBench.prompts(broken, 10));
        assertEquals("--prompts " + broken + " line 2: a JSON line needs a \"text\" string", e.getMessage());
        Path invalid = Files.writeString(dir.resolve("invalid.jsonl"), "{\"text\": \n");
        e = assertThrows(IllegalArgumentException.class, () -> SpeculateBench.prompts(invalid, 10));
        assertTrue(e.getMessage().startsWith("--prompts " + invalid + " line 1: not valid JSON"), e.getMessage());
        Path empty = Files.writeString(dir.resolve("empty.txt"), "\n  \n");
        e = assertThrows(IllegalArgumentException.class, () -> SpeculateBench.prompts(empty, 10));
        assertEquals("--prompts " + empty + ": no prompt in it", e.getMessage());
    }

    @Test
    void unknownOrRepeatedAlgorithmsAndAMissingDraftAreErrors() {
        Result r = bench("bench", "-m", model, "--speculate", "lookup,eagle", "-t", "1");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("--speculate eagle: unknown algorithm"), r.err());
        r = bench("bench", "-m", model, "--speculate", "lookup,hydra", "-t", "1");
        assertTrue(r.err().contains("--speculate medusa and hydra need draft heads: --heads FILE"), r.err());
        r = bench("bench", "-m", model, "--speculate", "lookup,lookup", "-t", "1");
        assertTrue(r.err().contains("lookup is named twice"), r.err());
        r = bench("bench", "-m", model, "--speculate", "draft", "-t", "1");
        assertTrue(r.err().contains("--speculate draft needs a draft model: --draft FILE"), r.err());
        r = bench("bench", "-m", model, "-m", model, "--speculate", "lookup", "-t", "1");
        assertTrue(r.err().contains("--speculate measures one model"), r.err());
    }

    @Test
    void everyAlgorithmRunsAndEqualsPlainGreedy() throws Exception {
        Path prompts = Files.writeString(dir.resolve("code.txt"), "int a = 1; int b = 2; int a = 1;\nfor (int i = 0; i < n; i++) {\n");
        Path json = dir.resolve("report.json");
        Result r = bench("bench", "-m", model, "--speculate", "draft,swift,lookahead,jacobi,lookup", "--draft", model, "--prompts", prompts.toString(),
                "--decode", "24", "-t", "1", "--json", json.toString());
        assertEquals(0, r.code(), r.err());
        for (String alg : List.of("plain", "draft", "swift", "lookahead", "jacobi", "lookup")) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(alg + " ") && l.endsWith(" 2/2")), alg + " row, equal to plain on both prompts:\n" + r.out());
        }
        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        assertEquals(6, doc.get("results").size());
        for (JsonNode row : doc.get("results")) {
            assertEquals(2, row.get("equalToPlain").asInt(), row.toString());
            assertTrue(row.get("tokensPerSecond").asDouble() > 0, row.toString());
        }
        // the draft model is the target itself here: every drafted token is accepted
        JsonNode draft = doc.get("results").get(1);
        assertEquals("draft", draft.get("algorithm").asText());
        assertEquals(draft.get("drafted").asLong(), draft.get("accepted").asLong(), draft.toString());
    }
}
