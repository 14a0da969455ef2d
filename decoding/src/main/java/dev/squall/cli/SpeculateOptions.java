package dev.squall.cli;

import dev.squall.generation.Decoder;
import dev.squall.generation.Session;
import dev.squall.model.Model;
import dev.squall.sampling.Sampler;
import dev.squall.sampling.SamplerConfig;
import dev.squall.speculative.DraftModel;
import dev.squall.speculative.Jacobi;
import dev.squall.speculative.Lookahead;
import dev.squall.speculative.PromptLookup;
import dev.squall.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The flags that choose a decoder: plain sampling or one of the lossless speculative algorithms. */
public final class SpeculateOptions {

    /** The algorithms {@code --speculate} takes. */
    public static final List<String> ALGORITHMS = List.of("draft", "swift", "lookahead", "jacobi", "lookup", "medusa", "hydra");

    @Option(names = "--speculate", paramLabel = "ALG",
            description = {"Speculative decoding, lossless (greedy output equals plain greedy output token for token;",
                    "sampled output follows plain sampling's distribution): draft (needs --draft), swift, lookahead, jacobi, lookup,",
                    "medusa, hydra (need --heads; lossy only with --accept typical)."})
    public String algorithm;

    @Option(names = "--heads", paramLabel = "FILE", description = "medusa, hydra: the draft heads (made by train-heads for this model); repeatable (one per kind, for bench).")
    public List<Path> headsFiles = new ArrayList<>();

    @Option(names = "--tree-nodes", defaultValue = "16", paramLabel = "N", description = "medusa, hydra: most nodes of the candidate tree, 1 to 64; its shape follows the heads' measured accuracy (default ${DEFAULT-VALUE}).")
    public int treeNodes = 16;

    @Option(names = "--accept", defaultValue = "exact", paramLabel = "RULE",
            description = {"medusa, hydra: exact (lossless: greedy equals plain greedy, sampling follows plain sampling) or typical",
                    "(Medusa's typical acceptance, LOSSY at T > 0: keeps guesses with p > min(ε, α·exp(−H(p)))); default ${DEFAULT-VALUE}."})
    public String accept = "exact";

    @Option(names = "--typical-epsilon", defaultValue = "0.09", paramLabel = "E", description = "--accept typical: ε (default ${DEFAULT-VALUE}).")
    public double typicalEpsilon = 0.09;

    @Option(names = "--typical-alpha", defaultValue = "0.3", paramLabel = "A", description = "--accept typical: α (default ${DEFAULT-VALUE}).")
    public double typicalAlpha = 0.3;

    @Option(names = "--draft", paramLabel = "FILE", description = "The draft model for --speculate draft (same vocabulary as the model).")
    public Path draftModel;

    @Option(names = "--draft-max", paramLabel = "N", description = "Most tokens drafted per step (draft: 8, lookup: 10, lookahead: branch length 8, swift: 8).")
    public Integer draftMax;

    @Option(names = "--draft-min", paramLabel = "N", description = "Fewest tokens drafted before the draft may stop on low confidence (draft, swift; default 1).")
    public Integer draftMin;

    @Option(names = "--draft-p-min", paramLabel = "P", description = "Stop drafting once the draft's top probability is below P (draft: default 0.5, swift: 0.8; 0 = never).")
    public Double draftPMin;

    @Option(names = "--ngram-min", defaultValue = "1", paramLabel = "N", description = "lookup: shortest n-gram matched (default ${DEFAULT-VALUE}).")
    public int ngramMin = 1;

    @Option(names = "--ngram-max", defaultValue = "3", paramLabel = "N", description = "lookup: longest n-gram matched (default ${DEFAULT-VALUE}).")
    public int ngramMax = 3;

    @Option(names = "--branches", defaultValue = "24", paramLabel = "N", description = "lookahead: most draft tokens over all branches of the tree (default ${DEFAULT-VALUE}).")
    public int branches = 24;

    @Option(names = "--lookahead-prefix", defaultValue = "4", paramLabel = "N", description = "lookahead: longest suffix of the text matched in the trie (default ${DEFAULT-VALUE}).")
    public int lookaheadPrefix = 4;

    @Option(names = "--lookahead-corpus", paramLabel = "FILE", description = "lookahead: warm the n-gram trie with this text file.")
    public Path lookaheadCorpus;

    @Option(names = "--jacobi-window", defaultValue = "4", paramLabel = "W", description = "jacobi: lookahead window W (default ${DEFAULT-VALUE}).")
    public int jacobiWindow = 4;

    @Option(names = "--jacobi-ngram", defaultValue = "4", paramLabel = "N", description = "jacobi: n-gram size N (default ${DEFAULT-VALUE}).")
    public int jacobiNgram = 4;

    @Option(names = "--jacobi-verify", defaultValue = "4", paramLabel = "G", description = "jacobi: n-grams verified per step G (default ${DEFAULT-VALUE}).")
    public int jacobiVerify = 4;

    /** Whether a speculative algorithm was asked for. */
    public boolean speculates() { return algorithm != null && !algorithm.equals("plain"); }

    /** Checks the flags before any model loads. */
    public void check() {
        if (algorithm == null || algorithm.equals("plain")) {
            if (draftModel != null) throw new IllegalArgumentException("--draft needs --speculate draft");
            return;
        }
        if (!ALGORITHMS.contains(algorithm)) {
            throw new IllegalArgumentException("--speculate " + algorithm + ": unknown algorithm (expected one of " + String.join(", ", ALGORITHMS) + ")");
        }
        if (algorithm.equals("draft") && draftModel == null) throw new IllegalArgumentException("--speculate draft needs a draft model: --draft FILE");
        if (!algorithm.equals("draft") && draftModel != null) throw new IllegalArgumentException("--draft is for --speculate draft, not " + algorithm);
        boolean heads = algorithm.equals("medusa") || algorithm.equals("hydra");
        if (heads && headsFiles.isEmpty()) throw new IllegalArgumentException("--speculate " + algorithm + " needs draft heads: --heads FILE (make them with squall train-heads)");
        if (!heads && !headsFiles.isEmpty()) throw new IllegalArgumentException("--heads is for --speculate medusa or hydra, not " + algorithm);
        if (!heads && !accept.equals("exact")) throw new IllegalArgumentException("--accept " + accept + " is for --speculate medusa or hydra, not " + algorithm);
        checkSettings();
    }

    /** Checks the per-algorithm settings (files named, counts and bounds), whichever algorithms run. */
    public void checkSettings() {
        if (draftModel != null && !SampleRef.is(draftModel) && !Files.isRegularFile(draftModel)) throw new IllegalArgumentException("--draft " + draftModel + ": no such file");
        if (lookaheadCorpus != null && !Files.isRegularFile(lookaheadCorpus)) throw new IllegalArgumentException("--lookahead-corpus " + lookaheadCorpus + ": no such file");
        if (draftMax != null && draftMax < 1) throw new IllegalArgumentException("--draft-max " + draftMax + " is out of range (a positive count)");
        if (draftMin != null && draftMin < 0) throw new IllegalArgumentException("--draft-min " + draftMin + " is out of range (0 or more)");
        if (draftPMin != null && !(draftPMin >= 0 && draftPMin <= 1)) throw new IllegalArgumentException("--draft-p-min " + draftPMin + " is out of range [0, 1]");
        for (Path f : headsFiles) if (!Files.isRegularFile(f)) throw new IllegalArgumentException("--heads " + f + ": no such file");
        if (treeNodes < 1 || treeNodes > 64) throw new IllegalArgumentException("--tree-nodes " + treeNodes + " is out of range [1, 64]");
        if (!accept.equals("exact") && !accept.equals("typical")) throw new IllegalArgumentException("--accept " + accept + ": unknown rule (expected exact or typical)");
        if (!(typicalEpsilon > 0 && typicalEpsilon < 1)) throw new IllegalArgumentException("--typical-epsilon " + typicalEpsilon + " is out of range (0, 1)");
        if (!(typicalAlpha > 0 && typicalAlpha <= 1)) throw new IllegalArgumentException("--typical-alpha " + typicalAlpha + " is out of range (0, 1]");
    }

    private final java.util.Map<Path, dev.squall.heads.HeadsFile.Loaded> heads = new java.util.HashMap<>();
    private dev.squall.heads.Dense dense;

    /** Threads the heads of medusa and hydra use (0: all cores); set from the model's thread count. */
    public int headThreads;

    /**
     * The {@code --heads} file of {@code algorithm}'s kind for {@code target}, loaded once; heads for
     * another model are refused (naming both), as is a list without heads of that kind.
     */
    public dev.squall.heads.HeadsFile.Loaded heads(String algorithm, Model target) {
        if (headsFiles.isEmpty()) throw new IllegalArgumentException("--speculate " + algorithm + " needs draft heads: --heads FILE (make them with squall train-heads)");
        List<String> kinds = new ArrayList<>();
        for (Path f : headsFiles) {
            dev.squall.heads.HeadsFile.Loaded h = heads.computeIfAbsent(f, p -> dev.squall.heads.HeadsFile.load(p, target, target.file().path()));
            if (h.heads().kind().label().equals(algorithm)) return h;
            kinds.add(f + " holds " + h.heads().kind().label() + " heads");
        }
        throw new IllegalArgumentException("--speculate " + algorithm + " needs " + algorithm + " heads, but " + String.join(", ", kinds));
    }

    private dev.squall.generation.Decoder headsDecoder(String algorithm, Model target) {
        dev.squall.heads.HeadsFile.Loaded h = heads(algorithm, target);
        if (dense == null) dense = new dev.squall.heads.Dense(headThreads > 0 ? headThreads : Math.max(1, Runtime.getRuntime().availableProcessors()));
        var shape = dev.squall.heads.HeadTree.shape(h.info(), h.heads().count(), treeNodes);
        boolean typical = accept.equals("typical");
        return new dev.squall.speculative.HeadsDecoder(h.heads(), shape, dense, typical ? typicalEpsilon : null, typical ? typicalAlpha : null);
    }

    /** A loaded draft model with its plan, closed with the decoder. */
    private final List<AutoCloseable> owned = new ArrayList<>();

    /**
     * The decoder these flags ask for, for a session on {@code target}; a draft model is loaded
     * like the target (same device, threads, context).
     */
    public Decoder decoder(ModelOptions target, Model targetModel, SamplerConfig sampling, PrintWriter err) throws IOException {
        if (!speculates()) return Decoder.plain();
        headThreads = target.threads();
        ModelOptions.Loaded draft = algorithm.equals("draft") ? loadDraft(target, targetModel, err) : null;
        return decoder(algorithm, targetModel, draft, sampling);
    }

    /**
     * A new decoder of {@code algorithm} with these flags' settings ({@code "plain"} too); the
     * draft algorithm drafts on a new sequence of {@code draft}'s plan.
     */
    public Decoder decoder(String algorithm, Model targetModel, ModelOptions.Loaded draft, SamplerConfig sampling) throws IOException {
        return switch (algorithm) {
            case "plain" -> Decoder.plain();
            case "lookup" -> new PromptLookup(ngramMin, ngramMax, draftMax == null ? 10 : draftMax);
            case "lookahead" -> new Lookahead(lookaheadPrefix, draftMax == null ? 8 : draftMax, branches, corpus(targetModel.tokenizer()));
            case "jacobi" -> new Jacobi(jacobiWindow, jacobiNgram, jacobiVerify, sampling.seed());
            case "draft" -> {
                if (draft == null) throw new IllegalArgumentException("--speculate draft needs a draft model: --draft FILE");
                SamplerConfig c = sampling;
                Sampler draftSampler = new Sampler(new SamplerConfig(c.temperature(), c.topK(), c.topP(), c.minP(), c.repeatPenalty(), c.repeatLastN(),
                        c.presencePenalty(), c.frequencyPenalty(), c.seed() ^ 0x5DEECE66DL));
                Session session = new Session(draft.plan(), draft.model().tokenizer(), draftSampler).attention(draft.attention());
                yield new DraftModel(session, draftMin == null ? 1 : draftMin, draftMax == null ? 8 : draftMax, draftPMin == null ? 0.5 : draftPMin);
            }
            case "swift" -> SwiftFlags.decoder(targetModel, draftMax, draftMin, draftPMin, sampling);
            case "medusa", "hydra" -> headsDecoder(algorithm, targetModel);
            default -> throw new IllegalArgumentException("--speculate " + algorithm + ": unknown algorithm (expected one of " + String.join(", ", ALGORITHMS) + ")");
        };
    }

    private int[] corpus(Tokenizer tokenizer) throws IOException {
        if (lookaheadCorpus == null) return null;
        return tokenizer.encode(TextFiles.read(lookaheadCorpus, "--lookahead-corpus"), false, false);
    }

    /** Loads {@code --draft} like the target (device, threads, context), checks its vocabulary, and closes it with {@link #close}. */
    public ModelOptions.Loaded loadDraft(ModelOptions target, Model targetModel, PrintWriter err) {
        ModelOptions d = new ModelOptions();
        d.model = draftModel;
        d.device = target.device;
        d.threads = target.threads;
        d.contextSize = target.contextSize > 0 ? target.contextSize : Math.min(targetModel.config().contextLength(), 4096);
        d.batchSize = target.batchSize;
        d.attention = target.attention;
        ModelOptions.Loaded loaded = d.load(err);
        owned.add(loaded);
        Vocabularies.requireSame(targetModel, target.model, loaded.model(), d.model);
        err.println("squall: draft " + loaded.model().config().name() + " (" + loaded.model().config().layers() + " layers, dim "
                + loaded.model().config().embeddingSize() + ", " + loaded.model().formatSummary() + ")");
        err.flush();
        return loaded;
    }

    /** Closes the draft model, if one was loaded. */
    public void close() {
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the draft model: " + e.getMessage(), e);
            }
        }
        owned.clear();
        if (dense != null) dense.close();
        dense = null;
    }
}
