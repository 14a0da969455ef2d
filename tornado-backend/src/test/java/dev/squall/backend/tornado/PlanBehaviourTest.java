package dev.squall.backend.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.backend.Plan;
import dev.squall.format.WeightFormats;
import dev.squall.graph.AttentionPolicy;
import dev.squall.graph.Batch;
import dev.squall.graph.ForwardResult;
import dev.squall.model.Model;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a device plan does beyond plain causal batches: skipping, policies, outputs, limits, errors. */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class PlanBehaviourTest {

    private static Model model;
    private static Plan java, device;
    private static int vocab;

    @BeforeAll
    static void open() {
        model = Model.open(Fixtures.file(Fixtures.llama(WeightFormats.F32)));
        java = Fixtures.compile(model, Fixtures.JAVA, 256);
        device = Fixtures.compile(model, Fixtures.device(), 256);
        vocab = model.config().vocabSize();
    }

    @AfterAll
    static void close() {
        device.close();
        java.close();
        model.close();
    }

    /** Every output row's logits of {@code batch(seq)} on {@code p}, the sequence removed afterwards. */
    private static float[][] run(Plan p, Function<Integer, Batch> batch) {
        return afterPrefix(p, new int[0], batch);
    }

    /** As {@link #run}, after {@code prefix} was computed on the same sequence. */
    private static float[][] afterPrefix(Plan p, int[] prefix, Function<Integer, Batch> batch) {
        int seq = p.cache().newSequence();
        try {
            if (prefix.length > 0) p.forward(Batch.sequence(seq, 0, prefix));
            ForwardResult r = p.forward(batch.apply(seq));
            float[][] out = new float[r.outputs()][];
            for (int i = 0; i < out.length; i++) out[i] = r.logits(i);
            return out;
        } finally {
            p.cache().remove(seq);
        }
    }

    private static Batch all(int seq, int[] tokens, Function<Batch.Builder, Batch.Builder> extra) {
        Batch.Builder b = Batch.builder();
        for (int i = 0; i < tokens.length; i++) b.token(seq, i, tokens[i], true);
        return extra.apply(b).build();
    }

    @Test
    void skippedLayersMatchTheJavaBackend() {
        int[] t = Fixtures.tokens(20, vocab, 2);
        float[][] j = run(java, s -> all(s, t, b -> b.skipLayer(1))), d = run(device, s -> all(s, t, b -> b.skipLayer(1)));
        assertTrue(Fixtures.nmse(j, d) < 1e-8, "NMSE " + Fixtures.nmse(j, d));
        float[][] full = run(device, s -> all(s, t, b -> b));
        assertTrue(Fixtures.nmse(full, d) > 1e-3, "skipping a layer changes the logits");
    }

    @Test
    void skippedSublayersMatchTheJavaBackend() {
        int[] t = Fixtures.tokens(12, vocab, 12);
        for (Function<Batch.Builder, Batch.Builder> skip : List.<Function<Batch.Builder, Batch.Builder>>of(b -> b.skipAttention(1), b -> b.skipMlp(0),
                b -> b.skipAttention(0).skipMlp(1))) {
            float[][] j = run(java, s -> all(s, t, skip)), d = run(device, s -> all(s, t, skip));
            assertTrue(Fixtures.nmse(j, d) < 1e-8, "NMSE " + Fixtures.nmse(j, d));
            assertTrue(Fixtures.nmse(run(device, s -> all(s, t, b -> b)), d) > 1e-4, "skipping a sublayer changes the logits");
        }
    }

    /**
     * A tree of two branches after a committed prefix, the second branch written to cells past the
     * first but at the same positions, each token seeing the prefix and its own ancestors: equal
     * to the Java backend, and each branch equal to itself verified alone as a plain sequence.
     */
    @Test
    void aTreeBatchMatchesTheJavaBackendAndEachBranchAlone() {
        int n = 10;
        int[] prefix = Fixtures.tokens(n, vocab, 13), a = {3, 4}, bTokens = {5, 6};
        Function<Integer, Batch> tree = s -> Batch.builder()
                .token(s, n, n, a[0], true, new int[] {0, n + 1})
                .token(s, n + 1, n + 1, a[1], true, new int[] {0, n + 2})
                .token(s, n, n + 2, bTokens[0], true, new int[] {0, n, n + 2, n + 3})
                .token(s, n + 1, n + 3, bTokens[1], true, new int[] {0, n, n + 2, n + 4})
                .build();
        float[][] onJava = afterPrefix(java, prefix, tree), onDevice = afterPrefix(device, prefix, tree);
        assertTrue(Fixtures.nmse(onJava, onDevice) < 1e-8, "NMSE " + Fixtures.nmse(onJava, onDevice));
        for (int branch = 0; branch < 2; branch++) {
            int[] tokens = branch == 0 ? a : bTokens;
            float[][] alone = afterPrefix(device, prefix, s -> Batch.builder().token(s, n, tokens[0], true).token(s, n + 1, tokens[1], true).build());
            float[][] inTree = {onDevice[2 * branch], onDevice[2 * branch + 1]};
            assertTrue(Fixtures.nmse(alone, inTree) < 1e-10, "branch " + branch + ": NMSE " + Fixtures.nmse(alone, inTree));
        }
        assertTrue(Fixtures.nmse(new float[][] {onDevice[1]}, new float[][] {onDevice[3]}) > 1e-4, "the branches differ");
    }


    @Test
    void everyBuiltInPolicyMatchesTheJavaBackend() {
        int[] t = Fixtures.tokens(40, vocab, 3);
        for (AttentionPolicy p : new AttentionPolicy[] {AttentionPolicy.slidingWindow(7), AttentionPolicy.sinksAndWindow(3, 5)}) {
            float[][] j = run(java, s -> all(s, t, b -> b.policy(s, p))), d = run(device, s -> all(s, t, b -> b.policy(s, p)));
            assertTrue(Fixtures.nmse(j, d) < 1e-8, p + ": NMSE " + Fixtures.nmse(j, d));
        }
    }

    @Test
    void aBatchLongerThanOneCallGivesTheSameBits() {
        int[] t = Fixtures.tokens(45, vocab, 4);
        float[][] whole = run(device, s -> all(s, t, b -> b));
        System.setProperty("squall.tornado.batch", "16");
        try (Plan small = Fixtures.compile(model, Fixtures.device(), 256)) {
            assertEquals(16, ((TornadoPlan) small).budget().tokens());
            float[][] chunked = run(small, s -> all(s, t, b -> b));
            for (int i = 0; i < t.length; i++) assertArrayEquals(whole[i], chunked[i], "position " + i);
        } finally {
            System.clearProperty("squall.tornado.batch");
        }
    }

    @Test
    void hiddenStatesComeAloneOrWithLogits() {
        int[] t = Fixtures.tokens(9, vocab, 5);
        int seq = device.cache().newSequence();
        ForwardResult both = device.forward(Batch.builder().token(seq, 0, t[0], false).token(seq, 1, t[1], true)
                .outputs(Batch.Output.LOGITS, Batch.Output.HIDDEN).build());
        device.cache().truncate(seq, 0);
        ForwardResult hidden = device.forward(Batch.builder().token(seq, 0, t[0], false).token(seq, 1, t[1], true)
                .outputs(Batch.Output.HIDDEN).build());
        device.cache().remove(seq);
        assertArrayEquals(both.hidden(0), hidden.hidden(0));
        assertEquals(null, hidden.logits());
        int js = java.cache().newSequence();
        float[] expected = java.forward(Batch.builder().token(js, 0, t[0], false).token(js, 1, t[1], true)
                .outputs(Batch.Output.HIDDEN).build()).hidden(0);
        java.cache().remove(js);
        assertTrue(Fixtures.nmse(new float[][] {expected}, new float[][] {hidden.hidden(0)}) < 1e-10);
    }

    @Test
    void inputEmbeddingsEqualTheirTokens() {
        int[] t = Fixtures.tokens(6, vocab, 6);
        var table = model.graph().prologue().stream().map(op -> ((dev.squall.graph.Op.Embed) op).table()).findFirst().orElseThrow();
        float[][] viaIds = run(device, s -> all(s, t, b -> b));
        float[][] viaEmbeddings = run(device, s -> {
            Batch.Builder b = Batch.builder();
            for (int i = 0; i < t.length; i++) {
                float[] row = new float[table.columns()];
                table.format().decode(table.data(), table.rowOffset(t[i]), row, 0, row.length);
                b.embedding(s, i, row, true);
            }
            return b.build();
        });
        for (int i = 0; i < t.length; i++) assertArrayEquals(viaIds[i], viaEmbeddings[i], "position " + i);
    }

    @Test
    void aBadBatchIsRejectedBeforeAnythingRuns() {
        int seq = device.cache().newSequence();
        try {
            device.forward(Batch.sequence(seq, 0, new int[] {5, 6}));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> device.forward(Batch.builder().token(seq, 2, 7, false).token(seq, 4, 8, true).build()));
            assertTrue(e.getMessage().contains("batch token 1"), e.getMessage());
            assertEquals(2, device.cache().length(seq), "the rejected batch wrote nothing");
            assertThrows(IllegalArgumentException.class, () -> device.forward(Batch.sequence(seq, 2, new int[] {vocab})));
            assertThrows(IllegalArgumentException.class, () -> device.forward(Batch.builder().token(seq, 2, 1, true).skipLayer(2).build()));
            assertThrows(IllegalArgumentException.class, () -> device.forward(Batch.sequence(seq + 100, 0, new int[] {1})));
        } finally {
            device.cache().remove(seq);
        }
    }

    /** The device kernel does not cap RoPE distances: LM-Infinite is refused, naming the flag, and nothing is written. */
    @Test
    void aDistanceCapIsRefusedBeforeAnythingRuns() {
        int seq = device.cache().newSequence();
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> device.forward(Batch.builder().token(seq, 0, 5, true).policy(seq, AttentionPolicy.lmInfinite(2, 8)).build()));
            assertTrue(e.getMessage().contains("--attention lm-infinite"), e.getMessage());
            assertEquals(0, device.cache().length(seq), "the refused batch wrote nothing");
        } finally {
            device.cache().remove(seq);
        }
    }

    @Test
    void runningOutOfSequencesNamesTheLimit() {
        System.setProperty("squall.tornado.sequences", "2");
        try (Plan p = Fixtures.compile(model, Fixtures.device(), 64)) {
            int a = p.cache().newSequence();
            p.cache().newSequence();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.cache().fork(a));
            assertTrue(e.getMessage().contains("at most 2 sequences"), e.getMessage());
        } finally {
            System.clearProperty("squall.tornado.sequences");
        }
    }

    @Test
    void aForkSeesItsParentsPrefixAndNothingAfter() {
        int[] prefix = Fixtures.tokens(30, vocab, 7), tail = Fixtures.tokens(3, vocab, 8);
        int parent = device.cache().newSequence();
        device.forward(Batch.sequence(parent, 0, prefix));
        int child = device.cache().fork(parent);
        device.forward(Batch.sequence(parent, prefix.length, Fixtures.tokens(4, vocab, 9)));
        float[] viaFork = device.forward(Batch.sequence(child, prefix.length, tail)).logits(0);
        device.cache().remove(parent);
        device.cache().remove(child);
        int[] all = Arrays.copyOf(prefix, prefix.length + tail.length);
        System.arraycopy(tail, 0, all, prefix.length, tail.length);
        float[][] recomputed = run(device, s -> Batch.sequence(s, 0, all));
        assertArrayEquals(recomputed[0], viaFork);
        assertFalse(device.cache().contains(child));
    }

    @Test
    void aDecodedTokenMovesOneFrameInAndOneRowOfLogitsOut() {
        TornadoPlan p = (TornadoPlan) device;
        int seq = p.cache().newSequence();
        p.forward(Batch.sequence(seq, 0, Fixtures.tokens(5, vocab, 10)));
        long in = p.stats().bytesIn, out = p.stats().bytesOut, tasks = p.stats().tasksRun, graphs = p.stats().graphsRun;
        p.forward(Batch.sequence(seq, 5, new int[] {42}));
        p.cache().remove(seq);
        assertEquals((long) vocab * Float.BYTES, p.stats().bytesOut - out);
        assertEquals(4L * dev.squall.backend.device.BatchFrame.size(p.budget().tokens(), TornadoPlan.MAX_RANGES), p.stats().bytesIn - in);
        int[] perToken = p.perTokenGraphsAndTasks();
        assertEquals(perToken[0], p.stats().graphsRun - graphs);
        assertEquals(perToken[1], p.stats().tasksRun - tasks);
        assertEquals(2 + 2 * model.config().layers(), perToken[0], "prologue, an attention and an MLP graph per layer (each skippable), epilogue");
    }
}
