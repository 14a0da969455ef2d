package dev.squall.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.squall.backend.Plan;
import dev.squall.cli.ModelOptions;
import dev.squall.cli.SuperposedOptions;
import dev.squall.generation.Session;
import dev.squall.graph.Batch;
import dev.squall.graph.ForwardResult;
import dev.squall.graph.KvCache;
import dev.squall.sampling.Sampler;
import dev.squall.sampling.SamplerConfig;
import dev.squall.superposed.NgramModel;
import dev.squall.superposed.SuperposedDecoder;
import dev.squall.superposed.TokenEmbeddings;
import dev.squall.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code bench --superposed K[,K…]}: what Superposed Decoding (Shen et al. 2024) measures,
 * generations per unit of compute at comparable quality, against K independent samples of the
 * same prompts. Per K, four ways to get K drafts of N tokens after each prompt:
 * <ul>
 *   <li>{@code superposed+ngram} / {@code superposed}: one forward call per token, with and without
 *       the n-gram filter (the first only with {@code --ngram});
 *   <li>{@code sampled}: K nucleus samples one after another, K calls per token (the paper's
 *       baseline);
 *   <li>{@code sampled-batched}: the same K samples as K sequences of one batch, one call of K
 *       tokens per token (what a server would do).
 * </ul>
 * plus {@code greedy} (one draft) as a quality reference. Quality is each draft's mean negative
 * log-likelihood per token under the model, teacher-forced (perplexity = e^NLL), and the best of
 * the K drafts per prompt; diversity is the share of distinct drafts and of distinct bigrams.
 * All arms prefill the same prompt the same way; the times are decoding only, everything after the
 * prompt's logits, the arms' order rotating per prompt.
 */
final class SuperposedBench {

    /** One way of drafting, summed over the prompts. */
    static final class Totals {
        final String method;
        final int drafts;
        int prompts;
        long draftTokens, forwards, nanos;
        double nll, bestNll, distinctDrafts, distinctBigrams;

        Totals(String method, int drafts) {
            this.method = method;
            this.drafts = drafts;
        }

        public String getMethod() { return method; }
        public int getK() { return drafts; }
        public int getPrompts() { return prompts; }
        public long getDraftTokens() { return draftTokens; }
        public long getForwardCalls() { return forwards; }
        public double getForwardCallsPerDraftToken() { return forwards / (double) draftTokens; }
        public double getMsPerDraftToken() { return nanos / 1e6 / draftTokens; }
        public double getDraftTokensPerSecond() { return draftTokens / (nanos / 1e9); }
        public double getMeanNll() { return nll / (prompts * drafts); }
        public double getPerplexity() { return Math.exp(getMeanNll()); }
        public double getBestOfKNll() { return bestNll / prompts; }
        public double getBestOfKPerplexity() { return Math.exp(getBestOfKNll()); }
        public double getDistinctDrafts() { return distinctDrafts / prompts; }
        public double getDistinctBigrams() { return distinctBigrams / prompts; }
    }

    /** The drafts of one prompt by one method, and their decoding cost. */
    record Drafts(List<int[]> tokens, long forwards, long nanos) {}

    private SuperposedBench() {}

    static int run(BenchCommand b, PrintWriter out, PrintWriter err, int threads) throws IOException {
        if (b.models.size() != 1) throw new IllegalArgumentException("--superposed measures one model: give -m once (got " + b.models.size() + ")");
        for (int k : b.superposed) SuperposedOptions.checkDrafts("--superposed", k);
        if (b.speculate.algorithm != null) throw new IllegalArgumentException("--superposed and --speculate: measure one at a time");
        if (b.limit < 1) throw new IllegalArgumentException("--limit " + b.limit + " is out of range (a positive count)");
        if (b.decode < 2) throw new IllegalArgumentException("--decode " + b.decode + " is out of range (at least 2 tokens per draft)");
        if (!Float.isFinite(b.temperature)) throw new IllegalArgumentException("--temp " + b.temperature + " is out of range (a finite number; 0 or less = 0.8 here)");
        if (b.ngram != null && !Files.isRegularFile(b.ngram)) throw new IllegalArgumentException("--ngram " + b.ngram + ": no such file");
        List<String> texts = b.prompts == null ? List.of(SpeculateBench.DEFAULT_PROMPT) : SpeculateBench.prompts(b.prompts, b.limit);
        int maxK = b.superposed.stream().mapToInt(Integer::intValue).max().orElseThrow();
        ModelOptions target = new ModelOptions();
        target.model = b.models.get(0);
        target.device = b.device;
        target.threads = threads;
        target.contextSize = b.contextSize;
        target.weights = b.weights;
        target.cacheSequences = maxK + 2;
        SuperposedOptions flags = new SuperposedOptions();
        flags.ngram = b.ngram;
        SamplerConfig base = SamplerConfig.defaults(b.seed);
        SamplerConfig sampling = new SamplerConfig(b.temperature > 0 ? b.temperature : 0.8f, base.topK(), base.topP(), base.minP(), base.repeatPenalty(),
                base.repeatLastN(), base.presencePenalty(), base.frequencyPenalty(), b.seed);
        int n = b.decode;
        try (ModelOptions.Loaded loaded = target.load(err)) {
            Plan plan = loaded.plan();
            Tokenizer tok = loaded.model().tokenizer();
            NgramModel ngram = flags.loadNgram(loaded.model(), target.model);
            TokenEmbeddings embeddings = TokenEmbeddings.of(loaded.model().graph());
            List<int[]> prompts = new ArrayList<>();
            for (String t : texts) {
                int[] p = tok.encode(t, true, true);
                if (p.length + n > plan.cache().capacity()) {
                    throw new IllegalArgumentException("prompt " + (prompts.size() + 1) + " needs " + (p.length + n) + " positions with --decode " + n
                            + ", the context size is " + plan.cache().capacity() + " (raise it with -c)");
                }
                prompts.add(p);
            }
            boolean[] banned = banned(tok, embeddings.rows());
            Map<String, Totals> totals = new LinkedHashMap<>();
            totals.put("greedy", new Totals("greedy", 1));
            for (int k : b.superposed) {
                if (ngram != null) totals.put("superposed+ngram K=" + k, new Totals("superposed+ngram", k));
                totals.put("superposed K=" + k, new Totals("superposed", k));
                totals.put("sampled K=" + k, new Totals("sampled", k));
                totals.put("sampled-batched K=" + k, new Totals("sampled-batched", k));
            }
            List<String> arms = List.copyOf(totals.keySet());
            err.printf(Locale.ROOT, "superposed decoding against K samples (T %.2f, top-p %.2f): %d prompts × %d tokens, arms %s%n",
                    sampling.temperature(), sampling.topP(), prompts.size(), n, arms);
            err.println("warming up (every arm on the first prompt) ...");
            err.flush();
            for (String arm : arms) draft(arm, totals.get(arm), prompts.get(0), n, plan, tok, embeddings, ngram, flags, sampling, banned, target.batchSize, 0);
            for (int i = 0; i < prompts.size(); i++) {
                int[] prompt = prompts.get(i);
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  prompt %d/%d (%d tokens): ms/draft token", i + 1, prompts.size(), prompt.length));
                for (int a = 0; a < arms.size(); a++) {
                    String arm = arms.get((i + a) % arms.size());
                    Totals t = totals.get(arm);
                    Drafts d = draft(arm, t, prompt, n, plan, tok, embeddings, ngram, flags, sampling, banned, target.batchSize, 1000L * (i + 1));
                    score(t, d, prompt, plan, target.batchSize);
                    line.append(String.format(Locale.ROOT, " | %s %.2f", arm, d.nanos / 1e6 / (d.tokens.size() * n)));
                }
                err.println(line);
                err.flush();
            }
            print(out, loaded, prompts.size(), n, sampling, ngram, totals);
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("date", LocalDate.now().toString());
            doc.put("machine", Map.of("cpu", SpeculateBench.cpuName(), "cores", Runtime.getRuntime().availableProcessors(), "java", Runtime.version().toString()));
            doc.put("model", target.model.toString());
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("threads", loaded.threads());
            settings.put("device", plan.backend().id());
            settings.put("prompts", prompts.size());
            settings.put("tokens_per_draft", n);
            settings.put("samples", Map.of("temperature", sampling.temperature(), "top_k", sampling.topK(), "top_p", sampling.topP(), "min_p", sampling.minP()));
            settings.put("ngram", ngram == null ? "none" : b.ngram + " (order " + ngram.order() + ", " + ngram.tokens() + " tokens)");
            settings.put("ngram_weight", flags.ngramWeight);
            settings.put("candidates_per_draft", "K");
            doc.put("settings", settings);
            doc.put("lossy", "superposed drafts are approximate: not samples of the model's distribution");
            doc.put("results", totals.values());
            Path file = (b.json.toString().equals("reports/bench.json") ? Path.of("reports/bench-superposed.json") : b.json).toAbsolutePath();
            if (file.getParent() != null) Files.createDirectories(file.getParent());
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), doc);
            out.println("report: " + file);
            out.flush();
        }
        return 0;
    }

    /** Tokens no method may draft (end of generation, control, outside the tokenizer), as the superposed decoder bans them. */
    private static boolean[] banned(Tokenizer tok, int rows) {
        boolean[] b = new boolean[rows];
        for (int t = 0; t < rows; t++) b[t] = t >= tok.vocabSize() || tok.isEndOfGeneration(t) || tok.isControl(t);
        return b;
    }

    private static Drafts draft(String arm, Totals t, int[] prompt, int n, Plan plan, Tokenizer tok, TokenEmbeddings embeddings, NgramModel ngram,
                                SuperposedOptions flags, SamplerConfig sampling, boolean[] banned, int batchSize, long seed) {
        return switch (t.method) {
            case "greedy", "superposed", "superposed+ngram" -> {
                SuperposedDecoder d = new SuperposedDecoder(plan, tok, embeddings, t.method.equals("superposed+ngram") ? ngram : null, flags.options(Math.max(1, t.drafts)));
                SuperposedDecoder.Result r = d.generate(prompt, n, batchSize);
                yield new Drafts(r.drafts().stream().map(SuperposedDecoder.Draft::tokens).toList(), r.decodeForwards(), r.decodeNanos());
            }
            case "sampled", "sampled-batched" -> sample(t.method.equals("sampled-batched"), t.drafts, prompt, n, plan, tok, sampling, banned, batchSize, seed);
            default -> throw new IllegalStateException("unknown arm " + arm);
        };
    }

    /**
     * K samples of {@code n} tokens after one prefill of {@code prompt}: forks of the prefilled
     * session, one after another, or all in one batch per token.
     */
    private static Drafts sample(boolean batched, int k, int[] prompt, int n, Plan plan, Tokenizer tok, SamplerConfig c, boolean[] banned, int batchSize, long seed) {
        try (Session base = new Session(plan, tok, new Sampler(SamplerConfig.greedy()))) {
            base.append(prompt, batchSize);
            float[] first = base.logits();
            long t0 = System.nanoTime(), forwards = 0;
            List<Session> forks = new ArrayList<>();
            List<Sampler> samplers = new ArrayList<>();
            List<int[]> out = new ArrayList<>();
            try {
                for (int j = 0; j < k; j++) {
                    Sampler s = new Sampler(new SamplerConfig(c.temperature(), c.topK(), c.topP(), c.minP(), c.repeatPenalty(), c.repeatLastN(),
                            c.presencePenalty(), c.frequencyPenalty(), c.seed() + seed + j));
                    samplers.add(s);
                    forks.add(base.fork(s));
                    out.add(new int[n]);
                }
                if (!batched) {
                    for (int j = 0; j < k; j++) {
                        Session f = forks.get(j);
                        for (int step = 0; step < n; step++) {
                            long before = f.forwards();
                            int token = draw(samplers.get(j), step == 0 ? first : f.logits(), banned);
                            forwards += f.forwards() - before;
                            out.get(j)[step] = token;
                            f.push(token);
                        }
                    }
                } else {
                    float[][] logits = new float[k][];
                    Arrays.fill(logits, first);
                    for (int step = 0; step < n; step++) {
                        if (step > 0) {
                            Batch.Builder b = Batch.builder();
                            for (Session f : forks) f.feedInto(b, 1);
                            long f0 = System.nanoTime();
                            ForwardResult r = plan.forward(b.build());
                            long nanos = System.nanoTime() - f0;
                            forwards++;
                            for (int j = 0; j < k; j++) {
                                logits[j] = r.logits(j);
                                forks.get(j).fed(1, logits[j], nanos);
                            }
                        }
                        for (int j = 0; j < k; j++) {
                            int token = draw(samplers.get(j), logits[j], banned);
                            out.get(j)[step] = token;
                            forks.get(j).push(token);
                        }
                    }
                }
                return new Drafts(out, forwards, System.nanoTime() - t0);
            } finally {
                for (Session f : forks) f.close();
            }
        }
    }

    private static int draw(Sampler s, float[] logits, boolean[] banned) {
        float[] l = logits.clone();
        for (int t = 0; t < l.length; t++) if (banned[t]) l[t] = Float.NEGATIVE_INFINITY;
        return s.sample(l);
    }

    /** Adds the drafts' teacher-forced NLL, the best of them, and their diversity to {@code t}. */
    private static void score(Totals t, Drafts d, int[] prompt, Plan plan, int batchSize) {
        KvCache cache = plan.cache();
        double best = Double.POSITIVE_INFINITY;
        int seq = cache.newSequence();
        try {
            float[] first = null;
            for (int s = 0; s < prompt.length; s += batchSize) {
                int e = Math.min(prompt.length, s + batchSize);
                first = plan.forward(Batch.sequence(seq, s, Arrays.copyOfRange(prompt, s, e))).logits(0);
            }
            for (int[] draft : d.tokens) {
                int child = cache.fork(seq);
                try {
                    double nll = logZ(first) - first[draft[0]];
                    Batch.Builder b = Batch.builder();
                    for (int i = 0; i + 1 < draft.length; i++) b.token(child, prompt.length + i, draft[i], true);
                    ForwardResult r = plan.forward(b.build());
                    for (int i = 0; i + 1 < draft.length; i++) {
                        float[] l = r.logits(i);
                        nll += logZ(l) - l[draft[i + 1]];
                    }
                    nll /= draft.length;
                    t.nll += nll;
                    best = Math.min(best, nll);
                } finally {
                    cache.remove(child);
                }
            }
        } finally {
            cache.remove(seq);
        }
        Set<List<Integer>> unique = new HashSet<>();
        Set<Long> bigrams = new HashSet<>();
        long allBigrams = 0;
        for (int[] draft : d.tokens) {
            unique.add(Arrays.stream(draft).boxed().toList());
            for (int i = 0; i + 1 < draft.length; i++, allBigrams++) bigrams.add((long) draft[i] << 32 | draft[i + 1]);
        }
        t.prompts++;
        t.draftTokens += (long) d.tokens.size() * d.tokens.getFirst().length;
        t.forwards += d.forwards;
        t.nanos += d.nanos;
        t.bestNll += best;
        t.distinctDrafts += unique.size() / (double) d.tokens.size();
        t.distinctBigrams += bigrams.size() / (double) allBigrams;
    }

    private static double logZ(float[] logits) {
        double max = Double.NEGATIVE_INFINITY, z = 0;
        for (float l : logits) max = Math.max(max, l);
        for (float l : logits) z += Math.exp(l - max);
        return max + Math.log(z);
    }

    private static void print(PrintWriter out, ModelOptions.Loaded loaded, int prompts, int n, SamplerConfig sampling, NgramModel ngram, Map<String, Totals> totals) {
        out.printf(Locale.ROOT, "%s, %d prompts × %d tokens per draft, %d threads, %s; samples: T %.2f, top-k %d, top-p %.2f, min-p %.2f%s%n",
                loaded.model().config().name(), prompts, n, loaded.threads(), loaded.plan().backend().id(), sampling.temperature(), sampling.topK(),
                sampling.topP(), sampling.minP(), ngram == null ? "" : String.format(Locale.ROOT, "; n-gram order %d over %,d tokens", ngram.order(), ngram.tokens()));
        out.println("superposed drafts are LOSSY (approximate, not samples of the model); NLL: teacher-forced nats/token under the model");
        out.printf(Locale.ROOT, "%-18s %3s %14s %11s %12s %8s %8s %10s %9s %10s%n", "method", "K", "calls/draft-tok", "ms/draft-tok", "draft tok/s",
                "NLL", "PPL", "best-of-K", "distinct", "distinct-2");
        for (Totals t : totals.values()) {
            out.printf(Locale.ROOT, "%-18s %3d %14.3f %11.3f %12.1f %8.3f %8.2f %10.2f %9.2f %10.2f%n", t.method, t.drafts, t.getForwardCallsPerDraftToken(),
                    t.getMsPerDraftToken(), t.getDraftTokensPerSecond(), t.getMeanNll(), t.getPerplexity(), t.getBestOfKPerplexity(),
                    t.getDistinctDrafts(), t.getDistinctBigrams());
        }
        out.flush();
    }
}
