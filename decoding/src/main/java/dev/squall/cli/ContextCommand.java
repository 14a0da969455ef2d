package dev.squall.cli;

import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.backend.java.JavaBackend;
import dev.squall.context.ContextBuilder;
import dev.squall.context.ContextFile;
import dev.squall.context.FixedContext;
import dev.squall.context.ModelIdentity;
import dev.squall.context.SqueezedIndexBuilder;
import dev.squall.graph.SqueezedIndex;
import dev.squall.model.Model;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code squall context build}: a fixed context computed once, with its Squeezed Attention index, into a context file. */
@Command(name = "context", mixinStandardHelpOptions = true, description = "Fixed contexts for --context (Squeezed Attention).",
        subcommands = ContextCommand.Build.class)
final class ContextCommand implements Runnable {

    @Spec CommandSpec spec;

    @Override public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }

    @Command(name = "build", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Prefill a text once and write its KV cache and key index to a context file.",
                    "Per layer and KV head the keys are clustered (k-means, k-means++ seeding, fixed seed) on their L2-normalised",
                    "directions; the threshold is calibrated on the context's last 100 queries to the target sparsity."})
    static final class Build implements Callable<Integer> {

        @Mixin ModelOptions model;

        @Option(names = "--file", required = true, paramLabel = "TEXT", description = "The fixed context (UTF-8 text).")
        Path text;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "CTX.sqz", description = "The context file to write.")
        Path output;

        @Option(names = "--centroids", defaultValue = "5%", paramLabel = "P%|N",
                description = "Fine centroids per layer and KV head: a percentage of the context's tokens, or a count (default ${DEFAULT-VALUE}).")
        String centroids;

        @Option(names = "--levels", defaultValue = "1", paramLabel = "1|2",
                description = "1: one level of centroids; 2: a coarse level over them, scored first (default ${DEFAULT-VALUE}).")
        int levels;

        @Option(names = "--sparsity", defaultValue = "0.8", paramLabel = "S",
                description = "Fraction of the context's keys a query skips, calibrated (0 to 0.99; default ${DEFAULT-VALUE}); generate/chat --sparsity overrides it.")
        double sparsity;

        @Option(names = "--iterations", defaultValue = "10", paramLabel = "N", description = "Most k-means rounds (default ${DEFAULT-VALUE}).")
        int iterations;

        @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed of the k-means++ seeding (default ${DEFAULT-VALUE}).")
        long seed;

        @Spec CommandSpec spec;

        @Override public Integer call() throws Exception {
            PrintWriter err = spec.commandLine().getErr();
            double fraction = ContextCentroids.parse(centroids);
            SqueezedIndexBuilder indexBuilder = new SqueezedIndexBuilder(fraction, levels, iterations, seed, model.threads());
            if (!(sparsity >= 0 && sparsity < 1)) throw new IllegalArgumentException("--sparsity " + sparsity + " is out of range (0 to 0.99)");
            if (!"java".equals(model.device)) throw new IllegalArgumentException("--device " + model.device + ": context build runs on the Java backend (--device java); the file it writes loads on any");
            if (output.getParent() != null && !Files.isDirectory(output.getParent())) throw new IllegalArgumentException("--output " + output + ": no such directory");
            String content = TextFiles.read(text, "--file");
            model.check(err);
            long t0 = System.nanoTime();
            try (Model m = model.open(err, b -> {})) {
                int[] tokens = m.tokenizer().encode(content, true, true);
                if (tokens.length < 2) throw new IllegalArgumentException("--file " + text + ": " + tokens.length + " token(s); a fixed context needs at least 2");
                int ctx = model.contextSize > 0 ? model.contextSize : Math.max(Math.min(m.config().contextLength(), 4096), tokens.length);
                if (tokens.length > ctx) throw new IllegalArgumentException("--file " + text + ": " + tokens.length + " tokens do not fit --ctx-size " + ctx);
                ContextBuilder builder = new ContextBuilder(m.graph());
                PlanOptions options = new PlanOptions(ctx, model.threads(), null).withObserver(builder.observer())
                        .withActivations(model.activations()).withCacheTypes(model.cacheTypeK(), model.cacheTypeV());
                ContextBuilder.Computed computed;
                long prefill0 = System.nanoTime();
                try (Plan plan = m.compile(new JavaBackend(), options); Progress p = new Progress("prefill", tokens.length, err)) {
                    computed = builder.compute(plan, tokens, model.batchSize, p::step);
                }
                double prefillSeconds = (System.nanoTime() - prefill0) / 1e9;
                long index0 = System.nanoTime();
                int kvHeads = m.graph().kv().kvHeads(), hs = m.graph().kv().headSize();
                SqueezedIndex index;
                try (Progress p = new Progress("clustering", m.config().layers() * kvHeads, err)) {
                    AtomicInteger done = new AtomicInteger();
                    index = indexBuilder.build(computed.keys(), tokens.length, kvHeads, hs, h -> p.step(done.incrementAndGet()));
                }
                double indexSeconds = (System.nanoTime() - index0) / 1e9;
                FixedContext context = builder.context(computed, index, sparsity, ModelIdentity.of(m), text.getFileName().toString());
                double seconds = (System.nanoTime() - t0) / 1e9;
                ContextFile.write(output, context, kvHeads, hs, new ContextFile.BuildInfo(m.config().name(), centroids, seconds));
                err.printf(Locale.ROOT, "context: %d tokens of %s, %d layers × %d KV heads, %d clusters per head%s%n", tokens.length, text, m.config().layers(), kvHeads,
                        index.head(0, 0).clusters(), index.hierarchical() ? " under " + index.head(0, 0).coarseClusters() + " coarse" : "");
                err.printf(Locale.ROOT, "thresholds: sparsity %.2f, log-weight threshold %.3f%s%n", sparsity, context.index().thresholds().fine(),
                        index.hierarchical() ? String.format(Locale.ROOT, " (coarse %.3f)", context.index().thresholds().coarse()) : "");
                err.printf(Locale.ROOT, "wrote %s (%.1f MiB) | prefill %.2f s (%.1f tokens/s) | index %.2f s | build %.2f s%n", output,
                        Files.size(output) / 1048576.0, prefillSeconds, tokens.length / prefillSeconds, indexSeconds, (System.nanoTime() - t0) / 1e9);
                err.flush();
            }
            return 0;
        }
    }

    /** A progress bar on a terminal, a line at the end otherwise. */
    private static final class Progress implements AutoCloseable {
        private final ProgressBar bar;
        private final String task;
        private final PrintWriter err;
        private final long total;

        Progress(String task, long total, PrintWriter err) {
            this.task = task;
            this.err = err;
            this.total = total;
            this.bar = Terminal.isInteractive() ? new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                    .setConsumer(new ConsoleProgressBarConsumer(System.err)).build() : null;
        }

        synchronized void step(long done) { if (bar != null) bar.stepTo(done); }

        @Override public void close() {
            if (bar != null) bar.close();
            else {
                err.println(task + ": " + total + " done");
                err.flush();
            }
        }
    }
}
