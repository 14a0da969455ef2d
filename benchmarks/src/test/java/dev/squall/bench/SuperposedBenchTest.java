package dev.squall.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.squall.cli.Squall;
import dev.squall.format.WeightFormats;
import dev.squall.model.synthetic.SampleModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bench --superposed}: one real run on a micro model, whose report counts forward calls as
 * the methods define them (one per token for superposed and batched samples, K for samples one
 * after another) and scores batched samples exactly as the same samples drawn one at a time.
 */
class SuperposedBenchTest {

    @TempDir Path dir;

    @Test
    void theReportCountsCallsPerMethodAndBatchingDoesNotChangeTheSamples() throws Exception {
        Path model = SampleModels.write("micro", WeightFormats.F32, dir, null);
        Path prompts = Files.writeString(dir.resolve("p.txt"), "first prompt here\nthe second one\n");
        Path json = dir.resolve("report.json");
        int k = 3, n = 6;
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Squall.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute("bench", "-m", model.toString(), "--superposed", String.valueOf(k), "--prompts", prompts.toString(),
                "--decode", String.valueOf(n), "-t", "2", "--json", json.toString());
        assertEquals(0, code, err.toString());
        Map<String, JsonNode> rows = new HashMap<>();
        for (JsonNode r : new ObjectMapper().readTree(json.toFile()).get("results")) rows.put(r.get("method").asText(), r);
        double perStep = (n - 1) / (double) (k * n);
        assertEquals(perStep, rows.get("superposed").get("forwardCallsPerDraftToken").asDouble(), 1e-12);
        assertEquals(perStep, rows.get("sampled-batched").get("forwardCallsPerDraftToken").asDouble(), 1e-12);
        assertEquals(k * perStep, rows.get("sampled").get("forwardCallsPerDraftToken").asDouble(), 1e-12);
        assertEquals((n - 1) / (double) n, rows.get("greedy").get("forwardCallsPerDraftToken").asDouble(), 1e-12);
        assertEquals(2 * k * n, rows.get("sampled").get("draftTokens").asLong());
        assertEquals(rows.get("sampled").get("meanNll").asDouble(), rows.get("sampled-batched").get("meanNll").asDouble(), 1e-9,
                "a batch computes each sequence's logits as a one-token call does, so the seeded samples are the same");
    }
}
