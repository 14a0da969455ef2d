package dev.squall.heads;

import dev.squall.backend.Plan;
import dev.squall.cli.Corpus;
import dev.squall.graph.Batch;
import dev.squall.graph.ForwardResult;
import dev.squall.graph.KvCache;
import dev.squall.model.Model;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A training run of draft heads on a frozen model: the corpus is split into training and
 * held-out documents (a seeded shuffle; the held-out ones are never trained on), each step takes
 * the next training window, computes the model's final hidden states for it in one forward call
 * (or first lets the model continue the window's opening itself, with {@code selfDistill}) and
 * takes one AdamW step of the heads; held-out loss is measured before training, every
 * {@code evalEvery} steps and at the end, where each head's rank accuracies are also measured for
 * the tree shape. Checkpoints are written every {@code checkpointEvery} steps.
 */
public final class HeadTraining {

    /** How to train. */
    public record Config(DraftHeads.Kind kind, int heads, int steps, int window, double lr, double weightDecay, boolean selfDistill,
                         int selfDistillPrompt, double heldoutShare, int heldoutTokens, int evalEvery, Path checkpoint, int checkpointEvery,
                         Path resume, long seed) {}

    /** A point of the loss curves: the step, the training loss (smoothed), the held-out loss (NaN where not measured). */
    public record Point(long step, double train, double heldout) {}

    /** What a run produced. */
    public record Result(DraftHeads heads, HeadsFile.Info info, double[] initialHeldout, double[] finalHeldout, List<Point> curve,
                         long tokens, double seconds, int trainDocuments, int heldoutDocuments) {}

    /** Sees progress: the step, the total, the smoothed loss. */
    public interface Progress {
        void step(long step, long total, double loss);
    }

    private final Model model;
    private final Path modelPath;
    private final Plan plan;
    private final Config config;
    private final Dense dense;

    public HeadTraining(Model model, Path modelPath, Plan plan, Dense dense, Config config) {
        this.model = model;
        this.modelPath = modelPath;
        this.plan = plan;
        this.dense = dense;
        this.config = config;
        if (config.window() < TrainingWindows.MIN_TOKENS) throw new IllegalArgumentException("--window " + config.window() + " is too short (at least " + TrainingWindows.MIN_TOKENS + " tokens)");
        if (config.window() > plan.cache().capacity()) throw new IllegalArgumentException("--window " + config.window() + " is longer than the context (" + plan.cache().capacity() + "); raise -c");
    }

    public Result run(List<Corpus.Document> corpus, String corpusName, Progress progress, Consumer<String> log) {
        long t0 = System.nanoTime();
        List<Corpus.Document> docs = new ArrayList<>(corpus);
        Collections.shuffle(docs, new Random(config.seed()));
        int heldoutCount = Math.max(1, (int) Math.round(docs.size() * config.heldoutShare()));
        if (docs.size() < 2) throw new IllegalArgumentException("--corpus " + corpusName + ": " + docs.size() + " document; training needs at least 2 (one is held out)");
        List<Corpus.Document> heldout = docs.subList(docs.size() - heldoutCount, docs.size());
        List<Corpus.Document> train = docs.subList(0, docs.size() - heldoutCount);
        List<int[]> heldoutWindows = heldoutWindows(heldout);

        HeadTrainer trainer;
        TrainingWindows windows = new TrainingWindows(train, model.tokenizer(), config.window());
        long start = 0;
        String fingerprint = HeadsFile.fingerprint(model);
        if (config.resume() != null) {
            HeadsFile.Resumed r = HeadsFile.resume(config.resume(), model, modelPath, dense, config.weightDecay());
            HeadsFile.Position p = r.at();
            trainer = r.trainer();
            if (trainer.heads().kind() != config.kind() || trainer.heads().count() != config.heads()) {
                throw new IllegalArgumentException("--resume " + config.resume() + ": the checkpoint holds " + trainer.heads().count() + " " + trainer.heads().kind().label()
                        + " heads, the flags ask for " + config.heads() + " " + config.kind().label());
            }
            windows.seek(p.document(), p.offset(), p.tokens());
            start = p.step();
            log.accept("resuming at step " + start + " of " + config.steps() + " (" + p.tokens() + " tokens seen)");
        } else {
            float[] embeddings = config.kind() == DraftHeads.Kind.HYDRA ? HeadsFile.embeddings(model) : null;
            trainer = new HeadTrainer(DraftHeads.initial(config.kind(), config.heads(), model.config().embeddingSize(), model.config().vocabSize(),
                    HeadsFile.output(model), embeddings), dense, config.weightDecay());
        }
        double[] initial = heldout(trainer, heldoutWindows, null);
        log.accept(String.format(java.util.Locale.ROOT, "%d training documents, %d held out (%d windows); held-out loss before: %s",
                train.size(), heldout.size(), heldoutWindows.size(), format(initial)));
        List<Point> curve = new ArrayList<>();
        curve.add(new Point(start, Double.NaN, initial[config.heads()]));
        double smooth = Double.NaN;
        for (long s = start; s < config.steps(); s++) {
            int[] tokens = windows.next();
            if (config.selfDistill()) tokens = continuation(tokens);
            float[] hidden = hidden(tokens);
            trainer.zeroGradients();
            double[] loss = trainer.loss(hidden, tokens, tokens.length, true, null);
            trainer.update(HeadTrainer.schedule(config.lr(), s, config.steps()));
            double l = loss[config.heads()];
            smooth = Double.isNaN(smooth) ? l : 0.95 * smooth + 0.05 * l;
            boolean eval = config.evalEvery() > 0 && (s + 1) % config.evalEvery() == 0 && s + 1 < config.steps();
            curve.add(new Point(s + 1, smooth, eval ? heldout(trainer, heldoutWindows, null)[config.heads()] : Double.NaN));
            progress.step(s + 1, config.steps(), smooth);
            if (config.checkpoint() != null && config.checkpointEvery() > 0 && (s + 1) % config.checkpointEvery() == 0) {
                HeadsFile.writeCheckpoint(config.checkpoint(), trainer, info(fingerprint, null, null, windows, s + 1, corpusName),
                        new HeadsFile.Position(s + 1, windows.document(), windows.offset(), windows.consumed()));
            }
        }
        long[][] ranks = new long[config.heads()][HeadTrainer.RANKS + 1];
        double[] last = heldout(trainer, heldoutWindows, ranks);
        curve.add(new Point(config.steps(), smooth, last[config.heads()]));
        float[] acc = new float[config.heads() * HeadTrainer.RANKS];
        for (int k = 0; k < config.heads(); k++) {
            for (int r = 0; r < HeadTrainer.RANKS; r++) acc[k * HeadTrainer.RANKS + r] = ranks[k][HeadTrainer.RANKS] == 0 ? 0 : ranks[k][r] / (float) ranks[k][HeadTrainer.RANKS];
        }
        float[] lossPerHead = new float[config.heads()];
        for (int k = 0; k < config.heads(); k++) lossPerHead[k] = (float) last[k];
        HeadsFile.Info info = info(fingerprint, acc, lossPerHead, windows, config.steps(), corpusName);
        return new Result(trainer.heads(), info, initial, last, curve, windows.consumed(), (System.nanoTime() - t0) / 1e9, train.size(), heldout.size());
    }

    private HeadsFile.Info info(String fingerprint, float[] acc, float[] loss, TrainingWindows windows, long steps, String corpus) {
        return new HeadsFile.Info(model.config().name(), fingerprint, acc, loss, windows.consumed(), steps, corpus);
    }

    private List<int[]> heldoutWindows(List<Corpus.Document> heldout) {
        List<int[]> out = new ArrayList<>();
        TrainingWindows w = new TrainingWindows(heldout, model.tokenizer(), config.window());
        long tokens = 0;
        int guard = 0;
        while (tokens < config.heldoutTokens() && guard++ < 100_000) {
            int before = w.document();
            int[] win = w.next();
            out.add(win);
            tokens += win.length;
            if (w.document() < before) break;          // wrapped around: every held-out window is in
        }
        return out;
    }

    /** Per-head held-out loss (and their weighted sum, last), accumulating rank counts when asked. */
    private double[] heldout(HeadTrainer trainer, List<int[]> windows, long[][] ranks) {
        double[] sum = new double[config.heads() + 1];
        long[] weight = new long[config.heads() + 1];
        for (int[] tokens : windows) {
            double[] l = trainer.loss(hidden(tokens), tokens, tokens.length, false, ranks);
            for (int k = 0; k < config.heads(); k++) {
                int m = HeadTrainer.positions(tokens.length, k);
                sum[k] += l[k] * m;
                weight[k] += m;
            }
        }
        double[] mean = new double[config.heads() + 1];
        for (int k = 0; k < config.heads(); k++) {
            mean[k] = weight[k] == 0 ? Double.NaN : sum[k] / weight[k];
            mean[config.heads()] += Math.pow(HeadTrainer.HEAD_WEIGHT_DECAY, k) * mean[k];
        }
        return mean;
    }

    /** The model's final hidden state after each token of {@code tokens} (n × dim), from one forward call on a scratch sequence. */
    float[] hidden(int[] tokens) {
        KvCache cache = plan.cache();
        int seq = cache.newSequence();
        try {
            Batch.Builder b = Batch.builder();
            for (int i = 0; i < tokens.length; i++) b.token(seq, i, tokens[i], true);
            b.outputs(Batch.Output.HIDDEN);
            ForwardResult r = plan.forward(b.build());
            return r.hidden();
        } finally {
            cache.remove(seq);
        }
    }

    /** The window's first tokens continued by the model itself (greedy) to the window's length: self-distillation data. */
    private int[] continuation(int[] window) {
        int prompt = Math.min(config.selfDistillPrompt(), window.length - 1);
        int[] out = java.util.Arrays.copyOf(window, window.length);
        KvCache cache = plan.cache();
        int seq = cache.newSequence();
        try {
            ForwardResult r = plan.forward(Batch.sequence(seq, 0, java.util.Arrays.copyOf(window, prompt)));
            for (int i = prompt; i < window.length; i++) {
                out[i] = r.argmax(0);
                if (i + 1 < window.length) r = plan.forward(Batch.sequence(seq, i, new int[] {out[i]}));
            }
            return out;
        } finally {
            cache.remove(seq);
        }
    }

    static String format(double[] loss) {
        StringBuilder s = new StringBuilder();
        for (int k = 0; k < loss.length - 1; k++) s.append(k == 0 ? "" : " ").append(String.format(java.util.Locale.ROOT, "%.3f", loss[k]));
        return s + " (per head, nats/token)";
    }
}
