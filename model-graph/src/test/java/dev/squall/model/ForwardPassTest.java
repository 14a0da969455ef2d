package dev.squall.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.squall.backend.Plan;
import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.graph.AttentionPolicy;
import dev.squall.graph.Batch;
import dev.squall.graph.ForwardResult;
import dev.squall.graph.KvCache;
import dev.squall.model.synthetic.ModelSpec;
import dev.squall.ops.RmsNorm;
import dev.squall.tensor.WeightTensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The Java backend's forward pass: against the oracle definition, and the batch invariants decoding relies on. */
class ForwardPassTest {

    @TempDir static Path dir;
    private static Model model;
    private static Plan plan;

    @BeforeAll
    static void open() {
        model = Model.open(TestModels.write(TestModels.llama(WeightFormats.F32), dir));
        plan = TestModels.compile(model, 2);
    }

    @AfterAll
    static void close() {
        plan.close();
        model.close();
    }

    private static int[] tokens(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = r.nextInt(model.config().vocabSize());
        return t;
    }

    /** Logits of every position of {@code tokens} fed to a new sequence as one batch. */
    private static float[][] allPositions(Plan p, int[] tokens) {
        int seq = p.cache().newSequence();
        Batch.Builder b = Batch.builder();
        for (int i = 0; i < tokens.length; i++) b.token(seq, i, tokens[i], true);
        ForwardResult r = p.forward(b.build());
        p.cache().remove(seq);
        float[][] out = new float[tokens.length][];
        for (int i = 0; i < tokens.length; i++) out[i] = r.logits(i);
        return out;
    }

    static Stream<Arguments> familiesAndFormats() {
        Stream.Builder<Arguments> s = Stream.builder();
        for (WeightFormat f : new WeightFormat[] {WeightFormats.F32, WeightFormats.F16, WeightFormats.BF16, WeightFormats.Q8_0, WeightFormats.Q4_0}) {
            s.add(Arguments.of("llama", f));
        }
        s.add(Arguments.of("llama3-scaled", WeightFormats.F32));
        s.add(Arguments.of("qwen2", WeightFormats.F32));
        s.add(Arguments.of("qwen3", WeightFormats.Q8_0));
        return s.build();
    }

    private static Function<WeightFormat, ModelSpec> spec(String name) {
        return switch (name) {
            case "llama" -> TestModels::llama;
            case "llama3-scaled" -> TestModels::llama3Scaled;
            case "qwen2" -> TestModels::qwen2;
            case "qwen3" -> TestModels::qwen3;
            default -> throw new IllegalArgumentException(name);
        };
    }

    /**
     * Float accumulation over at most 96 terms gives each dot product a relative error below
     * 96·2^-24 ≈ 6e-6 (NMSE ≈ 4e-11); a dozen operators in sequence stay below 1e-8, while a wrong
     * pairing, mask or layout gives NMSE near 1.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("familiesAndFormats")
    void logitsMatchTheOracleDefinitionAtEveryPosition(String family, WeightFormat format) {
        try (Model m = Model.open(TestModels.write(spec(family).apply(format), dir)); Plan p = TestModels.compile(m, 2)) {
            int[] t = tokens(24, 5);
            float[] expected = ReferenceForward.logits(m.graph(), t);
            float[][] actual = allPositions(p, t);
            int vocab = m.config().vocabSize();
            for (int pos = 0; pos < t.length; pos++) {
                double err = 0, ref = 0;
                for (int v = 0; v < vocab; v++) {
                    double e = expected[pos * vocab + v], d = e - actual[pos][v];
                    err += d * d;
                    ref += e * e;
                }
                if (!(err / ref < 1e-8)) fail(family + " " + format.name() + " position " + pos + ": NMSE " + err / ref);
            }
        }
    }

    @Test
    void oneBatchGivesTheSameLogitsAsTokenByToken() {
        int[] t = tokens(40, 7);
        float[][] batched = allPositions(plan, t);
        int seq = plan.cache().newSequence();
        for (int i = 0; i < t.length; i++) {
            float[] single = plan.forward(Batch.sequence(seq, i, new int[] {t[i]})).logits(0);
            // bit-identical, stronger than the 1e-5 relative bar: every kernel fixes its accumulation order
            assertArrayEquals(batched[i], single, "position " + i);
        }
        plan.cache().remove(seq);
    }

    /**
     * {@code --activations q8}: batches equal token by token bit for bit (integer block sums, a
     * fixed order per row), and the logits stay near the float-activation ones (rounding each
     * activation to 8 bits costs a relative error near 2^-8 per product, NMSE well under 1e-2)
     * without being equal to them (the int path really ran).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("quantizedFormats")
    void q8ActivationsGiveBatchesEqualToTokenByTokenAndLogitsNearFloat(WeightFormat format) {
        try (Model m = Model.open(TestModels.write(TestModels.llama(format), dir));
             Plan exact = TestModels.compile(m, 2);
             Plan q8 = m.compile(new dev.squall.backend.java.JavaBackend(),
                     dev.squall.backend.PlanOptions.of(256, 2).withActivations(dev.squall.backend.Activations.Q8))) {
            int[] t = tokens(20, 9);
            float[][] batched = allPositions(q8, t), reference = allPositions(exact, t);
            int seq = q8.cache().newSequence();
            for (int i = 0; i < t.length; i++) {
                float[] single = q8.forward(Batch.sequence(seq, i, new int[] {t[i]})).logits(0);
                assertArrayEquals(batched[i], single, format.name() + " position " + i);
            }
            double err = 0, ref = 0;
            for (int i = 0; i < t.length; i++) {
                for (int v = 0; v < reference[i].length; v++) {
                    double d = reference[i][v] - batched[i][v];
                    err += d * d;
                    ref += reference[i][v] * reference[i][v];
                }
            }
            assertTrue(err / ref < 1e-2 && err > 0, format.name() + ": NMSE against float activations " + err / ref);
        }
    }

    /**
     * An F16 KV cache: batches equal token by token bit for bit, and the logits stay near the F32
     * cache's (keys and values rounded to 11 significant bits, NMSE far below 1e-4) without being
     * equal to them.
     */
    @Test
    void anF16CacheGivesBatchesEqualToTokenByTokenAndLogitsNearF32() {
        try (Plan half = model.compile(new dev.squall.backend.java.JavaBackend(), dev.squall.backend.PlanOptions.of(256, 2)
                .withCacheTypes(dev.squall.backend.CacheType.F16, dev.squall.backend.CacheType.F16))) {
            int[] t = tokens(90, 13);   // past one page of 64 positions
            float[][] batched = allPositions(half, t), reference = allPositions(plan, t);
            int seq = half.cache().newSequence();
            double err = 0, ref = 0;
            for (int i = 0; i < t.length; i++) {
                float[] single = half.forward(Batch.sequence(seq, i, new int[] {t[i]})).logits(0);
                assertArrayEquals(batched[i], single, "position " + i);
                for (int v = 0; v < single.length; v++) {
                    double d = reference[i][v] - single[v];
                    err += d * d;
                    ref += reference[i][v] * reference[i][v];
                }
            }
            half.cache().remove(seq);
            assertTrue(err / ref < 1e-4 && err > 0, "NMSE against the F32 cache " + err / ref);
        }
    }

    static Stream<WeightFormat> quantizedFormats() {
        return Stream.of(WeightFormats.Q8_0, WeightFormats.Q4_0, WeightFormats.MXFP4);   // Q4_K: rows here are shorter than its 256-element blocks; validate --group model covers it
    }

    @Test
    void twoSequencesInOneBatchGiveTheSameLogitsAsEachAlone() {
        int[] a = tokens(17, 8), b = tokens(9, 9);
        float[][] aloneA = allPositions(plan, a), aloneB = allPositions(plan, b);
        int sa = plan.cache().newSequence(), sb = plan.cache().newSequence();
        Batch.Builder batch = Batch.builder();
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            if (i < a.length) batch.token(sa, i, a[i], true);
            if (i < b.length) batch.token(sb, i, b[i], true);
        }
        ForwardResult r = plan.forward(batch.build());
        int row = 0;
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            if (i < a.length) assertArrayEquals(aloneA[i], r.logits(row++), "sequence A position " + i);
            if (i < b.length) assertArrayEquals(aloneB[i], r.logits(row++), "sequence B position " + i);
        }
        plan.cache().remove(sa);
        plan.cache().remove(sb);
    }

    @Test
    void forkAndTruncateGiveTheSameLogitsAsRecomputation() {
        int[] prefix = tokens(70, 10), tailA = tokens(5, 11), tailB = tokens(6, 12);
        KvCache cache = plan.cache();
        int parent = cache.newSequence();
        plan.forward(Batch.sequence(parent, 0, prefix));
        int child = cache.fork(parent);
        float[] viaFork = plan.forward(Batch.sequence(child, prefix.length, tailB)).logits(0);
        float[] parentAfter = plan.forward(Batch.sequence(parent, prefix.length, tailA)).logits(0);
        // rejected speculation: drop tail A and write tail B in its place
        cache.truncate(parent, prefix.length);
        float[] viaTruncate = plan.forward(Batch.sequence(parent, prefix.length, tailB)).logits(0);
        float[] recomputed = allPositions(plan, concat(prefix, tailB))[prefix.length + tailB.length - 1];
        assertArrayEquals(recomputed, viaFork, "fork");
        assertArrayEquals(recomputed, viaTruncate, "truncate");
        float[] recomputedA = allPositions(plan, concat(prefix, tailA))[prefix.length + tailA.length - 1];
        assertArrayEquals(recomputedA, parentAfter, "the parent is unaffected by its fork's writes");
        cache.remove(parent);
        cache.remove(child);
    }

    @Test
    void skippingEveryLayerLeavesTheNormalizedEmbedding() {
        int seq = plan.cache().newSequence();
        Batch.Builder b = Batch.builder().token(seq, 0, 42, true).outputs(Batch.Output.HIDDEN);
        for (int l = 0; l < model.config().layers(); l++) b.skipLayer(l);
        float[] hidden = plan.forward(b.build()).hidden(0);
        WeightTensor embd = model.graph().prologue().stream().map(op -> ((dev.squall.graph.Op.Embed) op).table()).findFirst().orElseThrow();
        int d = model.config().embeddingSize();
        float[] row = new float[d], norm = new float[d], expected = new float[d];
        embd.format().decode(embd.data(), embd.rowOffset(42), row, 0, d);
        WeightTensor gain = ((dev.squall.graph.Op.RmsNorm) model.graph().epilogue().get(1)).weight();
        gain.format().decode(gain.data(), 0, norm, 0, d);
        RmsNorm.oracle(row, 0, d, norm, model.config().normEps(), expected, 0);
        for (int i = 0; i < d; i++) assertEquals(expected[i], hidden[i], Math.abs(expected[i]) * 1e-6, "element " + i);
        plan.cache().remove(seq);
    }

    @Test
    void skippingALayerChangesTheLogits() {
        int[] t = tokens(6, 13);
        int seq = plan.cache().newSequence();
        float[] full = plan.forward(Batch.sequence(seq, 0, t)).logits(0);
        plan.cache().truncate(seq, 0);
        Batch.Builder b = Batch.builder().skipLayer(1);
        for (int i = 0; i < t.length; i++) b.token(seq, i, t[i], i == t.length - 1);
        float[] skipped = plan.forward(b.build()).logits(0);
        assertTrue(!Arrays.equals(full, skipped), "layer 1 contributes to the logits");
        plan.cache().remove(seq);
    }

    @Test
    void hiddenStatesAndLogitsComeTogetherWhenAsked() {
        int seq = plan.cache().newSequence();
        Batch b = Batch.builder().token(seq, 0, 3, false).token(seq, 1, 4, true).outputs(Batch.Output.LOGITS, Batch.Output.HIDDEN).build();
        ForwardResult r = plan.forward(b);
        assertEquals(1, r.outputs());
        assertEquals(model.config().embeddingSize(), r.hidden(0).length);
        assertEquals(model.config().vocabSize(), r.logits(0).length);
        plan.cache().remove(seq);
    }

    @Test
    void aWindowOfOnePositionMakesEarlierTokensIrrelevant() {
        int[] t = tokens(10, 14);
        int s1 = plan.cache().newSequence(), s2 = plan.cache().newSequence();
        AttentionPolicy self = AttentionPolicy.slidingWindow(1);
        Batch.Builder a = Batch.builder().policy(s1, self), b = Batch.builder().policy(s2, self);
        for (int i = 0; i < t.length; i++) {
            a.token(s1, i, t[i], i == t.length - 1);
            b.token(s2, i, i == t.length - 1 ? t[i] : (t[i] + 1) % model.config().vocabSize(), i == t.length - 1);
        }
        assertArrayEquals(plan.forward(a.build()).logits(0), plan.forward(b.build()).logits(0));
        plan.cache().remove(s1);
        plan.cache().remove(s2);
    }

    @Test
    void badBatchesAreRejectedNamingTheToken() {
        int seq = plan.cache().newSequence();
        assertEquals("batch token 0: no sequence 9999 in the KV cache",
                assertThrows(IllegalArgumentException.class, () -> plan.forward(Batch.sequence(9999, 0, new int[] {1}))).getMessage());
        assertEquals("batch token 0: cell 3 of sequence " + seq + " leaves a gap (sequence holds 0 cells)",
                assertThrows(IllegalArgumentException.class, () -> plan.forward(Batch.sequence(seq, 3, new int[] {1}))).getMessage());
        assertEquals("batch token 1: token id 512 is out of range [0, 512)",
                assertThrows(IllegalArgumentException.class, () -> plan.forward(Batch.sequence(seq, 0, new int[] {1, 512}))).getMessage());
        assertEquals(0, plan.cache().length(seq), "a rejected batch writes nothing");
        plan.cache().remove(seq);
    }

    /** Logits after each of {@code tokens} fed one call per token (the reference for trees). */
    private static float[][] oneByOne(int seq, int start, int[] tokens) {
        float[][] out = new float[tokens.length][];
        for (int i = 0; i < tokens.length; i++) out[i] = plan.forward(Batch.sequence(seq, start + i, new int[] {tokens[i]})).logits(0);
        return out;
    }

    @Test
    void aTreeOfBranchesEqualsEachBranchFedAloneBitForBit() {
        int[] prefix = tokens(9, 21), a = tokens(4, 22), b = tokens(3, 23);
        b[0] = a[0];                                   // b shares a's first token: a tree with a branch point after it
        int seq = plan.cache().newSequence();
        plan.forward(Batch.sequence(seq, 0, prefix));
        int n = prefix.length;
        // cells: a0 a1 a2 a3 | b1 b2 ; b1's parent is a0 (cell n)
        Batch.Builder t = Batch.builder();
        for (int i = 0; i < a.length; i++) t.token(seq, n + i, n + i, a[i], true, new int[] {0, n + i + 1});
        t.token(seq, n + 1, n + 4, b[1], true, new int[] {0, n + 1, n + 4, n + 5});
        t.token(seq, n + 2, n + 5, b[2], true, new int[] {0, n + 1, n + 4, n + 6});
        ForwardResult tree = plan.forward(t.build());
        plan.cache().truncate(seq, n);
        float[][] alone = oneByOne(seq, n, a);
        for (int i = 0; i < a.length; i++) assertArrayEquals(alone[i], tree.logits(i), "branch a, node " + i);
        plan.cache().truncate(seq, n);
        float[][] aloneB = oneByOne(seq, n, b);
        assertArrayEquals(aloneB[1], tree.logits(4), "branch b, node 1");
        assertArrayEquals(aloneB[2], tree.logits(5), "branch b, node 2");
        plan.cache().remove(seq);
    }

    @Test
    void compactingTheAcceptedBranchEqualsHavingFedItAlone() {
        int[] prefix = tokens(7, 31), a = tokens(3, 32), b = tokens(3, 33), next = tokens(2, 34);
        int seq = plan.cache().newSequence();
        plan.forward(Batch.sequence(seq, 0, prefix));
        int n = prefix.length;
        Batch.Builder t = Batch.builder();
        for (int i = 0; i < 3; i++) t.token(seq, n + i, n + i, a[i], false, new int[] {0, n + i + 1});
        for (int i = 0; i < 3; i++) t.token(seq, n + i, n + 3 + i, b[i], i == 2, new int[] {0, n, n + 3, n + 3 + i + 1});
        plan.forward(t.build());
        plan.cache().compact(seq, n, new int[] {n + 3, n + 4, n + 5});     // keep branch b
        assertEquals(n + 3, plan.cache().length(seq));
        float[] viaTree = plan.forward(Batch.sequence(seq, n + 3, next)).logits(0);
        int other = plan.cache().newSequence();
        float[] direct = plan.forward(Batch.sequence(other, 0, concat(concat(prefix, b), next))).logits(0);
        assertArrayEquals(direct, viaTree);
        plan.cache().remove(seq);
        plan.cache().remove(other);
    }

    @Test
    void skippingBothSublayersIsSkippingTheLayerAndEachSublayerMatters() {
        int[] t = tokens(5, 41);
        java.util.function.Function<java.util.function.Consumer<Batch.Builder>, float[]> run = configure -> {
            int seq = plan.cache().newSequence();
            Batch.Builder b = Batch.builder();
            for (int i = 0; i < t.length; i++) b.token(seq, i, t[i], i == t.length - 1);
            configure.accept(b);
            float[] l = plan.forward(b.build()).logits(0);
            plan.cache().remove(seq);
            return l;
        };
        float[] full = run.apply(b -> {}), layer = run.apply(b -> b.skipLayer(1));
        float[] both = run.apply(b -> b.skipAttention(1).skipMlp(1));
        float[] attention = run.apply(b -> b.skipAttention(1)), mlp = run.apply(b -> b.skipMlp(1));
        assertArrayEquals(layer, both);
        assertTrue(!Arrays.equals(full, attention) && !Arrays.equals(full, mlp) && !Arrays.equals(attention, mlp) && !Arrays.equals(attention, both));
    }

    @Test
    void aBadTreeBatchFailsBeforeAnythingChanges() {
        int seq = plan.cache().newSequence();
        plan.forward(Batch.sequence(seq, 0, tokens(6, 51)));
        float[] before = plan.forward(Batch.sequence(seq, 6, new int[] {7})).logits(0);
        plan.cache().truncate(seq, 6);
        String future = assertThrows(IllegalArgumentException.class, () -> plan.forward(Batch.builder()
                .token(seq, 6, 6, 1, true, new int[] {0, 8}).build())).getMessage();
        assertTrue(future.contains("future cell"), future);
        String later = assertThrows(IllegalArgumentException.class, () -> plan.forward(Batch.builder()
                .token(seq, 6, 6, 1, true, new int[] {0, 7}).token(seq, 3, 3, 2, true, new int[] {0, 4}).build())).getMessage();
        assertTrue(later.contains("which batch token 1 writes after it"), later);
        String past = assertThrows(IllegalArgumentException.class, () -> plan.forward(Batch.builder()
                .token(seq, 6, 6, 1, false, null).token(seq, 7, plan.cache().capacity(), 2, true, null).build())).getMessage();
        assertTrue(past.contains("beyond the context size"), past);
        String none = assertThrows(IllegalArgumentException.class, () -> plan.forward(Batch.builder()
                .token(seq, 6, 6, 1, true, new int[] {2, 2}).build())).getMessage();
        assertTrue(none.contains("no visible cell"), none);
        assertEquals(6, plan.cache().length(seq), "rejected batches write nothing");
        assertArrayEquals(before, plan.forward(Batch.sequence(seq, 6, new int[] {7})).logits(0), "and the cache holds what it held");
        plan.cache().remove(seq);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
