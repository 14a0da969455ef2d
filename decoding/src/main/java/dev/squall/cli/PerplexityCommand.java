package dev.squall.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.squall.backend.Plan;
import dev.squall.graph.AttentionPolicy;
import dev.squall.graph.Batch;
import dev.squall.graph.ForwardResult;
import dev.squall.model.ModelConfig;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Teacher-forced perplexity of one long text per attention mode, by position bucket: how a model
 * fares past the context it was trained on, dense against LM-Infinite. Each mode runs the text
 * once on a fresh sequence in forward calls of {@code -b} tokens, every row an output; row i's
 * logits give the negative log-likelihood of token i + 1, counted in the bucket of position i.
 */
@Command(name = "perplexity", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Mean negative log-likelihood and perplexity of a long text per position bucket, for each --attention mode",
                "(default dense,lm-infinite): a table on stdout, JSON and a chart under reports/. Raise the context with -c",
                "to the token count."})
final class PerplexityCommand implements Callable<Integer> {

    @Mixin ModelOptions model;

    @Option(names = {"-f", "--file"}, paramLabel = "TEXT", description = "The text to score (UTF-8).")
    Path file;

    @Option(names = "--heldout", paramLabel = "LIST",
            description = {"Score the files of LIST (one src.zip entry a line, e.g. java.base/java/io/FileOutputStream.java), concatenated",
                    "in list order until --tokens are reached; license headers are stripped, as for training. Default without --file:",
                    "heldout_files.txt beside the model."})
    Path heldout;

    @Option(names = "--src-zip", paramLabel = "ZIP", description = "Where --heldout's entries are read (default: this JDK's lib/src.zip).")
    Path srcZip = Path.of(System.getProperty("java.home"), "lib", "src.zip");

    @Option(names = {"-n", "--tokens"}, defaultValue = "4096", paramLabel = "N", description = "Tokens to score, BOS included (default ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--bucket", defaultValue = "256", paramLabel = "N", description = "Positions per bucket of the table (default ${DEFAULT-VALUE}).")
    int bucket;

    @Option(names = "--json", defaultValue = "reports/perplexity.json", paramLabel = "FILE", description = "The JSON report (default ${DEFAULT-VALUE}).")
    Path json;

    @Option(names = "--chart", defaultValue = "reports/perplexity.png", paramLabel = "FILE", description = "The chart (default ${DEFAULT-VALUE}).")
    Path chart;

    @Spec CommandSpec spec;

    /** One mode's result: per bucket, the summed NLL and the count of predicted tokens. */
    private record Scored(String mode, double[] sums, int[] counts, double seconds) {
        double mean(int b) { return sums[b] / counts[b]; }
        double overall() {
            double s = 0;
            int n = 0;
            for (int b = 0; b < sums.length; b++) {
                s += sums[b];
                n += counts[b];
            }
            return s / n;
        }
    }

    @Override public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (tokens < 2) throw new IllegalArgumentException("--tokens " + tokens + " is out of range (at least 2)");
        if (bucket < 1) throw new IllegalArgumentException("--bucket " + bucket + " is out of range (a positive count)");
        if (file != null && heldout != null) throw new IllegalArgumentException("give the text with --file or --heldout, not both");
        if (model.attention == null) model.attention = "dense,lm-infinite";
        List<AttentionMode> modes = model.attentionModes();
        try (ModelOptions.Loaded l = model.loadForModes(err)) {
            ModelConfig config = l.model().config();
            int capacity = l.plan().cache().capacity();
            if (tokens > capacity) {
                throw new IllegalArgumentException("--tokens " + tokens + " needs a context of " + tokens + " positions, the context size is " + capacity
                        + " (raise it with -c " + tokens + ")");
            }
            int[] ids = text(l);
            err.printf(Locale.ROOT, "squall perplexity: %s on %s, %d tokens, context %d (trained context_length %d), %d threads%n",
                    config.name(), l.plan().backend().id(), ids.length, capacity, config.contextLength(), l.threads());
            err.flush();
            List<Scored> results = new ArrayList<>();
            for (AttentionMode m : modes) {
                long t0 = System.nanoTime();
                double[] nll = nll(l.plan(), ids, m.policy(config), model.batchSize);
                Scored s = bucketed(m.label(config), nll, (System.nanoTime() - t0) / 1e9);
                err.printf(Locale.ROOT, "  %s: mean NLL %.4f in %.1f s%n", s.mode(), s.overall(), s.seconds());
                err.flush();
                results.add(s);
            }
            table(out, results);
            writeJson(l, ids.length, results);
            writeChart(config, results);
            out.println("report: " + json + ", chart: " + chart);
        }
        out.flush();
        return 0;
    }

    /** The token ids to score: the --file, or the held-out files until --tokens are reached, BOS first. */
    private int[] text(ModelOptions.Loaded l) throws IOException {
        var tokenizer = l.model().tokenizer();
        List<Integer> ids = new ArrayList<>();
        if (file != null) {
            for (int t : tokenizer.encode(TextFiles.read(file, "--file"), true, false)) ids.add(t);
        } else {
            Path list = heldout != null ? heldout : model.model.toAbsolutePath().resolveSibling("heldout_files.txt");
            if (!Files.isRegularFile(list)) {
                throw new IllegalArgumentException(heldout != null ? "--heldout " + list + ": no such file"
                        : "no text: give --file TEXT or --heldout LIST (no heldout_files.txt beside the model)");
            }
            List<String> names = TextFiles.read(list, "--heldout").lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
            Map<String, String> byName = new LinkedHashMap<>();
            for (Corpus.Document d : Corpus.read(srcZip, "--src-zip", names::contains)) byName.put(d.name(), d.text());
            boolean first = true;
            for (String name : names) {
                String doc = byName.get(name);
                if (doc == null) throw new IllegalArgumentException("--heldout " + list + ": no entry " + name + " in " + srcZip);
                for (int t : tokenizer.encode(withoutLicenseHeader(doc), first, false)) ids.add(t);
                first = false;
                if (ids.size() >= tokens) break;
            }
        }
        if (ids.size() < tokens) throw new IllegalArgumentException("the text holds " + ids.size() + " tokens, fewer than --tokens " + tokens);
        return ids.subList(0, tokens).stream().mapToInt(Integer::intValue).toArray();
    }

    /** The text after a leading block comment that holds a copyright notice (the training corpus had none). */
    static String withoutLicenseHeader(String text) {
        if (!text.startsWith("/*")) return text;
        int end = text.indexOf("*/");
        if (end < 0 || !text.substring(0, end).contains("Copyright")) return text;
        return text.substring(end + 2).stripLeading();
    }

    /**
     * Per position i, the negative log-likelihood (nats) of token i + 1 after tokens 0..i under
     * {@code policy}, fed {@code chunk} tokens per forward call on a new sequence (removed after).
     */
    static double[] nll(Plan plan, int[] ids, AttentionPolicy policy, int chunk) {
        int seq = plan.cache().newSequence();
        double[] nll = new double[ids.length - 1];
        try {
            for (int from = 0; from < ids.length - 1; from += chunk) {
                int to = Math.min(ids.length - 1, from + chunk);
                Batch.Builder b = Batch.builder().policy(seq, policy);
                for (int i = from; i < to; i++) b.token(seq, i, ids[i], true);
                ForwardResult r = plan.forward(b.build());
                for (int i = from; i < to; i++) nll[i] = negativeLogLikelihood(r.logits(i - from), ids[i + 1]);
            }
        } finally {
            plan.cache().remove(seq);
        }
        return nll;
    }

    /** −log softmax(logits)[target], in double. */
    static double negativeLogLikelihood(float[] logits, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : logits) max = Math.max(max, x);
        double sum = 0;
        for (float x : logits) sum += Math.exp(x - max);
        return Math.log(sum) + max - logits[target];
    }

    private Scored bucketed(String mode, double[] nll, double seconds) {
        int buckets = (nll.length + bucket - 1) / bucket;
        double[] sums = new double[buckets];
        int[] counts = new int[buckets];
        for (int i = 0; i < nll.length; i++) {
            sums[i / bucket] += nll[i];
            counts[i / bucket]++;
        }
        return new Scored(mode, sums, counts, seconds);
    }

    private void table(PrintWriter out, List<Scored> results) {
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-13s", "positions"));
        for (Scored s : results) head.append(String.format(Locale.ROOT, " | %-24s", s.mode() + " NLL / ppl"));
        out.println(head);
        int buckets = results.get(0).sums().length;
        for (int b = 0; b < buckets; b++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-13s", b * bucket + "-" + (b * bucket + results.get(0).counts()[b] - 1)));
            for (Scored s : results) row.append(String.format(Locale.ROOT, " | %7.3f / %-14.1f", s.mean(b), Math.exp(s.mean(b))));
            out.println(row);
        }
        StringBuilder all = new StringBuilder(String.format(Locale.ROOT, "%-13s", "all"));
        for (Scored s : results) all.append(String.format(Locale.ROOT, " | %7.3f / %-14.1f", s.overall(), Math.exp(s.overall())));
        out.println(all);
    }

    private void writeJson(ModelOptions.Loaded l, int count, List<Scored> results) throws IOException {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("model", model.model.toString());
        report.put("device", l.plan().backend().id());
        report.put("threads", l.threads());
        report.put("context", l.plan().cache().capacity());
        report.put("trained_context_length", l.model().config().contextLength());
        report.put("text", file != null ? file.toString() : "held-out files of " + srcZip);
        report.put("tokens", count);
        report.put("bucket", bucket);
        List<Object> modes = new ArrayList<>();
        for (Scored s : results) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("attention", s.mode());
            m.put("mean_nll", s.overall());
            m.put("perplexity", Math.exp(s.overall()));
            m.put("seconds", s.seconds());
            List<Object> rows = new ArrayList<>();
            for (int b = 0; b < s.sums().length; b++) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("from", b * bucket);
                r.put("count", s.counts()[b]);
                r.put("mean_nll", s.mean(b));
                r.put("perplexity", Math.exp(s.mean(b)));
                rows.add(r);
            }
            m.put("buckets", rows);
            modes.add(m);
        }
        report.put("modes", modes);
        if (json.toAbsolutePath().getParent() != null) Files.createDirectories(json.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), report);
    }

    private void writeChart(ModelConfig config, List<Scored> results) {
        XYChart c = new XYChartBuilder().width(800).height(450).title(config.name() + ": perplexity by position (trained context_length "
                + config.contextLength() + ")").xAxisTitle("position (bucket start)").yAxisTitle("mean NLL (nats / token)").build();
        Color[] colors = {new Color(0x2a6fdb), new Color(0xe07b39), new Color(0x3a9d5d), new Color(0x8e44ad)};
        for (int i = 0; i < results.size(); i++) {
            Scored s = results.get(i);
            List<Double> x = new ArrayList<>(), y = new ArrayList<>();
            for (int b = 0; b < s.sums().length; b++) {
                x.add((double) b * bucket);
                y.add(s.mean(b));
            }
            c.addSeries(s.mode(), x, y).setLineColor(colors[i % colors.length]);
        }
        try {
            if (chart.toAbsolutePath().getParent() != null) Files.createDirectories(chart.toAbsolutePath().getParent());
            BitmapEncoder.saveBitmap(c, chart.toString().replaceAll("\\.png$", ""), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the chart " + chart, e);
        }
    }
}
