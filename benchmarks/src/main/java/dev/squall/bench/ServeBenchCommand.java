package dev.squall.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.squall.cli.ModelOptions;
import dev.squall.cli.SquallCommand;
import dev.squall.server.OpenAiServer;
import dev.squall.serving.Scheduler;
import java.awt.Color;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code squall bench-serve}: a load generator against {@code squall serve}'s HTTP API on a
 * loopback port. Closed loop: {@code --clients} clients each send their next streaming completion
 * as soon as the previous one ended, until {@code --requests} were sent; prompts and output lengths
 * are drawn uniformly from the given ranges with a fixed seed (prompts as token ids, outputs with
 * {@code ignore_eos} so every policy computes exactly the same tokens). Every policy
 * ({@link Scheduler.Policy}) serves the same requests in one run, on one loaded model: output
 * tokens/s, time to first token and time per output token percentiles. Then an overload check:
 * 4× the queue's capacity sent at once to a server with a small queue, clients retrying after a
 * 429's Retry-After; every request must end exactly once with the text its prompt gives alone.
 * Writes a JSON report and two PNG charts.
 */
@Command(name = "bench-serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Load-test the OpenAI-compatible server on a loopback port: throughput, time to first token (TTFT) and",
                "time per output token (TPOT) percentiles for SARATHI scheduling against one request at a time and",
                "prefill-first batching, the same requests for each, then an overload check (no request lost or doubled)."})
public final class ServeBenchCommand implements Callable<Integer>, SquallCommand {

    @Mixin ModelOptions model;

    @Option(names = "--clients", defaultValue = "16", paramLabel = "C", description = "Concurrent clients (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--requests", defaultValue = "48", paramLabel = "R", description = "Requests per policy (default ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--policies", defaultValue = "sarathi,serial,prefill-first", paramLabel = "P[,P…]",
            description = "Scheduling policies to compare (default ${DEFAULT-VALUE}).")
    String policies;

    @Option(names = "--prompt-tokens", defaultValue = "128-512", paramLabel = "MIN-MAX", description = "Prompt lengths, drawn uniformly (default ${DEFAULT-VALUE}).")
    String promptRange;

    @Option(names = "--output-tokens", defaultValue = "64-128", paramLabel = "MIN-MAX", description = "Output lengths, drawn uniformly (default ${DEFAULT-VALUE}).")
    String outputRange;

    @Option(names = "--token-budget", defaultValue = "256", paramLabel = "B", description = "The scheduler's tokens per forward call (default ${DEFAULT-VALUE}).")
    int tokenBudget;

    @Option(names = "--queue", defaultValue = "8", paramLabel = "N", description = "The overload check's queue capacity; 4× as many requests are sent at once (default ${DEFAULT-VALUE}; 0 = skip the check).")
    int overloadQueue;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Seed of the request mix (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", defaultValue = "reports/bench-serve.json", paramLabel = "FILE", description = "The JSON report (default ${DEFAULT-VALUE}).")
    Path json;

    @Option(names = "--chart", defaultValue = "reports/bench-serve.png", paramLabel = "FILE",
            description = "The throughput chart (default ${DEFAULT-VALUE}); latencies go next to it as *-latency.png.")
    Path chart;

    @Spec CommandSpec spec;

    /** One request of the mix. */
    record Job(int index, int[] prompt, int outputTokens) {}

    /** What a client saw of one request. */
    record Timing(int index, double ttft, double tpot, int tokens, double end) {}

    /** A policy's results. */
    record Result(String policy, double seconds, long outputTokens, double tokensPerSecond, Map<String, Double> ttft, Map<String, Double> tpot, int requests) {}

    static int[] range(String flag, String value, int min, int max) {
        String[] parts = value.split("-");
        try {
            int a = Integer.parseInt(parts[0].trim()), b = parts.length == 1 ? a : Integer.parseInt(parts[1].trim());
            if (parts.length > 2 || a < min || b < a || b > max) throw new NumberFormatException();
            return new int[] {a, b};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " " + value + " is not a range MIN-MAX with " + min + " ≤ MIN ≤ MAX ≤ " + max);
        }
    }

    static List<Scheduler.Policy> policies(String value) {
        List<Scheduler.Policy> list = new ArrayList<>();
        for (String p : value.split(",")) {
            Scheduler.Policy policy;
            try {
                policy = Scheduler.Policy.of(p.trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--policies: " + e.getMessage());
            }
            if (list.contains(policy)) throw new IllegalArgumentException("--policies names " + p.trim() + " twice");
            list.add(policy);
        }
        return list;
    }

    /** The request mix: prompt and output lengths uniform in their ranges, prompt tokens random ordinary tokens after BOS. */
    static List<Job> mix(int count, int[] prompts, int[] outputs, int vocab, int bos, long seed) {
        Random r = new Random(seed);
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = prompts[0] + r.nextInt(prompts[1] - prompts[0] + 1);
            int[] p = new int[n];
            p[0] = bos;
            for (int k = 1; k < n; k++) p[k] = 3 + r.nextInt(vocab - 3);
            jobs.add(new Job(i, p, outputs[0] + r.nextInt(outputs[1] - outputs[0] + 1)));
        }
        return jobs;
    }

    /** The {@code q}-quantile (0 to 1) of {@code v}, linearly interpolated. */
    static double quantile(double[] v, double q) {
        if (v.length == 0) return Double.NaN;
        double[] s = v.clone();
        Arrays.sort(s);
        double at = q * (s.length - 1);
        int lo = (int) Math.floor(at), hi = (int) Math.ceil(at);
        return s[lo] + (s[hi] - s[lo]) * (at - lo);
    }

    static Map<String, Double> percentiles(double[] v) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("p50", quantile(v, 0.50));
        m.put("p90", quantile(v, 0.90));
        m.put("p99", quantile(v, 0.99));
        m.put("max", quantile(v, 1.0));
        return m;
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    static String body(Job j, boolean stream) {
        return "{\"prompt\": " + Arrays.toString(j.prompt()) + ", \"max_tokens\": " + j.outputTokens() + ", \"temperature\": 0, \"ignore_eos\": true"
                + (stream ? ", \"stream\": true, \"stream_options\": {\"include_usage\": true}" : "") + "}";
    }

    /** Sends one streaming completion; times its first and last token. */
    Timing run(String url, Job j, long epoch) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body(j, true))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            String text = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
            throw new IllegalStateException("request " + j.index() + ": HTTP " + r.statusCode() + ": " + text);
        }
        long first = -1, last = -1;
        int tokens = -1;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.startsWith("data: ") || line.equals("data: [DONE]")) continue;
                JsonNode e = JSON.readTree(line.substring(6));
                if (e.has("error")) throw new IllegalStateException("request " + j.index() + " failed: " + e.get("error"));
                if (e.has("usage")) {
                    tokens = e.get("usage").get("completion_tokens").asInt();
                    continue;
                }
                JsonNode c = e.path("choices").path(0);
                if (!c.path("text").asText("").isEmpty()) {
                    long now = System.nanoTime();
                    if (first < 0) first = now;
                    last = now;
                }
            }
        }
        if (tokens != j.outputTokens()) throw new IllegalStateException("request " + j.index() + " got " + tokens + " tokens, asked for " + j.outputTokens());
        double ttft = (first - t0) / 1e9;
        double tpot = tokens > 1 ? (last - first) / 1e9 / (tokens - 1) : 0;
        return new Timing(j.index(), ttft, tpot, tokens, (System.nanoTime() - epoch) / 1e9);
    }

    /** The closed loop: every client sends its next job as soon as its last one ended. */
    Result load(String url, Scheduler.Policy policy, List<Job> jobs, PrintWriter err) throws Exception {
        AtomicInteger next = new AtomicInteger();
        List<Timing> timings = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        long epoch = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofVirtual().start(() -> {
                int i;
                while (failures.isEmpty() && (i = next.getAndIncrement()) < jobs.size()) {
                    try {
                        timings.add(run(url, jobs.get(i), epoch));
                        int done = timings.size();
                        if (done % Math.max(1, jobs.size() / 8) == 0) {
                            err.printf(Locale.ROOT, "  %-13s %3d/%d requests, %.0f s%n", policy.label(), done, jobs.size(), (System.nanoTime() - epoch) / 1e9);
                            err.flush();
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }
            }));
        }
        for (Thread t : threads) t.join();
        if (!failures.isEmpty()) throw new IllegalStateException(policy.label() + ": " + failures.getFirst().getMessage(), failures.getFirst());
        double seconds = (System.nanoTime() - epoch) / 1e9;
        long tokens = timings.stream().mapToLong(Timing::tokens).sum();
        return new Result(policy.label(), seconds, tokens, tokens / seconds, percentiles(timings.stream().mapToDouble(Timing::ttft).toArray()),
                percentiles(timings.stream().mapToDouble(Timing::tpot).toArray()), timings.size());
    }

    /** Overload: 4 × queue requests at once against a queue of {@code queue}; 429s are retried after Retry-After. */
    Map<String, Object> overload(dev.squall.model.Model m, dev.squall.backend.Plan plan, PrintWriter err) throws Exception {
        int count = 4 * overloadQueue;
        List<Job> distinct = mix(4, new int[] {8, 24}, new int[] {8, 8}, m.tokenizer().vocabSize(), m.tokenizer().bos(), seed + 7);
        Map<Integer, String> expected = new ConcurrentHashMap<>();
        Set<String> ids = ConcurrentHashMap.newKeySet();
        AtomicInteger ok = new AtomicInteger(), refused = new AtomicInteger(), wrong = new AtomicInteger(), duplicated = new AtomicInteger();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        try (OpenAiServer server = new OpenAiServer(m, plan, "127.0.0.1", 0, tokenBudget, overloadQueue, null, Scheduler.Policy.SARATHI)) {
            String url = "http://127.0.0.1:" + server.port() + "/v1/completions";
            for (Job j : distinct) expected.put(j.index(), completion(url, j, refused)[1]);   // each prompt alone first
            refused.set(0);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Job j = distinct.get(i % distinct.size());
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        String[] r = completion(url, j, refused);
                        if (!ids.add(r[0])) duplicated.incrementAndGet();
                        if (!r[1].equals(expected.get(j.index()))) wrong.incrementAndGet();
                        ok.incrementAndGet();
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            for (Thread t : threads) t.join();
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("queue", overloadQueue);
        o.put("sent", count);
        o.put("completed", ok.get());
        o.put("lost", count - ok.get());
        o.put("duplicated", duplicated.get());
        o.put("wrongText", wrong.get());
        o.put("refused429", refused.get());
        o.put("failures", failures.stream().map(Throwable::toString).limit(5).toList());
        err.printf("  overload: %d sent at once to a queue of %d: %d completed, %d lost, %d duplicated, %d with another text, %d answers 429 (retried)%n",
                count, overloadQueue, ok.get(), count - ok.get(), duplicated.get(), wrong.get(), refused.get());
        return o;
    }

    /** A whole completion, retried while the server answers 429 (after its Retry-After); returns its id and text. */
    String[] completion(String url, Job j, AtomicInteger refused) throws Exception {
        for (int attempt = 0; attempt < 600; attempt++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body(j, false))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 429) {
                refused.incrementAndGet();
                Thread.sleep(1000L * Long.parseLong(r.headers().firstValue("Retry-After").orElse("1")));
                continue;
            }
            if (r.statusCode() != 200) throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
            JsonNode b = JSON.readTree(r.body());
            return new String[] {b.get("id").asText(), b.get("choices").get(0).get("text").asText()};
        }
        throw new IllegalStateException("still refused after 600 tries");
    }

    @Override public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        if (clients < 1 || clients > 256) throw new IllegalArgumentException("--clients " + clients + " is out of range (1 to 256)");
        if (requests < 1) throw new IllegalArgumentException("--requests " + requests + " is out of range (a positive count)");
        if (tokenBudget < 1) throw new IllegalArgumentException("--token-budget " + tokenBudget + " is out of range (a positive count)");
        if (overloadQueue < 0 || overloadQueue > 64) throw new IllegalArgumentException("--queue " + overloadQueue + " is out of range (0 to 64)");
        List<Scheduler.Policy> list = policies(policies);
        int[] prompts = range("--prompt-tokens", promptRange, 2, 1 << 20), outputs = range("--output-tokens", outputRange, 1, 1 << 20);
        model.cacheSequences = clients;
        model.requireDense("bench-serve");
        try (ModelOptions.Loaded loaded = model.load(err)) {
            var m = loaded.model();
            int context = loaded.plan().cache().capacity();
            if (prompts[1] + outputs[1] > context) {
                throw new IllegalArgumentException("--prompt-tokens up to " + prompts[1] + " and --output-tokens up to " + outputs[1] + " need " + (prompts[1] + outputs[1])
                        + " positions; the context size is " + context + " (raise it with -c)");
            }
            List<Job> jobs = mix(requests, prompts, outputs, m.tokenizer().vocabSize(), m.tokenizer().bos(), seed);
            err.printf(Locale.ROOT, "bench-serve: %s, %d threads, %s, %d clients, %d requests (prompts %s, outputs %s tokens), token budget %d%n", m.config().name(),
                    loaded.threads(), SpeculateBench.cpuName(), clients, requests, promptRange, outputRange, tokenBudget);
            List<Result> results = new ArrayList<>();
            for (Scheduler.Policy policy : list) {
                try (OpenAiServer server = new OpenAiServer(m, loaded.plan(), "127.0.0.1", 0, tokenBudget, Math.max(64, 2 * clients), null, policy)) {
                    String url = "http://127.0.0.1:" + server.port() + "/v1/completions";
                    // warm-up: one short request (compiles the code paths this policy takes)
                    run(url, new Job(-1, jobs.getFirst().prompt(), Math.min(8, outputs[0])), System.nanoTime());
                    results.add(load(url, policy, jobs, err));
                }
            }
            Map<String, Object> overload = overloadQueue == 0 ? null : overload(m, loaded.plan(), err);
            print(out, results, loaded.threads(), m.config().name());
            if (overload != null) {
                out.printf("overload: %s sent at once to a queue of %s: %s completed, %s lost, %s duplicated, %s with another text, %s answers 429 (retried after Retry-After)%n",
                        overload.get("sent"), overload.get("queue"), overload.get("completed"), overload.get("lost"), overload.get("duplicated"), overload.get("wrongText"),
                        overload.get("refused429"));
            }
            write(results, overload, loaded.threads(), m.config().name());
            charts(results, loaded.threads(), m.config().name());
            out.printf("report: %s, charts: %s, %s%n", json, chart, latencyChart());
            out.flush();
            boolean lossless = overload == null || ((int) overload.get("lost") == 0 && (int) overload.get("duplicated") == 0 && (int) overload.get("wrongText") == 0);
            return lossless ? 0 : 1;
        }
    }

    private void print(PrintWriter out, List<Result> results, int threads, String name) {
        out.printf(Locale.ROOT, "%s, %d threads, %s, %s: %d clients, %d requests, prompts %s, outputs %s tokens, token budget %d%n", name, threads,
                SpeculateBench.cpuName(), LocalDate.now(), clients, requests, promptRange, outputRange, tokenBudget);
        out.printf("%-14s %8s %10s %9s %10s %10s %10s %10s %10s%n", "policy", "seconds", "output t/s", "vs serial", "TTFT p50", "TTFT p99", "TPOT p50", "TPOT p90", "TPOT p99");
        Result serial = results.stream().filter(r -> r.policy().equals("serial")).findFirst().orElse(null);
        for (Result r : results) {
            out.printf(Locale.ROOT, "%-14s %8.1f %10.1f %9s %8.0f ms %7.0f ms %7.1f ms %7.1f ms %7.1f ms%n", r.policy(), r.seconds(), r.tokensPerSecond(),
                    serial == null ? "-" : String.format(Locale.ROOT, "%.2f×", r.tokensPerSecond() / serial.tokensPerSecond()), 1e3 * r.ttft().get("p50"),
                    1e3 * r.ttft().get("p99"), 1e3 * r.tpot().get("p50"), 1e3 * r.tpot().get("p90"), 1e3 * r.tpot().get("p99"));
        }
        if (serial != null) {
            for (Result r : results) {
                if (r == serial) continue;
                out.printf(Locale.ROOT, "%s: p99 TPOT %.2f× a lone request's (serial p50 TPOT %.1f ms)%n", r.policy(), r.tpot().get("p99") / serial.tpot().get("p50"),
                        1e3 * serial.tpot().get("p50"));
            }
        }
    }

    private void write(List<Result> results, Map<String, Object> overload, int threads, String name) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("date", LocalDate.now().toString());
        doc.put("machine", Map.of("cpu", SpeculateBench.cpuName(), "cores", Runtime.getRuntime().availableProcessors(), "java", Runtime.version().toString()));
        doc.put("model", name);
        doc.put("threads", threads);
        doc.put("clients", clients);
        doc.put("requests", requests);
        doc.put("promptTokens", promptRange);
        doc.put("outputTokens", outputRange);
        doc.put("tokenBudget", tokenBudget);
        doc.put("policies", results);
        if (overload != null) doc.put("overload", overload);
        if (json.getParent() != null) Files.createDirectories(json.getParent());
        JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), doc);
    }

    private Path latencyChart() { return Path.of(chart.toString().replaceAll("\\.png$", "") + "-latency.png"); }

    private static CategoryChart latency(String title, String unit) {
        CategoryChart c = new CategoryChartBuilder().width(560).height(420).title(title).xAxisTitle("policy").yAxisTitle(unit).build();
        c.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Bar);
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Horizontal);
        return c;
    }

    private void charts(List<Result> results, int threads, String name) {
        System.setProperty("java.awt.headless", "true");
        List<String> names = results.stream().map(Result::policy).toList();
        CategoryChart tput = new CategoryChartBuilder().width(700).height(450)
                .title(name + ": output tokens/s, " + clients + " clients (" + threads + " threads)").xAxisTitle("policy").yAxisTitle("output tokens/s").build();
        tput.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Bar);
        tput.getStyler().setLegendVisible(false);
        tput.addSeries("output tokens/s", names, results.stream().map(Result::tokensPerSecond).toList()).setFillColor(new Color(0x2a6fdb));
        CategoryChart ttft = latency(name + ": time to first token", "seconds");
        ttft.addSeries("TTFT p50", names, results.stream().map(r -> r.ttft().get("p50")).toList()).setFillColor(new Color(0x9ecae1));
        ttft.addSeries("TTFT p99", names, results.stream().map(r -> r.ttft().get("p99")).toList()).setFillColor(new Color(0x3182bd));
        CategoryChart tpot = latency(name + ": time per output token", "milliseconds");
        tpot.addSeries("TPOT p50", names, results.stream().map(r -> 1e3 * r.tpot().get("p50")).toList()).setFillColor(new Color(0xfdae6b));
        tpot.addSeries("TPOT p99", names, results.stream().map(r -> 1e3 * r.tpot().get("p99")).toList()).setFillColor(new Color(0xe6550d));
        try {
            if (chart.getParent() != null) Files.createDirectories(chart.getParent());
            BitmapEncoder.saveBitmap(tput, chart.toString().replaceAll("\\.png$", ""), BitmapEncoder.BitmapFormat.PNG);
            BitmapEncoder.saveBitmap(List.of(ttft, tpot), 1, 2, latencyChart().toString().replaceAll("\\.png$", ""), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the charts " + chart, e);
        }
    }

}
