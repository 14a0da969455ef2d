package dev.squall.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.squall.backend.Backend;
import dev.squall.backend.Plan;
import dev.squall.graph.Batch;
import dev.squall.graph.ForwardResult;
import dev.squall.graph.KvCache;
import dev.squall.graph.ModelGraph;
import dev.squall.sampling.Sampler;
import dev.squall.sampling.SamplerConfig;
import dev.squall.tokenizer.SampleVocabulary;
import dev.squall.tokenizer.Tokenizer;
import dev.squall.tokenizer.Tokenizers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The generation loop over a scripted model whose logits always favour the next token of a script. */
class GeneratorTest {

    private static final Tokenizer TOKENIZER = Tokenizers.create(SampleVocabulary.generate(600, 1));

    private static int id(String piece) {
        OptionalInt id = TOKENIZER.tokenId(piece);
        return id.orElseThrow(() -> new IllegalArgumentException("no piece " + piece));
    }

    /** A plan whose output after n fed tokens makes {@code script[n - promptLength]} the argmax. */
    private static final class ScriptedPlan implements Plan {
        final int[] script;
        final int promptLength;
        final SimpleCache cache;
        int forwards;

        ScriptedPlan(int[] script, int promptLength, int capacity) {
            this.script = script;
            this.promptLength = promptLength;
            this.cache = new SimpleCache(capacity);
        }

        @Override public ForwardResult forward(Batch b) {
            forwards++;
            for (int i = 0; i < b.size(); i++) cache.lengths.merge(b.sequence(i), 1, Integer::sum);
            int fed = cache.length(b.sequence(b.size() - 1));
            float[] logits = new float[TOKENIZER.vocabSize()];
            int next = fed - promptLength;
            logits[next >= 0 && next < script.length ? script[next] : 0] = 10f;
            return new ForwardResult(b.outputRows(), logits, logits.length, null, 0);
        }

        @Override public ModelGraph graph() { return null; }
        @Override public KvCache cache() { return cache; }
        @Override public Backend backend() { return null; }
        @Override public void close() {}
    }

    private static final class SimpleCache implements KvCache {
        final Map<Integer, Integer> lengths = new HashMap<>();
        final int capacity;
        SimpleCache(int capacity) { this.capacity = capacity; }
        @Override public int newSequence() { lengths.put(lengths.size(), 0); return lengths.size() - 1; }
        @Override public int fork(int seq) { throw new UnsupportedOperationException(); }
        @Override public void truncate(int seq, int length) { lengths.put(seq, length); }
        @Override public void remove(int seq) { lengths.remove(seq); }
        @Override public int length(int seq) { return lengths.get(seq); }
        @Override public int capacity() { return capacity; }
        @Override public boolean contains(int seq) { return lengths.containsKey(seq); }
        @Override public void compact(int seq, int start, int[] cells) { lengths.put(seq, start + cells.length); }
        @Override public int freeCells(int seq) { return capacity - length(seq); }
        @Override public int freeCells() { return capacity; }
    }

    private record Run(GenerationResult result, List<String> pieces, ScriptedPlan plan) {}

    private static Run run(int[] script, int maxTokens, List<String> stops, int capacity, int batch) {
        int[] prompt = TOKENIZER.encode("Hello there", true, false);
        ScriptedPlan plan = new ScriptedPlan(script, prompt.length, capacity);
        List<String> pieces = new ArrayList<>();
        GenerationResult r = Generator.generate(new Session(plan, TOKENIZER, new Sampler(SamplerConfig.greedy())), prompt,
                new GenerateOptions(maxTokens, SamplerConfig.greedy(), stops, batch), Decoder.plain(), pieces::add);
        return new Run(r, pieces, plan);
    }

    private static int[] script(String... pieces) {
        int[] s = new int[pieces.length];
        for (int i = 0; i < pieces.length; i++) s[i] = pieces[i].equals("</s>") ? TOKENIZER.eos() : id(pieces[i]);
        return s;
    }

    @Test
    void stopsAtTheEndTokenWithoutShowingIt() {
        Run r = run(script("▁a", "b", "</s>", "c"), 10, List.of(), 100, 512);
        assertEquals(StopReason.END_OF_GENERATION, r.result().reason());
        assertEquals(" ab", r.result().text());
        assertArrayEquals(script("▁a", "b", "</s>"), r.result().tokens());
        assertEquals(String.join("", r.pieces()), r.result().text());
    }

    @Test
    void stopsAtTheBudgetWithoutAnExtraForwardCall() {
        Run r = run(script("▁a", "b", "c", "d"), 3, List.of(), 100, 512);
        assertEquals(StopReason.TOKEN_BUDGET, r.result().reason());
        assertEquals(" abc", r.result().text());
        assertEquals(2, r.result().decodeForwards(), "the first token comes from the prefill, the third is never fed");
    }

    @Test
    void stopsAtAStopStringAndHidesIt() {
        Run r = run(script("▁a", "b", "c", "d", "e"), 10, List.of("cd"), 100, 512);
        assertEquals(StopReason.STOP_STRING, r.result().reason());
        assertEquals(" ab", r.result().text());
    }

    @Test
    void stopsWhenTheContextIsFull() {
        int prompt = TOKENIZER.encode("Hello there", true, false).length;
        Run r = run(script("a", "b", "c", "d", "e", "f", "g", "h"), -1, List.of(), prompt + 3, 512);
        assertEquals(StopReason.CONTEXT_FULL, r.result().reason());
        assertEquals(prompt + 3, r.plan().cache().length(0));
        assertEquals(4, r.result().tokens().length, "three fed, the fourth sampled into a full context");
    }

    @Test
    void aSplitEmojiIsShownOnlyWhenComplete() {
        byte[] utf8 = "😀".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String[] bytes = new String[utf8.length];
        for (int i = 0; i < utf8.length; i++) bytes[i] = String.format("<0x%02X>", utf8[i] & 0xff);
        Run r = run(script(bytes), utf8.length, List.of(), 100, 512);
        assertEquals("😀", r.result().text());
        assertEquals(List.of("😀"), r.pieces());
    }

    @Test
    void theBatchSizeSplitsThePrefill() {
        Run r = run(script("a"), 1, List.of(), 100, 2);
        int prompt = TOKENIZER.encode("Hello there", true, false).length;
        assertEquals((prompt + 1) / 2, r.plan().forwards);
    }
}
