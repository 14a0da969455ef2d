package dev.squall.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.squall.cli.Squall;
import dev.squall.format.WeightFormats;
import dev.squall.model.synthetic.SampleModels;
import dev.squall.serving.Scheduler;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** bench-serve: its flags, its request mix and percentiles, and a real run over loopback. */
class ServeBenchCommandTest {

    @TempDir Path dir;

    @Test
    void rangesAndPoliciesAreCheckedByName() {
        assertEquals(List.of(128, 512), java.util.Arrays.stream(ServeBenchCommand.range("--prompt-tokens", "128-512", 2, 4096)).boxed().toList());
        assertEquals(List.of(7, 7), java.util.Arrays.stream(ServeBenchCommand.range("--output-tokens", "7", 1, 100)).boxed().toList());
        for (String bad : List.of("512-128", "a-b", "1-2-3", "0-5", "5-5000")) {
            var e = assertThrows(IllegalArgumentException.class, () -> ServeBenchCommand.range("--prompt-tokens", bad, 2, 4096));
            assertTrue(e.getMessage().startsWith("--prompt-tokens " + bad + " is not a range"), e.getMessage());
        }
        assertEquals(List.of(Scheduler.Policy.SERIAL, Scheduler.Policy.SARATHI), ServeBenchCommand.policies("serial, sarathi"));
        var e = assertThrows(IllegalArgumentException.class, () -> ServeBenchCommand.policies("sarathi,fcfs"));
        assertTrue(e.getMessage().contains("'fcfs'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ServeBenchCommand.policies("serial,serial"));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
    }

    @Test
    void theMixIsSeededAndWithinItsRangesAndQuantilesInterpolate() {
        var a = ServeBenchCommand.mix(50, new int[] {10, 20}, new int[] {3, 5}, 1000, 1, 9);
        var b = ServeBenchCommand.mix(50, new int[] {10, 20}, new int[] {3, 5}, 1000, 1, 9);
        for (int i = 0; i < 50; i++) {
            assertTrue(java.util.Arrays.equals(a.get(i).prompt(), b.get(i).prompt()));
            assertTrue(a.get(i).prompt().length >= 10 && a.get(i).prompt().length <= 20);
            assertTrue(a.get(i).outputTokens() >= 3 && a.get(i).outputTokens() <= 5);
            assertEquals(1, a.get(i).prompt()[0], "BOS first");
        }
        assertNotEquals(a.get(0).prompt().length + ":" + a.get(1).prompt().length + ":" + a.get(2).prompt().length,
                ServeBenchCommand.mix(3, new int[] {10, 20}, new int[] {3, 5}, 1000, 1, 10).stream().map(j -> String.valueOf(j.prompt().length)).reduce((x, y) -> x + ":" + y).get());
        double[] v = {4, 1, 3, 2, 5};
        assertEquals(3.0, ServeBenchCommand.quantile(v, 0.5));
        assertEquals(4.96, ServeBenchCommand.quantile(v, 0.99), 1e-12);
        assertEquals(5.0, ServeBenchCommand.quantile(v, 1.0));
        assertEquals(1.0, ServeBenchCommand.quantile(v, 0.0));
    }

    @Test
    void aRealRunServesEveryRequestOfEveryPolicyAndLosesNothingUnderOverload() throws Exception {
        Path model = SampleModels.write("micro", WeightFormats.F32, dir, null);
        Path json = dir.resolve("r.json"), chart = dir.resolve("c.png");
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Squall.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute("bench-serve", "-m", model.toString(), "-t", "1", "-c", "128", "--clients", "3", "--requests", "6", "--prompt-tokens", "5-40",
                "--output-tokens", "4-12", "--token-budget", "16", "--queue", "2", "--json", json.toString(), "--chart", chart.toString());
        assertEquals(0, code, err.toString());
        JsonNode r = new ObjectMapper().readTree(json.toFile());
        assertEquals(3, r.get("policies").size());
        for (JsonNode p : r.get("policies")) {
            assertEquals(6, p.get("requests").asInt(), p.toString());
            assertTrue(p.get("outputTokens").asLong() >= 6 * 4 && p.get("outputTokens").asLong() <= 6 * 12, p.toString());
            assertTrue(p.get("ttft").get("p50").asDouble() <= p.get("ttft").get("p99").asDouble());
        }
        // all policies served the same requests: the same output tokens
        assertEquals(r.get("policies").get(0).get("outputTokens"), r.get("policies").get(1).get("outputTokens"));
        JsonNode o = r.get("overload");
        assertEquals(8, o.get("sent").asInt());
        assertEquals(8, o.get("completed").asInt());
        assertEquals(0, o.get("lost").asInt() + o.get("duplicated").asInt() + o.get("wrongText").asInt());
        assertTrue(Files.size(chart) > 0 && Files.size(dir.resolve("c-latency.png")) > 0, "both charts written");
        assertTrue(out.toString().contains("sarathi") && out.toString().contains("vs serial"), out.toString());
    }

    @Test
    void aContextTooSmallForTheMixIsAnErrorNamingTheFlags() throws Exception {
        Path model = SampleModels.write("micro", WeightFormats.F32, dir, null);
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Squall.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute("bench-serve", "-m", model.toString(), "-c", "64", "--prompt-tokens", "40-60", "--output-tokens", "10-20", "--json", dir.resolve("x.json").toString());
        assertNotEquals(0, code);
        assertTrue(err.toString().contains("the context size is 64"), err.toString());
    }
}
