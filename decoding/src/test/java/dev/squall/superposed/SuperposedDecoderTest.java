package dev.squall.superposed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.backend.Backend;
import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.backend.java.JavaBackend;
import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.generation.GenerateOptions;
import dev.squall.generation.Generator;
import dev.squall.generation.Session;
import dev.squall.graph.Batch;
import dev.squall.graph.ForwardResult;
import dev.squall.graph.KvCache;
import dev.squall.graph.ModelGraph;
import dev.squall.model.Model;
import dev.squall.model.synthetic.SampleModels;
import dev.squall.sampling.Sampler;
import dev.squall.sampling.SamplerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Superposed decoding on the micro sample model: K distinct drafts of the requested length from
 * one forward call per token after the prompt, and with K = 1 and no n-gram filter exactly plain
 * greedy decoding (which fails if the superposed embedding is not the prologue's row, in any
 * weight format).
 */
class SuperposedDecoderTest {

    @TempDir static Path dir;
    private static final int[] PROMPT = {1, 50, 60, 70, 80, 90, 100};

    /** A plan that counts its forward calls. */
    static final class Counting implements Plan {
        final Plan plan;
        int forwards;

        Counting(Plan plan) { this.plan = plan; }

        @Override public ModelGraph graph() { return plan.graph(); }
        @Override public KvCache cache() { return plan.cache(); }
        @Override public ForwardResult forward(Batch batch) {
            forwards++;
            return plan.forward(batch);
        }
        @Override public Backend backend() { return plan.backend(); }
        @Override public void close() { plan.close(); }
    }

    private static Model micro(WeightFormat format) {
        return Model.open(SampleModels.write("micro", format, dir, null));
    }

    private static SuperposedDecoder decoder(Model m, Plan plan, NgramModel ngram, int k) {
        return new SuperposedDecoder(plan, m.tokenizer(), TokenEmbeddings.of(m.graph()), ngram, new SuperposedDecoder.Options(k, k, 0.5));
    }

    @ParameterizedTest(name = "K = {0}")
    @ValueSource(ints = {2, 3, 5})
    void kDistinctDraftsOfTheLengthFromOneForwardCallPerToken(int k) {
        try (Model m = micro(WeightFormats.F32); Counting plan = new Counting(m.compile(new JavaBackend(), PlanOptions.of(128, 2)))) {
            int tokens = 12, free = plan.cache().freeCells();
            SuperposedDecoder.Result r = decoder(m, plan, null, k).generate(PROMPT, tokens, 4);
            int prefill = (PROMPT.length + 3) / 4;
            assertEquals(prefill + tokens - 1, plan.forwards, "prompt batches of 4, then one call per token after the first");
            assertEquals(prefill, r.prefillForwards());
            assertEquals(tokens - 1, r.decodeForwards());
            assertEquals(k, r.drafts().size());
            Set<List<Integer>> distinct = new HashSet<>();
            for (SuperposedDecoder.Draft d : r.drafts()) {
                assertEquals(tokens, d.tokens().length);
                for (int t : d.tokens()) assertFalse(m.tokenizer().isEndOfGeneration(t) || m.tokenizer().isControl(t), "token " + t);
                distinct.add(java.util.Arrays.stream(d.tokens()).boxed().toList());
            }
            assertEquals(k, distinct.size(), "distinct drafts");
            for (int i = 1; i < k; i++) assertTrue(r.drafts().get(i - 1).score() >= r.drafts().get(i).score(), "best score first");
            assertEquals(free, plan.cache().freeCells(), "the decoder's sequence is released");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"f32", "f16", "q8_0"})
    void oneDraftWithoutAnNgramFilterIsPlainGreedy(String format) {
        try (Model m = micro(WeightFormats.byName(format)); Plan plan = m.compile(new JavaBackend(), PlanOptions.of(128, 2))) {
            int tokens = 24;
            GenerateOptions greedy = new GenerateOptions(tokens, SamplerConfig.greedy(), List.of(), 512, true);
            int[] plain = new Generator(plan, m.tokenizer()).generate(PROMPT, new Sampler(SamplerConfig.greedy()), greedy, s -> {}).tokens();
            assertEquals(tokens, plain.length);
            for (int t : plain) assertFalse(m.tokenizer().isEndOfGeneration(t) || m.tokenizer().isControl(t), "greedy chose banned token " + t + ": pick another prompt");
            SuperposedDecoder.Result r = decoder(m, plan, null, 1).generate(PROMPT, tokens, 512);
            assertArrayEquals(plain, r.drafts().getFirst().tokens());
            assertEquals(logProbability(m, plan, plain), r.drafts().getFirst().score(), 1e-9, "the same logits: the score is the greedy path's log-probability");
        }
    }

    /** Σ log softmax of the logits plain decoding sees before each of {@code tokens}. */
    private static double logProbability(Model m, Plan plan, int[] tokens) {
        double sum = 0;
        try (Session s = new Session(plan, m.tokenizer(), new Sampler(SamplerConfig.greedy()))) {
            s.append(PROMPT, 512);
            for (int t : tokens) {
                float[] l = s.logits();
                double max = Double.NEGATIVE_INFINITY, z = 0;
                for (float x : l) max = Math.max(max, x);
                for (float x : l) z += Math.exp(x - max);
                sum += l[t] - max - Math.log(z);
                s.push(t);
            }
        }
        return sum;
    }

    @Test
    void theNgramFilterChangesTheDraftsTowardsItsCorpus() {
        try (Model m = micro(WeightFormats.F32); Plan plan = m.compile(new JavaBackend(), PlanOptions.of(128, 2))) {
            int[] phrase = {200, 201, 202, 203, 204, 205, 206, 207};
            List<int[]> corpus = new ArrayList<>();
            for (int i = 0; i < 50; i++) corpus.add(phrase);
            NgramModel ngram = NgramModel.count(corpus, 3, VocabularyId.of(m.tokenizer(), "micro"));
            SuperposedDecoder d = new SuperposedDecoder(plan, m.tokenizer(), TokenEmbeddings.of(m.graph()), ngram, new SuperposedDecoder.Options(3, m.tokenizer().vocabSize(), 0.9));
            int[] prompt = {1, 200, 201, 202};
            int[] best = d.generate(prompt, 4, 512).drafts().getFirst().tokens();
            assertArrayEquals(new int[] {203, 204, 205, 206}, best, "the corpus phrase the n-gram model is sure of");
        }
    }

    @Test
    void aPromptThatLeavesNoRoomIsRefused() {
        try (Model m = micro(WeightFormats.F32); Plan plan = m.compile(new JavaBackend(), PlanOptions.of(16, 2))) {
            var e = assertThrows(IllegalArgumentException.class, () -> decoder(m, plan, null, 2).generate(PROMPT, 11, 512));
            assertTrue(e.getMessage().contains("needs 17 positions, the context size is 16"), e.getMessage());
        }
    }
}
