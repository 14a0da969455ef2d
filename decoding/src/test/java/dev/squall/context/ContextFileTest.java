package dev.squall.context;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.backend.java.JavaBackend;
import dev.squall.format.WeightFormats;
import dev.squall.generation.Session;
import dev.squall.graph.Batch;
import dev.squall.graph.SqueezedIndex;
import dev.squall.model.Model;
import dev.squall.model.synthetic.SampleModels;
import dev.squall.sampling.Sampler;
import dev.squall.sampling.SamplerConfig;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A context built on the micro sample: the file round trip, its refusals, and sessions on it. */
class ContextFileTest {

    @TempDir static Path dir;
    static Model model;
    static ContextBuilder builder;
    static ContextBuilder.Computed computed;
    static FixedContext context;
    static Path file;
    static final int N = 150;

    @BeforeAll
    static void build() {
        model = Model.open(SampleModels.write("micro", WeightFormats.F32, dir, null));
        builder = new ContextBuilder(model.graph());
        int[] tokens = tokens(N, 1);
        try (Plan plan = model.compile(new JavaBackend(), PlanOptions.of(512, 2).withObserver(builder.observer()))) {
            computed = builder.compute(plan, tokens, 64, n -> {});
        }
        SqueezedIndex index = new SqueezedIndexBuilder(0.1, 2, 10, 1, 2).build(computed.keys(), N, model.graph().kv().kvHeads(), model.graph().kv().headSize(), h -> {});
        context = builder.context(computed, index, 0.6, ModelIdentity.of(model), "test");
        file = dir.resolve("ctx.sqz");
        ContextFile.write(file, context, model.graph().kv().kvHeads(), model.graph().kv().headSize(), new ContextFile.BuildInfo("micro", "10%", 0.1));
    }

    @AfterAll
    static void close() { model.close(); }

    static int[] tokens(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = 3 + r.nextInt(model.config().vocabSize() - 3);
        return t;
    }

    @Test
    void theFileHoldsWhatWasBuilt() {
        try (ContextFile.Opened o = ContextFile.open(file, model)) {
            FixedContext c = o.context();
            assertArrayEquals(context.tokens(), c.tokens());
            assertArrayEquals(context.lastLogits(), c.lastLogits());
            assertEquals(context.index().thresholds(), c.index().thresholds());
            int width = model.graph().kv().kvWidth();
            float[] k1 = new float[width], v1 = new float[width], k2 = new float[width], v2 = new float[width];
            for (int l = 0; l < model.config().layers(); l++) {
                for (int h = 0; h < model.graph().kv().kvHeads(); h++) {
                    SqueezedIndex.Head a = context.index().head(l, h), b = c.index().head(l, h);
                    assertArrayEquals(a.order(), b.order());
                    assertArrayEquals(a.centroids(), b.centroids());
                    assertArrayEquals(a.coarseStarts(), b.coarseStarts());
                }
                for (int cell = 0; cell < N; cell++) {
                    context.rows().read(l, cell, k1, v1);
                    c.rows().read(l, cell, k2, v2);
                    assertArrayEquals(k1, k2, "layer " + l + " cell " + cell);
                    assertArrayEquals(v1, v2, "layer " + l + " cell " + cell);
                }
            }
            assertArrayEquals(context.calibration()[1], c.calibration()[1]);
        }
    }

    @Test
    void anotherModelIsRefused() throws Exception {
        try (Model other = Model.open(SampleModels.write("micro", WeightFormats.Q8_0, dir, null))) {
            var e = assertThrows(IllegalArgumentException.class, () -> ContextFile.open(file, other));
            assertTrue(e.getMessage().contains("built with another model"), e.getMessage());
        }
    }

    @Test
    void aDamagedFileIsRefused() throws Exception {
        Path damaged = dir.resolve("damaged.sqz");
        Files.copy(file, damaged);
        try (RandomAccessFile f = new RandomAccessFile(damaged.toFile(), "rw")) {
            f.seek(f.length() - 200);
            int b = f.read();
            f.seek(f.length() - 200);
            f.write(b ^ 0x40);
        }
        var e = assertThrows(IllegalArgumentException.class, () -> ContextFile.open(damaged, model));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    }

    @Test
    void aModelFileIsNotAContext() {
        var e = assertThrows(IllegalArgumentException.class, () -> ContextFile.open(model.file().path(), model));
        assertTrue(e.getMessage().contains("general.type"), e.getMessage());
    }

    /** Greedy tokens and the logits of every step of {@code steps} after {@code prompt}. */
    private static float[][] greedy(Session s, int[] prompt, int steps) {
        s.append(prompt, 64);
        float[][] out = new float[steps][];
        for (int i = 0; i < steps; i++) {
            out[i] = s.logits();
            int best = 0;
            for (int v = 1; v < out[i].length; v++) if (out[i][v] > out[i][best]) best = v;
            s.append(new int[] {best}, 1);
        }
        return out;
    }

    @Test
    void atSparsityZeroASessionOnTheFileDecodesAsAfterADensePrefill() {
        int[] prompt = tokens(5, 9);
        try (Plan plan = model.compile(new JavaBackend(), PlanOptions.of(512, 2)); ContextFile.Opened o = ContextFile.open(file, model)) {
            Session dense = new Session(plan, model.tokenizer(), new Sampler(SamplerConfig.greedy()));
            dense.append(context.tokens(), 64);
            float[][] expected = greedy(dense, prompt, 10);
            Session squeezed = new Session(plan, model.tokenizer(), new Sampler(SamplerConfig.greedy()));
            FixedContext c = o.context().withSparsity(0);
            squeezed.loadFixedContext(c.tokens(), c.rows(), c.index(), c.lastLogits());
            float[][] got = greedy(squeezed, prompt, 10);
            for (int i = 0; i < expected.length; i++) {
                double num = 0, den = 0;
                for (int v = 0; v < expected[i].length; v++) {
                    num += Math.pow(expected[i][v] - got[i][v], 2);
                    den += Math.pow(expected[i][v], 2);
                }
                assertTrue(num / den <= 1e-10, "step " + i + ": NMSE " + num / den);
            }
        }
    }

    @Test
    void aSqueezedSessionReadsFewerKeysAndDiffersFromDense() {
        int[] prompt = tokens(5, 10);
        try (Plan plan = model.compile(new JavaBackend(), PlanOptions.of(512, 2)); ContextFile.Opened o = ContextFile.open(file, model)) {
            Session dense = new Session(plan, model.tokenizer(), new Sampler(SamplerConfig.greedy()));
            dense.append(context.tokens(), 64);
            dense.append(prompt, 64);
            Session squeezed = new Session(plan, model.tokenizer(), new Sampler(SamplerConfig.greedy()));
            FixedContext c = o.context().withSparsity(0.7);
            squeezed.loadFixedContext(c.tokens(), c.rows(), c.index(), c.lastLogits());
            var before = plan.attentionStats();
            squeezed.append(prompt, 64);
            var stats = plan.attentionStats().since(before);
            assertTrue(stats.sparsity() > 0.3, "sparsity " + stats.sparsity());
            assertEquals((long) prompt.length * model.config().layers() * model.config().heads(), stats.queries());
            assertNotEquals(Arrays.toString(dense.logits()), Arrays.toString(squeezed.logits()));
        }
    }

    @Test
    void theFixedCellsCannotBeRolledBackTruncatedOrOverwritten() {
        try (Plan plan = model.compile(new JavaBackend(), PlanOptions.of(512, 2))) {
            Session s = new Session(plan, model.tokenizer(), new Sampler(SamplerConfig.greedy()));
            s.loadFixedContext(context.tokens(), context.rows(), context.index(), context.lastLogits());
            s.append(tokens(3, 2), 8);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> s.rollback(N - 1)).getMessage().contains("fixed context"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> plan.cache().truncate(s.sequence(), 10)).getMessage().contains("fixed context"));
            var e = assertThrows(IllegalArgumentException.class, () -> plan.forward(Batch.sequence(s.sequence(), 5, new int[] {7})));
            assertTrue(e.getMessage().contains("fixed context"), e.getMessage());
            int fork = plan.cache().fork(s.sequence());
            assertEquals(N, plan.cache().fixedLength(fork));
            assertEquals(context.index(), plan.cache().index(fork));
            s.rollback(N);                                      // down to the context itself is fine
            assertEquals(N, s.length());
        }
    }
}
