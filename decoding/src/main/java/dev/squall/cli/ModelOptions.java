package dev.squall.cli;

import dev.squall.backend.Activations;
import dev.squall.backend.Backend;
import dev.squall.backend.Backends;
import dev.squall.backend.CacheType;
import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.backend.java.JavaBackend;
import dev.squall.format.WeightFormat;
import dev.squall.graph.AttentionPolicy;
import dev.squall.format.WeightFormats;
import dev.squall.model.Model;
import dev.squall.quant.OnTheFlyConversion;
import dev.squall.quant.QuantizationException;
import dev.squall.quant.QuantizeOptions;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine.Option;

/** The flags that choose a model and where it runs, shared by every command that runs one. */
public final class ModelOptions {

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE",
            description = "GGUF model file, or sample:NAME[:FORMAT] for a sample model (written when absent), e.g. sample:tiny.")
    public Path model;

    @Option(names = "--device", defaultValue = "java", paramLabel = "ID",
            description = "Where to run: java (default) or tornado:D:N (see 'squall devices').")
    public String device = "java";

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "CPU threads (default: all cores).")
    public Integer threads;

    @Option(names = {"-c", "--ctx-size"}, defaultValue = "0", paramLabel = "N",
            description = "Context size in tokens (default 0: the model's, at most 4096).")
    public int contextSize;

    @Option(names = {"-b", "--batch-size"}, defaultValue = "512", paramLabel = "N",
            description = "Prompt tokens per forward call (default ${DEFAULT-VALUE}).")
    public int batchSize = 512;

    @Option(names = "--weights", paramLabel = "TYPE",
            description = {"Convert the weight matrices to this format as the model loads, into off-heap memory",
                    "(mxfp4, nvfp4, mxfp8, mxfp8-e5m2, fp8-e4m3, fp8-e5m2, q8_0, q4_0, ...; from F32, F16, BF16 or Q8_0);",
                    "the same bytes as 'squall quantize --type TYPE'."})
    public String weights;

    @Option(names = "--activations", defaultValue = "f32", paramLabel = "f32|q8",
            description = {"What the CPU matmuls multiply the weights with: f32 (default) or q8, activations rounded to Q8_0",
                    "per token and integer block dot products for Q8_0, Q4_0, MXFP4, Q4_K and Q6_K weights (lossy against f32, as llama.cpp does;",
                    "batches equal token by token). Java backend only."})
    public String activations = "f32";

    @Option(names = "--cache-type-k", defaultValue = "f32", paramLabel = "f32|f16",
            description = "How the KV cache stores keys: f32 (default) or f16 (half the bytes; rounded as llama.cpp rounds). Java backend only.")
    public String cacheTypeK = "f32";

    @Option(names = "--cache-type-v", defaultValue = "f32", paramLabel = "f32|f16",
            description = "How the KV cache stores values: f32 (default) or f16. Java backend only.")
    public String cacheTypeV = "f32";

    @Option(names = "--attention", paramLabel = "MODE",
            description = {"Attention over the context: dense (default, causal) or lm-infinite[:SINKS,WINDOW] (LM-Infinite, Han et al. 2023:",
                    "the first SINKS tokens plus the last WINDOW, RoPE distances to the sinks capped at WINDOW; default SINKS "
                            + AttentionMode.DEFAULT_SINKS + ", the paper's few",
                    "starting tokens, and WINDOW the model's training context, its context_length). Java backend only."})
    public String attention;

    /** The modes {@code --attention} lists (dense when not given). */
    public List<AttentionMode> attentionModes() {
        return attention == null ? List.of(AttentionMode.DENSE) : AttentionMode.parseList(attention);
    }

    /** The one mode of {@code --attention}; a list is refused (only 'squall perplexity' compares several). */
    public AttentionMode attentionMode() {
        List<AttentionMode> modes = attentionModes();
        if (modes.size() != 1) throw new IllegalArgumentException("--attention " + attention + ": give one mode (a list is for 'squall perplexity')");
        return modes.get(0);
    }

    /**
     * Refuses lm-infinite where {@code command}'s batches are built outside a session and carry no
     * policy (a server's scheduler, superposed decoding, head training): there it would be ignored.
     */
    public void requireDense(String command) {
        if (attentionMode().lmInfinite()) {
            throw new IllegalArgumentException("--attention " + attention + ": " + command + " attends densely only (lm-infinite runs in generate, chat, logits and perplexity)");
        }
    }

    public CacheType cacheTypeK() { return CacheType.parse("--cache-type-k", cacheTypeK); }

    public CacheType cacheTypeV() { return CacheType.parse("--cache-type-v", cacheTypeV); }

    /** The parsed {@code --activations}. */
    public Activations activations() { return Activations.parse(activations); }

    /** Centroids per head of a squeezed context the plan must hold (a device reserves room; {@code --context} sets it). */
    public int squeezedClusters;

    /** Sequences of the context size the KV cache holds at once (a server's); 1 = one sequence's worth of cells. */
    public int cacheSequences = 1;

    public int threads() {
        int t = threads == null ? JavaBackend.defaultThreads() : threads;
        if (t < 1 || t > 1024) throw new IllegalArgumentException("--threads " + t + " is out of range (1 to 1024)");
        return t;
    }

    /** Resolves {@code sample:} references (writing the sample when absent), then checks every flag. */
    public void check(PrintWriter err) {
        if (SampleRef.is(model)) model = SampleRef.resolve(model, err);
        threads();
        if (contextSize < 0) throw new IllegalArgumentException("--ctx-size " + contextSize + " is out of range (0 = the model's, or a positive count)");
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size " + batchSize + " is out of range (a positive count)");
        if (!Files.isRegularFile(model)) throw new IllegalArgumentException("--model " + model + ": no such file");
        weightFormat();
        activations();
        cacheTypeK();
        cacheTypeV();
        attentionModes();
    }

    /** The format of {@code --weights}, or null when the matrices stay as stored. */
    public WeightFormat weightFormat() {
        if (weights == null) return null;
        try {
            return WeightFormats.byName(weights);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--weights " + e.getMessage());
        }
    }

    /** The conversion {@code --weights} asks for, or null; the model that receives it closes it. */
    public OnTheFlyConversion conversion() {
        WeightFormat f = weightFormat();
        return f == null ? null : new OnTheFlyConversion(QuantizeOptions.to(f));
    }

    /** Opens the model, converting its matrices as {@code --weights} asks and reporting it on {@code err}. */
    public Model open(PrintWriter err, java.util.function.LongConsumer progress) {
        OnTheFlyConversion conversion = conversion();
        Model m;
        try {
            m = Model.open(model, progress, conversion);
        } catch (QuantizationException e) {
            throw new IllegalArgumentException("--weights " + weights + ": " + e.getMessage(), e);
        }
        if (conversion != null) {
            err.println("squall: " + conversion.report());
            err.flush();
        }
        return m;
    }

    /**
     * A model opened and compiled, with its load time and the policy of {@code --attention} for it
     * (causal where the command compares several modes).
     */
    public record Loaded(Model model, Plan plan, int threads, double loadSeconds, AttentionPolicy attention) implements AutoCloseable {
        @Override public void close() {
            plan.close();
            model.close();
        }
    }

    /** Opens the model, pages its weights in (with a progress bar on a terminal) and compiles it; {@code --attention} holds one mode. */
    public Loaded load(PrintWriter err) { return load(err, false); }

    /** As {@link #load(PrintWriter)}, {@code --attention} holding any number of modes (the command reads {@link #attentionModes}). */
    public Loaded loadForModes(PrintWriter err) { return load(err, true); }

    private Loaded load(PrintWriter err, boolean manyModes) {
        check(err);
        AttentionMode mode = manyModes ? AttentionMode.DENSE : attentionMode();
        long t0 = System.nanoTime();
        Backend backend = Backends.find(device);
        if (mode.lmInfinite() && !(backend instanceof JavaBackend)) {
            throw new IllegalArgumentException("--attention " + attention + ": " + backend.id() + " does not cap RoPE distances in its attention kernel;"
                    + " lm-infinite runs on the Java backend (--device java)");
        }
        Model m;
        if (Terminal.isInteractive() && model.toFile().length() > (64L << 20)) {
            try (ProgressBar bar = progressBar("loading", model.toFile().length())) {
                m = open(err, bar::stepTo);
            }
        } else {
            m = open(err, bytes -> {});
        }
        try {
            int ctx = contextSize > 0 ? contextSize : Math.min(m.config().contextLength(), 4096);
            Plan plan = m.compile(backend, new PlanOptions(ctx, threads(), null).withCacheCells(cacheSequences > 1 ? cacheSequences * ctx : 0).withActivations(activations()).withCacheTypes(cacheTypeK(), cacheTypeV()).withSqueezedClusters(squeezedClusters));
            return new Loaded(m, plan, threads(), (System.nanoTime() - t0) / 1e9, mode.policy(m.config()));
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    static ProgressBar progressBar(String task, long bytes) {
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(bytes).setUnit(" MiB", 1 << 20)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).hideEta().build();
    }
}
