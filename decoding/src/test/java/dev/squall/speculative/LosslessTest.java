package dev.squall.speculative;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.squall.format.WeightFormats;
import dev.squall.generation.Decoder;
import dev.squall.generation.GenerateOptions;
import dev.squall.generation.GenerationResult;
import dev.squall.generation.StopReason;
import dev.squall.heads.Dense;
import dev.squall.heads.DraftHeads;
import dev.squall.heads.HeadTrainer;
import dev.squall.heads.HeadTree;
import dev.squall.heads.HeadsFile;
import dev.squall.model.synthetic.SampleModels;
import dev.squall.sampling.SamplerConfig;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every speculative decoder is lossless: its greedy output equals plain greedy output token for
 * token, on sample models and on the trained pair, through the context limit and a stop string.
 */
class LosslessTest {

    @TempDir static Path dir;

    static final SamplerConfig GREEDY = SamplerConfig.greedy();

    /** Every algorithm, made fresh for each run. */
    static Map<String, Function<Models, Decoder>> algorithms() {
        Map<String, Function<Models, Decoder>> m = new LinkedHashMap<>();
        m.put("draft", x -> x.draftDecoder(GREEDY, 1, 6, 0.3));
        m.put("draft-fixed", x -> x.draftDecoder(GREEDY, 4, 4, 0));
        m.put("lookup", x -> new PromptLookup(1, 3, 8));
        m.put("lookahead", x -> new Lookahead(4, 6, 16, null));
        m.put("jacobi", x -> new Jacobi(4, 4, 4, 1));
        m.put("swift", x -> new Swift(1, 6, Swift.DEFAULT_CONFIDENCE, 1));
        m.put("swift-fixed", x -> Swift.fixed(lastMlp(x), 1, 6, 0.5));
        m.put("medusa", x -> heads(x, DraftHeads.Kind.MEDUSA, false));
        m.put("hydra", x -> heads(x, DraftHeads.Kind.HYDRA, false));
        m.put("medusa-typical", x -> heads(x, DraftHeads.Kind.MEDUSA, true));
        return m;
    }

    /**
     * Untrained heads (each repeats the model's output head, so some guesses are right) drafting
     * 24-node trees; with typical acceptance, which at T = 0 is greedy verification.
     */
    static Decoder heads(Models m, DraftHeads.Kind kind, boolean typical) {
        int dim = m.target.config().embeddingSize(), vocab = m.target.config().vocabSize();
        DraftHeads h = DraftHeads.initial(kind, 3, dim, vocab, HeadsFile.output(m.target), kind == DraftHeads.Kind.HYDRA ? HeadsFile.embeddings(m.target) : null);
        double[][] a = new double[3][HeadTrainer.RANKS];
        for (int k = 0; k < 3; k++) for (int r = 0; r < HeadTrainer.RANKS; r++) a[k][r] = Math.pow(0.5, r + 1 + k);
        return new HeadsDecoder(h, HeadTree.shape(a, 24), new Dense(1), typical ? 0.09 : null, typical ? 0.3 : null);
    }

    /** The skip set of the last layer's MLP (bit 2l + 1). */
    static BitSet lastMlp(Models m) {
        BitSet b = new BitSet();
        b.set(2 * m.target.config().layers() - 1);
        return b;
    }

    private static void assertLossless(Models m, List<int[]> prompts, GenerateOptions options) {
        for (int[] prompt : prompts) {
            GenerationResult plain = m.run(prompt, options, x -> Decoder.plain());
            for (var e : algorithms().entrySet()) {
                GenerationResult r = m.run(prompt, options, e.getValue());
                assertArrayEquals(plain.tokens(), r.tokens(), e.getKey() + " differs from plain greedy");
                assertEquals(plain.text(), r.text(), e.getKey());
                assertEquals(plain.reason(), r.reason(), e.getKey());
            }
        }
    }

    @Test
    void onTheMicroSampleWithItsQ4_0AsDraft() {
        Path target = SampleModels.write("micro", WeightFormats.F32, dir, null), draft = SampleModels.write("micro", WeightFormats.Q4_0, dir, null);
        try (Models m = new Models(target, draft, 512)) {
            List<int[]> prompts = List.of(m.prompt("Once upon a time"), m.prompt("the the the and the"), m.prompt("Hello"));
            assertLossless(m, prompts, new GenerateOptions(80, GREEDY, List.of(), 512));
        }
    }

    @Test
    void untilTheContextIsFull() {
        Path target = SampleModels.write("micro", WeightFormats.F32, dir, null), draft = SampleModels.write("micro", WeightFormats.Q4_0, dir, null);
        try (Models m = new Models(target, draft, 48)) {
            int[] prompt = m.prompt("Once upon a time");
            GenerationResult plain = m.run(prompt, new GenerateOptions(-1, GREEDY, List.of(), 512), x -> Decoder.plain());
            assertEquals(StopReason.CONTEXT_FULL, plain.reason());
            assertEquals(48 - prompt.length + 1, plain.tokens().length, "every cell filled, and one token sampled after the last");
            assertLossless(m, List.of(prompt), new GenerateOptions(-1, GREEDY, List.of(), 512));
        }
    }

    @Test
    void onTheTrainedPair() throws Exception {
        Path target = Models.shared("jdk-target-q8_0.gguf"), draft = Models.shared("jdk-draft-q8_0.gguf");
        assumeTrue(target != null && draft != null, "the trained models of ../shared/models are not here");
        try (Models m = new Models(target, draft, 1024)) {
            List<int[]> prompts = Models.sharedPrompts(3).stream().map(m::prompt).toList();
            assertLossless(m, prompts, new GenerateOptions(72, GREEDY, List.of(), 512));
        }
    }

    @Test
    void atAStopStringOnTheTrainedPair() throws Exception {
        Path target = Models.shared("jdk-target-q8_0.gguf"), draft = Models.shared("jdk-draft-q8_0.gguf");
        assumeTrue(target != null && draft != null, "the trained models of ../shared/models are not here");
        try (Models m = new Models(target, draft, 1024)) {
            int[] prompt = m.prompt(Models.sharedPrompts(2).get(1));
            String text = m.run(prompt, new GenerateOptions(96, GREEDY, List.of(), 512), x -> Decoder.plain()).text();
            String stop = text.substring(text.length() / 2, text.length() / 2 + 3);
            GenerateOptions options = new GenerateOptions(96, GREEDY, List.of(stop), 512);
            assertEquals(StopReason.STOP_STRING, m.run(prompt, options, x -> Decoder.plain()).reason(), "the stop string '" + stop + "' is hit");
            assertTrue(m.run(prompt, options, x -> Decoder.plain()).tokens().length < 96);
            assertLossless(m, List.of(prompt), options);
        }
    }

    @Test
    void swiftDraftsWithItsSkipSetAndKeepsWhatTheTargetWouldSay() throws Exception {
        Path target = Models.shared("jdk-target-q8_0.gguf");
        assumeTrue(target != null, "the trained models of ../shared/models are not here");
        try (Models m = new Models(target, null, 1024)) {
            int[] prompt = m.prompt(Models.sharedPrompts(1).get(0));
            GenerateOptions options = new GenerateOptions(96, GREEDY, List.of(), 512);
            GenerationResult plain = m.run(prompt, options, x -> Decoder.plain());
            Swift swift = Swift.fixed(lastMlp(m), 1, 6, 0.5);
            GenerationResult r = m.run(prompt, options, x -> swift);
            assertArrayEquals(plain.tokens(), r.tokens());
            assertTrue(swift.stats().drafted() > 0 && swift.stats().accepted() > 0, "drafted " + swift.stats().drafted() + ", accepted " + swift.stats().accepted());
            assertTrue(swift.stats().tau() > 1, "tau " + swift.stats().tau());
        }
    }
}
