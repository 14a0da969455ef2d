package dev.squall.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.squall.backend.Plan;
import dev.squall.cli.ModelOptions;
import dev.squall.cli.SpeculateOptions;
import dev.squall.generation.Decoder;
import dev.squall.generation.GenerateOptions;
import dev.squall.generation.GenerationResult;
import dev.squall.generation.Generator;
import dev.squall.generation.Session;
import dev.squall.generation.SpeculationStats;
import dev.squall.graph.Batch;
import dev.squall.graph.KvCache;
import dev.squall.sampling.Sampler;
import dev.squall.sampling.SamplerConfig;
import dev.squall.speculative.Swift;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bench --speculate ALG[,ALG…]}: plain decoding against each speculative algorithm on the
 * same prompts, interleaved (each prompt runs every decoder in turn, the order rotating from prompt
 * to prompt, so all see the same machine state): decode tokens/s, speedup over plain, τ, accepted
 * drafts, and where the time of a token goes (drafting, verifying forward calls, the rest), plus
 * what a verifying forward call of 8 tokens costs against a one-token call. Greedy runs also check
 * that every algorithm's tokens equal plain's.
 *
 * <p>Each generation gets a new decoder, as {@code generate} does, except SWIFT: one SWIFT decoder
 * serves all prompts, so the skip set it finds on the first ones is kept (its search is meant to
 * be paid once per task, not per prompt).
 */
final class SpeculateBench {

    /** One decoder's totals over the prompts. */
    static final class Totals {
        final String algorithm;
        long decodeTokens, decodeNanos, verifyNanos, draftNanos, drafted, accepted, committed, verifications;
        int prompts, equal;
        String detail;

        Totals(String algorithm) { this.algorithm = algorithm; }

        public String getAlgorithm() { return algorithm; }
        public double getTokensPerSecond() { return decodeTokens / (decodeNanos / 1e9); }
        public double getTau() { return verifications == 0 ? 0 : committed / (double) verifications; }
        public long getDrafted() { return drafted; }
        public long getAccepted() { return accepted; }
        public double getDraftMsPerToken() { return draftNanos / 1e6 / Math.max(1, committed); }
        public double getVerifyMsPerToken() { return verifyNanos / 1e6 / Math.max(1, committed); }
        public double getOtherMsPerToken() { return Math.max(0, decodeNanos - draftNanos - verifyNanos) / 1e6 / Math.max(1, committed); }
        public int getPrompts() { return prompts; }
        public int getEqualToPlain() { return equal; }
        public String getDetail() { return detail; }
    }

    /** The prompt used when no --prompts file is given: code, where drafts have something to find. */
    static final String DEFAULT_PROMPT = "public static int max(int[] values) {\n        int best = values[0];\n        for (int i = 1; i < values.length; i++) {";

    private final SpeculateOptions flags;
    private final List<String> algorithms;

    SpeculateBench(SpeculateOptions flags, String list) {
        this.flags = flags;
        this.algorithms = new ArrayList<>();
        for (String a : list.split(",")) {
            String alg = a.trim();
            if (!SpeculateOptions.ALGORITHMS.contains(alg)) {
                throw new IllegalArgumentException("--speculate " + alg + ": unknown algorithm (expected one or more of " + String.join(", ", SpeculateOptions.ALGORITHMS) + ", comma-separated)");
            }
            if (algorithms.contains(alg)) throw new IllegalArgumentException("--speculate " + list + ": " + alg + " is named twice");
            algorithms.add(alg);
        }
        if (algorithms.contains("draft") && flags.draftModel == null) throw new IllegalArgumentException("--speculate draft needs a draft model: --draft FILE");
        if (!algorithms.contains("draft") && flags.draftModel != null) throw new IllegalArgumentException("--draft is for --speculate draft, which is not in " + list);
        boolean heads = algorithms.contains("medusa") || algorithms.contains("hydra");
        if (heads && flags.headsFiles.isEmpty()) throw new IllegalArgumentException("--speculate medusa and hydra need draft heads: --heads FILE (one per kind; make them with squall train-heads)");
        if (!heads && !flags.headsFiles.isEmpty()) throw new IllegalArgumentException("--heads is for --speculate medusa or hydra, which are not in " + list);
        flags.checkSettings();
    }

    /** The prompts of {@code file}: one per line, or JSONL objects with a "text" field; blank lines are skipped. */
    static List<String> prompts(Path file, int limit) throws IOException {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("--prompts " + file + ": no such file");
        List<String> lines = dev.squall.cli.TextFiles.read(file, "--prompts").lines().toList();
        ObjectMapper mapper = new ObjectMapper();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size() && out.size() < limit; i++) {
            String line = lines.get(i);
            if (line.isBlank()) continue;
            if (line.stripLeading().startsWith("{")) {
                JsonNode n;
                try {
                    n = mapper.readTree(line);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalArgumentException("--prompts " + file + " line " + (i + 1) + ": not valid JSON (" + e.getOriginalMessage() + ")");
                }
                JsonNode text = n.get("text");
                if (text == null || !text.isTextual()) throw new IllegalArgumentException("--prompts " + file + " line " + (i + 1) + ": a JSON line needs a \"text\" string");
                out.add(text.asText());
            } else {
                out.add(line);
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException("--prompts " + file + ": no prompt in it");
        return out;
    }

    int run(ModelOptions target, List<String> prompts, int tokens, SamplerConfig sampling, Path json, PrintWriter out, PrintWriter err) throws IOException {
        ModelOptions.Loaded loaded = target.load(err);
        try {
            ModelOptions.Loaded draft = algorithms.contains("draft") ? flags.loadDraft(target, loaded.model(), err) : null;
            flags.headThreads = loaded.threads();
            List<String> all = new ArrayList<>(List.of("plain"));
            all.addAll(algorithms);
            List<int[]> encoded = new ArrayList<>();
            for (String p : prompts) encoded.add(loaded.model().tokenizer().encode(p, true, true));
            int context = loaded.plan().cache().capacity();
            for (int i = 0; i < encoded.size(); i++) {
                if (encoded.get(i).length + tokens > context) {
                    throw new IllegalArgumentException("prompt " + (i + 1) + " needs " + (encoded.get(i).length + tokens) + " positions with --decode " + tokens
                            + ", the context size is " + context + " (raise it with -c)");
                }
            }
            GenerateOptions options = new GenerateOptions(tokens, sampling, List.of(), 512);
            err.println("warming up (one short generation per decoder) ...");
            err.flush();
            for (String a : all) {
                try (Decoder d = flags.decoder(a, loaded.model(), draft, sampling)) {
                    generate(loaded, encoded.get(0), new GenerateOptions(Math.min(tokens, 32), sampling, List.of(), 512), d, 0);
                }
            }
            Decoder swift = all.contains("swift") ? flags.decoder("swift", loaded.model(), draft, sampling) : null;
            Map<String, Totals> totals = new LinkedHashMap<>();
            for (String a : all) totals.put(a, new Totals(a));
            for (int i = 0; i < encoded.size(); i++) {
                int[] plainTokens = null;
                Map<String, int[]> produced = new LinkedHashMap<>();
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  prompt %d/%d (%d tokens):", i + 1, encoded.size(), encoded.get(i).length));
                for (int k = 0; k < all.size(); k++) {
                    String a = all.get((i + k) % all.size());
                    Decoder d = a.equals("swift") ? swift : flags.decoder(a, loaded.model(), draft, sampling);
                    try {
                        Run r = generate(loaded, encoded.get(i), options, d, i);
                        add(totals.get(a), r);
                        produced.put(a, r.result.tokens());
                        line.append(String.format(Locale.ROOT, " %s %.1f", a, r.result.decodeTokensPerSecond()));
                    } finally {
                        if (d != swift) d.close();
                    }
                }
                plainTokens = produced.get("plain");
                for (String a : all) if (Arrays.equals(plainTokens, produced.get(a))) totals.get(a).equal++;
                err.println(line.append(" tok/s"));
                err.flush();
            }
            if (swift != null) {
                totals.get("swift").detail = ((Swift) swift).summary();
                swift.close();
            }
            double[] cost = forwardCost(loaded.plan(), encoded.get(0));
            print(out, loaded, encoded.size(), tokens, sampling, totals, cost);
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("date", LocalDate.now().toString());
            doc.put("machine", Map.of("cpu", cpuName(), "cores", Runtime.getRuntime().availableProcessors(), "java", Runtime.version().toString()));
            doc.put("model", target.model.toString());
            if (draft != null) doc.put("draft", flags.draftModel.toString());
            doc.put("settings", Map.of("threads", loaded.threads(), "prompts", encoded.size(), "new_tokens", tokens, "temperature", sampling.temperature(),
                    "device", loaded.plan().backend().id()));
            doc.put("forward_ms", Map.of("one_token", cost[0], "tree_of_8", cost[1]));
            doc.put("results", totals.values());
            Path file = json.toAbsolutePath();
            if (file.getParent() != null) Files.createDirectories(file.getParent());
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), doc);
            out.println("report: " + file);
            out.flush();
            boolean greedy = sampling.temperature() <= 0;
            for (Totals t : totals.values()) {
                if (greedy && t.equal != t.prompts) {
                    err.println("bench: " + t.algorithm + " differs from plain greedy on " + (t.prompts - t.equal) + " of " + t.prompts + " prompts: a bug");
                    return 1;
                }
            }
            return 0;
        } finally {
            flags.close();
            loaded.close();
        }
    }

    record Run(GenerationResult result, long verifyNanos, long draftNanos, long drafted, long accepted, long committed, long verifications) {}

    private static Run generate(ModelOptions.Loaded loaded, int[] prompt, GenerateOptions options, Decoder d, int index) {
        SpeculationStats st = d.stats();
        long dn = st.draftNanos(), dr = st.drafted(), ac = st.accepted(), co = st.committed(), ve = st.verifications();
        SamplerConfig c = options.sampling();
        Sampler sampler = new Sampler(new SamplerConfig(c.temperature(), c.topK(), c.topP(), c.minP(), c.repeatPenalty(), c.repeatLastN(),
                c.presencePenalty(), c.frequencyPenalty(), c.seed() + index));
        try (Session s = new Session(loaded.plan(), loaded.model().tokenizer(), sampler)) {
            GenerationResult r = Generator.generate(s, prompt, options, d, piece -> {});
            return new Run(r, Math.max(0, s.forwardNanos() - r.prefillNanos()), st.draftNanos() - dn, st.drafted() - dr, st.accepted() - ac,
                    st.committed() - co, st.verifications() - ve);
        }
    }

    private static void add(Totals t, Run r) {
        t.prompts++;
        t.decodeTokens += r.result.decodeTokens();
        t.decodeNanos += r.result.decodeNanos();
        t.verifyNanos += r.verifyNanos;
        t.draftNanos += r.draftNanos;
        t.drafted += r.drafted;
        t.accepted += r.accepted;
        t.committed += r.committed;
        t.verifications += r.verifications;
    }

    /** Median milliseconds of a one-token forward call and of a verifying call of an 8-token chain, after {@code prompt}. */
    static double[] forwardCost(Plan plan, int[] prompt) {
        KvCache cache = plan.cache();
        int seq = cache.newSequence();
        try {
            plan.forward(Batch.sequence(seq, 0, prompt));
            int n = prompt.length;
            double[] ms = new double[2];
            for (int which = 0; which < 2; which++) {
                int size = which == 0 ? 1 : 8;
                double[] times = new double[41];
                for (int rep = 0; rep < times.length; rep++) {
                    cache.truncate(seq, n);
                    Batch.Builder b = Batch.builder();
                    for (int i = 0; i < size; i++) b.token(seq, n + i, n + i, prompt[(i * 7) % n], true, new int[] {0, n + i + 1});
                    Batch batch = b.build();
                    long t0 = System.nanoTime();
                    plan.forward(batch);
                    times[rep] = (System.nanoTime() - t0) / 1e6;
                }
                ms[which] = SquallRun.median(Arrays.copyOfRange(times, 1, times.length));
            }
            return ms;
        } finally {
            cache.remove(seq);
        }
    }

    static String cpuName() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) if (l.startsWith("model name")) return l.substring(l.indexOf(':') + 1).trim();
        } catch (IOException | RuntimeException e) {
            // not Linux: the architecture below
        }
        return System.getProperty("os.arch");
    }

    private static void print(PrintWriter out, ModelOptions.Loaded loaded, int prompts, int tokens, SamplerConfig sampling, Map<String, Totals> totals, double[] cost) {
        out.printf(Locale.ROOT, "speculative decoding: %s, %d prompts × %d new tokens, %s, %s, %d threads, %s, %s%n", loaded.model().config().name(),
                prompts, tokens, sampling.temperature() <= 0 ? "greedy" : "temperature " + sampling.temperature(), loaded.plan().backend().id(),
                loaded.threads(), cpuName(), LocalDate.now());
        out.printf(Locale.ROOT, "%-10s %9s %8s %6s %17s %9s %9s %9s %8s%n", "decoder", "tokens/s", "speedup", "tau", "accepted/drafted", "draft", "verify", "other",
                "= plain");
        out.printf(Locale.ROOT, "%-10s %9s %8s %6s %17s %9s %9s %9s %8s%n", "", "", "", "", "", "ms/token", "ms/token", "ms/token", "");
        double plain = totals.get("plain").getTokensPerSecond();
        for (Totals t : totals.values()) {
            out.printf(Locale.ROOT, "%-10s %9.1f %7.2f× %6.2f %17s %9.2f %9.2f %9.2f %8s%n", t.algorithm, t.getTokensPerSecond(), t.getTokensPerSecond() / plain,
                    t.getTau(), t.drafted == 0 ? "-" : t.accepted + "/" + t.drafted, t.getDraftMsPerToken(), t.getVerifyMsPerToken(), t.getOtherMsPerToken(),
                    sampling.temperature() <= 0 ? t.equal + "/" + t.prompts : "n/a");
        }
        for (Totals t : totals.values()) if (t.detail != null) out.println(t.detail);
        out.printf(Locale.ROOT, "forward call: 1 token %.2f ms, 8-token tree %.2f ms (%.2f×)%n", cost[0], cost[1], cost[1] / cost[0]);
        out.flush();
    }
}
