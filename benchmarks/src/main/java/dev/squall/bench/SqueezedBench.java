package dev.squall.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.squall.backend.AttentionStats;
import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.backend.java.JavaBackend;
import dev.squall.cli.ModelOptions;
import dev.squall.context.ContextBuilder;
import dev.squall.context.ContextFile;
import dev.squall.context.FixedContext;
import dev.squall.context.ModelIdentity;
import dev.squall.context.SqueezedIndexBuilder;
import dev.squall.generation.Session;
import dev.squall.graph.SqueezedIndex;
import dev.squall.model.Model;
import dev.squall.sampling.Sampler;
import dev.squall.sampling.SamplerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * {@code bench --context-lengths 4k,16k,…}: decoding after a long fixed context, dense against
 * Squeezed Attention with one and two levels of centroids, per context length, on the Java backend.
 *
 * <p>Per length L the fixed context is L seeded random tokens, prefilled once and written as two
 * context files beside the model ({@code <model>.ctx-L.sqz}, {@code …-L-2l.sqz}; reused while
 * they exist). Each mode then loads its file into a fresh session (nothing recomputed; dense is
 * the one-level file at sparsity 0, which attends over every cell), appends a 16-token prompt and
 * decodes {@code --decode} greedy tokens, timed; the modes rotate per repetition. Per mode: decode
 * tokens/s (median), attention time per token (the attention operators of every layer, KV stores
 * included), the centroid lookup per selection and per token (CPU time over the workers), the
 * context keys read and the KV bytes they are per token.
 */
final class SqueezedBench {

    private SqueezedBench() {}

    static final int PROMPT = 16;

    /** One mode at one length. */
    record Row(int length, String mode, double sparsityTarget, double decodeTokensPerSecond, double attentionMsPerToken,
               double lookupMicrosPerSelection, double lookupMsPerToken, double keysRead, double kvBytesPerToken, List<Double> runs) {}

    static int run(BenchCommand b, List<String> lengths, List<Double> sparsities, String centroids, PrintWriter out, PrintWriter err, int threads)
            throws IOException {
        if (b.models.size() != 1) throw new IllegalArgumentException("--context-lengths measures one model: give -m once (got " + b.models.size() + ")");
        if (!"java".equals(b.device)) throw new IllegalArgumentException("--context-lengths: squeezed attention runs on the Java backend (--device java) so far");
        for (double s : sparsities) if (!(s > 0 && s < 1)) throw new IllegalArgumentException("--sparsity " + s + " is out of range (above 0, below 1)");
        List<Integer> ls = new ArrayList<>();
        for (String s : lengths) ls.add(parseLength(s));
        double fraction = dev.squall.cli.ContextCentroids.parse(centroids);
        ModelOptions mo = new ModelOptions();
        mo.model = b.models.get(0);
        mo.check(err);
        Path file = mo.model;
        List<Row> rows = new ArrayList<>();
        Map<String, Object> builds = new LinkedHashMap<>();
        try (Model m = Model.open(file)) {
            for (int length : ls) {
                Path flat = contextFile(file, length, 1), twoLevel = contextFile(file, length, 2);
                if (!Files.isRegularFile(flat) || !Files.isRegularFile(twoLevel)) builds.put(String.valueOf(length), build(m, length, fraction, centroids, sparsities.get(0), threads, flat, twoLevel, err));
                rows.addAll(measure(m, length, flat, twoLevel, sparsities, b.decode, b.reps, threads, err));
            }
        }
        print(out, rows, threads);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("date", LocalDate.now().toString());
        doc.put("model", file.getFileName().toString());
        doc.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(), "os", System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                "java", Runtime.version().toString()));
        doc.put("settings", Map.of("threads", threads, "decode", b.decode, "reps", b.reps, "prompt", PROMPT, "centroids", centroids, "sparsity", sparsities));
        doc.put("builds", builds);
        doc.put("results", rows);
        Path json = b.json.toString().equals("reports/bench.json") ? Path.of("reports/bench-squeezed.json") : b.json;
        Path chart = b.chart.toString().equals("reports/bench.png") ? Path.of("reports/bench-squeezed.png") : b.chart;
        if (json.toAbsolutePath().getParent() != null) Files.createDirectories(json.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), doc);
        chart(rows, chart, file.getFileName().toString(), threads);
        out.println("report: " + json.toAbsolutePath());
        out.println("chart:  " + chart.toAbsolutePath());
        out.flush();
        return 0;
    }

    /** {@code 4k} → 4096, {@code 1500} → 1500. */
    static int parseLength(String s) {
        try {
            String t = s.strip().toLowerCase(Locale.ROOT);
            int v = t.endsWith("k") ? Integer.parseInt(t.substring(0, t.length() - 1)) * 1024 : Integer.parseInt(t);
            if (v < 2) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--context-lengths " + s + ": expected a token count of at least 2, such as 4096 or 4k");
        }
    }

    static Path contextFile(Path model, int length, int levels) {
        String stem = model.getFileName().toString().replaceAll("\\.gguf$", "");
        return model.resolveSibling(stem + ".ctx-" + length + (levels == 2 ? "-2l" : "") + ".sqz");
    }

    private static Map<String, Object> build(Model m, int length, double fraction, String centroids, double sparsity, int threads,
                                             Path flat, Path twoLevel, PrintWriter err) {
        err.printf(Locale.ROOT, "building the %d-token context (prefill, then k-means for one and two levels) ...%n", length);
        err.flush();
        SplittableRandom r = new SplittableRandom(length);
        int[] tokens = new int[length];
        tokens[0] = m.tokenizer().bos();
        for (int i = 1; i < length; i++) tokens[i] = 3 + r.nextInt(m.config().vocabSize() - 3);
        ContextBuilder builder = new ContextBuilder(m.graph());
        long t0 = System.nanoTime();
        ContextBuilder.Computed c;
        try (Plan plan = m.compile(new JavaBackend(), new PlanOptions(length, threads, null).withObserver(builder.observer()))) {
            c = builder.compute(plan, tokens, 512, n -> {});
        }
        double prefill = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("prefill_seconds", prefill);
        String identity = ModelIdentity.of(m);
        int kvHeads = m.graph().kv().kvHeads(), hs = m.graph().kv().headSize();
        for (int levels = 1; levels <= 2; levels++) {
            long i0 = System.nanoTime();
            SqueezedIndex index = new SqueezedIndexBuilder(fraction, levels, 10, 1, threads).build(c.keys(), length, kvHeads, hs, x -> {});
            double indexSeconds = (System.nanoTime() - i0) / 1e9;
            FixedContext ctx = builder.context(c, index, sparsity, identity, "bench:" + length);
            ContextFile.write(levels == 1 ? flat : twoLevel, ctx, kvHeads, hs, new ContextFile.BuildInfo(m.config().name(), centroids, prefill + indexSeconds));
            info.put("index_seconds_" + levels + "_level", indexSeconds);
            err.printf(Locale.ROOT, "  prefill %.1f s, %d-level index %.1f s -> %s%n", prefill, levels, indexSeconds, levels == 1 ? flat : twoLevel);
            err.flush();
        }
        return info;
    }

    private record Mode(String name, Path file, double sparsity) {}

    private static List<Row> measure(Model m, int length, Path flat, Path twoLevel, List<Double> sparsities, int decode, int reps, int threads, PrintWriter err) {
        List<Mode> modes = new ArrayList<>(List.of(new Mode("dense", flat, 0)));
        for (double s : sparsities) {
            modes.add(new Mode("1 level", flat, s));
            modes.add(new Mode("2 levels", twoLevel, s));
        }
        int heads = m.config().heads(), hs = m.config().headSize();
        List<List<Double>> speeds = new ArrayList<>();
        List<AttentionStats> totals = new ArrayList<>();
        for (int i = 0; i < modes.size(); i++) {
            speeds.add(new ArrayList<>());
            totals.add(AttentionStats.NONE);
        }
        SplittableRandom r = new SplittableRandom(7);
        int[] prompt = new int[PROMPT];
        for (int i = 0; i < PROMPT; i++) prompt[i] = 3 + r.nextInt(m.config().vocabSize() - 3);
        try (Plan plan = m.compile(new JavaBackend(), new PlanOptions(length + PROMPT + decode + 8, threads, null))) {
            for (int rep = 0; rep <= reps; rep++) {           // repetition 0 warms the JIT up and is not kept
                for (int i = 0; i < modes.size(); i++) {
                    Mode mode = modes.get((i + rep) % modes.size());
                    int at = modes.indexOf(mode);
                    double[] one = run(m, plan, mode, prompt, rep == 0 ? Math.min(decode, 8) : decode);
                    if (rep == 0) continue;
                    speeds.get(at).add(one[0]);
                    AttentionStats s = new AttentionStats((long) one[1], (long) one[2], (long) one[3], (long) one[4], (long) one[5]);
                    AttentionStats t = totals.get(at);
                    totals.set(at, new AttentionStats(t.attentionNanos() + s.attentionNanos(), t.queries() + s.queries(), t.lookupNanos() + s.lookupNanos(),
                            t.fixedCells() + s.fixedCells(), t.keptCells() + s.keptCells()));
                }
            }
        }
        List<Row> rows = new ArrayList<>();
        long tokens = (long) decode * reps;
        for (int i = 0; i < modes.size(); i++) {
            Mode mode = modes.get(i);
            AttentionStats t = totals.get(i);
            double kept = t.fixedCells() == 0 ? 1 : (double) t.keptCells() / t.fixedCells();
            double kvBytes = (double) t.keptCells() / tokens * hs * 8;       // F32 key and value per kept cell and query head
            rows.add(new Row(length, mode.name(), mode.sparsity(), SquallRun.median(speeds.get(i).stream().mapToDouble(d -> d).toArray()),
                    t.attentionNanos() / 1e6 / tokens, t.queries() == 0 ? 0 : t.lookupNanos() / 1e3 / t.queries(), t.lookupNanos() / 1e6 / tokens,
                    kept, kvBytes, speeds.get(i)));
        }
        err.printf(Locale.ROOT, "  %d tokens measured (%d heads of %d)%n", length, heads, hs);
        err.flush();
        return rows;
    }

    /** Decode tokens/s and the attention counters of one timed decode. */
    private static double[] run(Model m, Plan plan, Mode mode, int[] prompt, int decode) {
        Session s = new Session(plan, m.tokenizer(), new Sampler(SamplerConfig.greedy()));
        try (ContextFile.Opened opened = ContextFile.open(mode.file(), m)) {
            FixedContext ctx = opened.context();
            SqueezedIndex index = mode.sparsity() == 0 ? ctx.index().withThresholds(SqueezedIndex.Thresholds.DENSE) : ctx.withSparsity(mode.sparsity()).index();
            s.loadFixedContext(ctx.tokens(), ctx.rows(), index, ctx.lastLogits());
        }
        try {
            s.append(prompt, 512);
            AttentionStats before = plan.attentionStats();
            long t0 = System.nanoTime();
            for (int i = 0; i < decode; i++) {
                float[] logits = s.logits();
                int best = 0;
                for (int v = 1; v < logits.length; v++) if (logits[v] > logits[best]) best = v;
                s.append(new int[] {best}, 1);
            }
            s.logits();
            double seconds = (System.nanoTime() - t0) / 1e9;
            AttentionStats a = plan.attentionStats().since(before);
            return new double[] {decode / seconds, a.attentionNanos(), a.queries(), a.lookupNanos(), a.fixedCells(), a.keptCells()};
        } finally {
            s.close();
        }
    }

    private static void print(PrintWriter out, List<Row> rows, int threads) {
        out.printf(Locale.ROOT, "Squeezed Attention, Java backend, %d threads (decode after a 16-token prompt; per token over all layers)%n", threads);
        out.printf(Locale.ROOT, "%8s  %-9s %8s %10s %10s %9s %11s %11s %10s %8s%n", "context", "mode", "sparsity", "decode t/s", "speedup", "attn ms",
                "attn ratio", "lookup µs", "lookup ms", "keys %");
        Map<Integer, Row> dense = new LinkedHashMap<>();
        for (Row r : rows) if (r.mode().equals("dense")) dense.put(r.length(), r);
        for (Row r : rows) {
            Row d = dense.get(r.length());
            out.printf(Locale.ROOT, "%8d  %-9s %8s %10.1f %9.2fx %10.2f %10.2fx %11.2f %10.3f %7.1f%%%n", r.length(), r.mode(),
                    r.sparsityTarget() == 0 ? "-" : String.format(Locale.ROOT, "%.2f", r.sparsityTarget()), r.decodeTokensPerSecond(),
                    r.decodeTokensPerSecond() / d.decodeTokensPerSecond(), r.attentionMsPerToken(), d.attentionMsPerToken() / r.attentionMsPerToken(),
                    r.lookupMicrosPerSelection(), r.lookupMsPerToken(), 100 * r.keysRead());
        }
        out.flush();
    }

    private static void chart(List<Row> rows, Path file, String model, int threads) throws IOException {
        XYChart c = new XYChartBuilder().width(900).height(500).title("Squeezed Attention: decode after a fixed context (" + model + ", " + threads + " threads)")
                .xAxisTitle("fixed-context tokens").yAxisTitle("decode tokens/s").build();
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (Row r : rows) {
            String name = r.mode() + (r.sparsityTarget() == 0 ? "" : String.format(Locale.ROOT, " @ %.0f%%", 100 * r.sparsityTarget()));
            series.computeIfAbsent(name, k -> new ArrayList<>()).add(new double[] {r.length(), r.decodeTokensPerSecond()});
        }
        for (var e : series.entrySet()) {
            c.addSeries(e.getKey(), e.getValue().stream().mapToDouble(p -> p[0]).toArray(), e.getValue().stream().mapToDouble(p -> p[1]).toArray());
        }
        if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
        BitmapEncoder.saveBitmap(c, file.toString().replaceAll("\\.png$", ""), BitmapEncoder.BitmapFormat.PNG);
    }
}
