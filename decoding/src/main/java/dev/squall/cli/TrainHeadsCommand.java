package dev.squall.cli;

import dev.squall.heads.Dense;
import dev.squall.heads.DraftHeads;
import dev.squall.heads.HeadTraining;
import dev.squall.heads.HeadTree;
import dev.squall.heads.HeadsFile;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "train-heads", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train Medusa or Hydra draft heads on a frozen model's hidden states, for --speculate medusa|hydra --heads FILE.",
                "Writes the heads (GGUF), a loss chart (PNG) beside them, and prints the held-out loss before and after."})
final class TrainHeadsCommand implements Callable<Integer> {

    @Mixin ModelOptions model;

    @Option(names = "--corpus", required = true, paramLabel = "PATH", description = "Training text: a file, a folder of text files, or a zip of them (e.g. a JDK's lib/src.zip).")
    Path corpus;

    @Option(names = "--prefix", paramLabel = "P", description = "Only documents whose path in the folder or zip starts with P (e.g. java.base/java/).")
    String prefix;

    @Option(names = "--exclude", paramLabel = "FILE", description = "Leave out the documents listed in FILE (one path per line): a model's held-out files.")
    Path exclude;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "HEADS.gguf", description = "The heads file to write.")
    Path output;

    @Option(names = "--kind", defaultValue = "medusa", paramLabel = "KIND", description = "medusa (independent heads) or hydra (each head sees the tokens guessed before it); default ${DEFAULT-VALUE}.")
    String kind;

    @Option(names = "--heads", defaultValue = "4", paramLabel = "N", description = "Number of heads, 1 to 8 (default ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--steps", defaultValue = "1000", paramLabel = "N", description = "AdamW steps, one window each (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--window", defaultValue = "512", paramLabel = "N", description = "Tokens per training window (default ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--lr", defaultValue = "4e-3", paramLabel = "LR", description = "Peak learning rate: 5% warm-up, cosine decay to a tenth (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--weight-decay", defaultValue = "0", paramLabel = "W", description = "AdamW weight decay on W and U (default ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--self-distill", description = "Train on the model's own greedy continuations of each window's first tokens instead of the corpus text.")
    boolean selfDistill;

    @Option(names = "--distill-prompt", defaultValue = "32", paramLabel = "N", description = "--self-distill: corpus tokens before the model continues (default ${DEFAULT-VALUE}).")
    int distillPrompt;

    @Option(names = "--heldout", defaultValue = "0.02", paramLabel = "SHARE", description = "Share of the corpus documents held out for loss and accuracy (default ${DEFAULT-VALUE}).")
    double heldout;

    @Option(names = "--heldout-tokens", defaultValue = "16384", paramLabel = "N", description = "Most held-out tokens scored (default ${DEFAULT-VALUE}).")
    int heldoutTokens;

    @Option(names = "--eval-every", defaultValue = "100", paramLabel = "N", description = "Held-out loss every N steps, for the chart (0 = only before and after; default ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "Write a checkpoint (heads, AdamW moments, corpus position) here every --checkpoint-every steps.")
    Path checkpoint;

    @Option(names = "--checkpoint-every", defaultValue = "100", paramLabel = "N", description = "Steps between checkpoints (default ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--resume", paramLabel = "FILE", description = "Continue from a checkpoint written by --checkpoint (same flags).")
    Path resume;

    @Option(names = "--chart", paramLabel = "PNG", description = "The loss chart (default: the output's name with .loss.png).")
    Path chart;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Seed of the document shuffle and held-out split (default ${DEFAULT-VALUE}).")
    long seed;

    @Spec CommandSpec spec;

    @Override public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        DraftHeads.Kind k;
        try {
            k = DraftHeads.Kind.of(kind);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--kind " + e.getMessage());
        }
        if (heads < 1 || heads > 8) throw new IllegalArgumentException("--heads " + heads + " is out of range [1, 8]");
        if (steps < 1) throw new IllegalArgumentException("--steps " + steps + " is out of range (a positive count)");
        if (!(lr > 0 && lr < 1)) throw new IllegalArgumentException("--lr " + lr + " is out of range (0, 1)");
        if (!(weightDecay >= 0 && weightDecay < 1)) throw new IllegalArgumentException("--weight-decay " + weightDecay + " is out of range [0, 1)");
        if (!(heldout > 0 && heldout < 0.5)) throw new IllegalArgumentException("--heldout " + heldout + " is out of range (0, 0.5)");
        if (heldoutTokens < 1) throw new IllegalArgumentException("--heldout-tokens " + heldoutTokens + " is out of range (a positive count)");
        if (evalEvery < 0 || checkpointEvery < 1) throw new IllegalArgumentException("--eval-every must be 0 or more and --checkpoint-every positive");
        if (distillPrompt < 1) throw new IllegalArgumentException("--distill-prompt " + distillPrompt + " is out of range (a positive count)");
        if (resume != null && !Files.isRegularFile(resume)) throw new IllegalArgumentException("--resume " + resume + ": no such file");
        if (exclude != null && !Files.isRegularFile(exclude)) throw new IllegalArgumentException("--exclude " + exclude + ": no such file");
        Path chartFile = chart != null ? chart : Path.of(output.toString().replaceAll("\\.gguf$", "") + ".loss.png");
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        model.requireDense("train-heads");
        List<Corpus.Document> docs = Corpus.read(corpus, "--corpus", Corpus.filter(prefix, exclude, "--exclude"));
        try (ModelOptions.Loaded loaded = model.load(err); Dense dense = new Dense(loaded.threads())) {
            err.println("squall: training " + heads + " " + k.label() + " heads on " + loaded.model().config().name() + " (dim " + loaded.model().config().embeddingSize()
                    + ", vocabulary " + loaded.model().config().vocabSize() + "), " + docs.size() + " documents from " + corpus
                    + (selfDistill ? ", self-distilled" : "") + ", " + steps + " steps of " + window + " tokens, " + loaded.threads() + " threads");
            err.flush();
            HeadTraining.Config config = new HeadTraining.Config(k, heads, steps, window, lr, weightDecay, selfDistill, distillPrompt, heldout, heldoutTokens,
                    evalEvery, checkpoint, checkpointEvery, resume, seed);
            HeadTraining training = new HeadTraining(loaded.model(), model.model, loaded.plan(), dense, config);
            HeadTraining.Result r;
            try (ProgressBar bar = new ProgressBarBuilder().setTaskName("training").setInitialMax(steps)
                    .setConsumer(new ConsoleProgressBarConsumer(System.err)).build()) {
                r = training.run(docs, corpus.toString(), (s, total, loss) -> {
                    bar.stepTo(s);
                    bar.setExtraMessage(String.format(Locale.ROOT, "loss %.3f", loss));
                }, line -> {
                    err.println("squall: " + line);
                    err.flush();
                });
            }
            HeadsFile.write(output, r.heads(), r.info());
            writeChart(chartFile, r, k.label());
            err.println(String.format(Locale.ROOT, "squall: %d steps, %d tokens in %.1f s (%.0f tokens/s)", steps, r.tokens(), r.seconds(), r.tokens() / r.seconds()));
            StringBuilder acc = new StringBuilder();
            for (int h = 0; h < heads; h++) {
                acc.append(String.format(Locale.ROOT, " head %d: loss %.3f -> %.3f, top-1 %.1f%%, top-5 %.1f%%;", h, r.initialHeldout()[h], r.finalHeldout()[h],
                        100 * r.info().accuracy(h, 0), 100 * top(r.info(), h, 5)));
            }
            err.println("squall: held-out" + acc.substring(0, acc.length() - 1));
            HeadTree.Shape shape = HeadTree.shape(r.info(), heads, 32);
            err.println(String.format(Locale.ROOT, "squall: wrote %s (%d parameters) and %s; a 32-node tree expects %.2f tokens per step", output,
                    r.heads().parameters(), chartFile, shape.expectedTokens()));
            err.flush();
        }
        return 0;
    }

    private static double top(HeadsFile.Info info, int head, int n) {
        double s = 0;
        for (int r = 0; r < n; r++) s += info.accuracy(head, r);
        return s;
    }

    private static void writeChart(Path file, HeadTraining.Result r, String kind) {
        XYChart chart = new XYChartBuilder().width(800).height(450).title(kind + " heads: training loss").xAxisTitle("step").yAxisTitle("Σ λ^k · cross-entropy (nats)").build();
        List<Double> x = new ArrayList<>(), y = new ArrayList<>(), hx = new ArrayList<>(), hy = new ArrayList<>();
        for (HeadTraining.Point p : r.curve()) {
            if (!Double.isNaN(p.train())) { x.add((double) p.step()); y.add(p.train()); }
            if (!Double.isNaN(p.heldout())) { hx.add((double) p.step()); hy.add(p.heldout()); }
        }
        if (!x.isEmpty()) chart.addSeries("training (smoothed)", x, y).setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE).setLineColor(new Color(0x2a6fdb));
        XYSeries h = chart.addSeries("held-out", hx, hy);
        h.setLineColor(new Color(0xe07b39));
        try {
            if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
            BitmapEncoder.saveBitmap(chart, file.toString().replaceAll("\\.png$", ""), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the chart " + file, e);
        }
    }
}
