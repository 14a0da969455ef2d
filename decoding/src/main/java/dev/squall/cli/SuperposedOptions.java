package dev.squall.cli;

import dev.squall.model.Model;
import dev.squall.superposed.NgramModel;
import dev.squall.superposed.SuperposedDecoder;
import dev.squall.superposed.TokenEmbeddings;
import dev.squall.superposed.VocabularyId;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The flags of superposed decoding ({@code generate --superposed K}): lossy, K drafts from one forward call per token. */
public final class SuperposedOptions {

    /** The range of K the launcher takes. */
    public static final int MIN_DRAFTS = 2, MAX_DRAFTS = 16;

    @Option(names = "--superposed", paramLabel = "K",
            description = {"Superposed decoding (Shen et al. 2024): K drafts (2 to 16) from one forward call per token over the",
                    "superposition of the drafts' last token embeddings; prints the K continuations. LOSSY: the drafts are",
                    "approximate, not samples of the model's distribution; the sampling flags do not apply."})
    public Integer drafts;

    @Option(names = "--ngram", paramLabel = "FILE",
            description = {"--superposed: the n-gram filter that tells the drafts apart (from 'squall ngram'), as in the paper;",
                    "without it the drafts are scored by the model's probabilities only."})
    public Path ngram;

    @Option(names = "--superposed-topk", paramLabel = "k", description = "--superposed: the model's top k tokens each draft may take (default: K).")
    public Integer candidates;

    @Option(names = "--ngram-weight", defaultValue = "0.5", paramLabel = "A",
            description = "--superposed: the n-gram probability's share α in [0, 1] of a token's score (default ${DEFAULT-VALUE}).")
    public double ngramWeight = 0.5;

    public boolean enabled() { return drafts != null; }

    /** Checks the flags before anything is loaded. */
    public void check() {
        if (drafts == null) {
            if (ngram != null) throw new IllegalArgumentException("--ngram is for --superposed K");
            if (candidates != null) throw new IllegalArgumentException("--superposed-topk is for --superposed K");
            return;
        }
        checkDrafts("--superposed", drafts);
        options(drafts);
        if (ngram != null && !Files.isRegularFile(ngram)) throw new IllegalArgumentException("--ngram " + ngram + ": no such file");
    }

    /** Refuses a K outside the launcher's range, naming {@code flag}. */
    public static void checkDrafts(String flag, int k) {
        if (k < MIN_DRAFTS || k > MAX_DRAFTS) throw new IllegalArgumentException(flag + " " + k + " is out of range (" + MIN_DRAFTS + " to " + MAX_DRAFTS + " drafts)");
    }

    /** The decoder settings for K drafts. */
    public SuperposedDecoder.Options options(int k) {
        if (candidates != null && (candidates < 1 || candidates > 256)) throw new IllegalArgumentException("--superposed-topk " + candidates + " is out of range (1 to 256)");
        if (!(ngramWeight >= 0 && ngramWeight <= 1)) throw new IllegalArgumentException("--ngram-weight " + ngramWeight + " is out of range [0, 1]");
        return new SuperposedDecoder.Options(k, candidates == null ? k : candidates, ngramWeight);
    }

    /** The n-gram model of {@code --ngram} checked against {@code model}'s vocabulary, or null without the flag. */
    public NgramModel loadNgram(Model model, Path modelFile) throws IOException {
        if (ngram == null) return null;
        try {
            NgramModel m = NgramModel.load(ngram);
            m.requireVocabulary(VocabularyId.of(model.tokenizer(), modelFile.getFileName().toString()));
            return m;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--ngram " + e.getMessage(), e);
        }
    }

    /** A continuation's text as streaming shows it (no leading space dropped). */
    static String text(dev.squall.tokenizer.Tokenizer tokenizer, int[] tokens) {
        dev.squall.tokenizer.StreamingDecoder d = tokenizer.streamingDecoder();
        StringBuilder s = new StringBuilder();
        for (int t : tokens) s.append(d.push(t));
        return s.append(d.flush()).toString();
    }

    /** {@code generate --superposed K}: the drafts numbered on {@code out}, the costs on {@code err}. */
    int generate(ModelOptions model, String text, int tokens, List<String> stops, boolean hidePrompt, boolean speculates, long seed,
                 PrintWriter out, PrintWriter err) throws IOException {
        if (speculates) throw new IllegalArgumentException("--superposed and --speculate: choose one (superposed decoding is lossy, speculation is not)");
        if (tokens < 1) throw new IllegalArgumentException("--superposed needs a token count per draft: -n N (got " + tokens + ")");
        if (!stops.isEmpty()) throw new IllegalArgumentException("--stop does not apply to --superposed (every draft has -n tokens)");
        model.requireDense("--superposed");
        try (ModelOptions.Loaded loaded = model.load(err)) {
            NgramModel filter = loadNgram(loaded.model(), model.model);
            SuperposedDecoder decoder = new SuperposedDecoder(loaded.plan(), loaded.model().tokenizer(), TokenEmbeddings.of(loaded.model().graph()), filter, options(drafts));
            int[] prompt = loaded.model().tokenizer().encode(text, true, true);
            Report.header(err, loaded, seed);
            SuperposedDecoder.Result r;
            try {
                r = decoder.generate(prompt, tokens, model.batchSize);
            } catch (dev.squall.generation.Session.ContextFullException e) {
                throw new IllegalArgumentException(e.getMessage() + " (raise it with -c)", e);
            }
            if (!hidePrompt) {
                out.println(text);
                out.println();
            }
            for (int i = 0; i < r.drafts().size(); i++) {
                SuperposedDecoder.Draft d = r.drafts().get(i);
                out.printf(Locale.ROOT, "--- draft %d of %d (score %.2f)%n", i + 1, r.drafts().size(), d.score());
                out.println(text(loaded.model().tokenizer(), d.tokens()));
            }
            out.flush();
            err.printf(Locale.ROOT, "superposed K=%d (lossy: approximate drafts, not samples of the model): %d forward calls for %d × %d tokens"
                            + " | %.1f tokens/s per draft, %.1f tokens/s in all | %s%n",
                    r.drafts().size(), r.decodeForwards(), r.drafts().size(), r.length(), r.tokensPerSecondPerDraft(), r.tokensPerSecond(),
                    filter == null ? "no n-gram filter (model probabilities only)" : String.format(Locale.ROOT, "n-gram filter %s (order %d, α %.2f)", ngram, filter.order(), ngramWeight));
            err.printf(Locale.ROOT, "load %.2f s | prefill %d tokens, %.1f tokens/s | decode %d forward calls, %.3f s%n", loaded.loadSeconds(), r.promptTokens(),
                    r.promptTokens() / (r.prefillNanos() / 1e9), r.decodeForwards(), r.decodeNanos() / 1e9);
            err.flush();
        }
        return 0;
    }
}
