package dev.squall.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.backend.java.JavaBackend;
import dev.squall.format.WeightFormats;
import dev.squall.generation.Decoder;
import dev.squall.generation.GenerateOptions;
import dev.squall.generation.Generator;
import dev.squall.generation.Session;
import dev.squall.generation.StopReason;
import dev.squall.model.Model;
import dev.squall.model.synthetic.SampleModels;
import dev.squall.sampling.Sampler;
import dev.squall.sampling.SamplerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SARATHI scheduler: batched output equals lone output, the token budget, decode-first batches, admission, cancellation, forks. */
class SchedulerTest {

    @TempDir static Path dir;
    static Model model;

    @BeforeAll
    static void open() {
        model = Model.open(SampleModels.write("micro", WeightFormats.F32, dir, null));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static Plan plan(int context, int cells) {
        return model.compile(new JavaBackend(), PlanOptions.of(context, 2).withCacheCells(cells));
    }

    static int[] prompt(int length, long seed) {
        Random r = new Random(seed);
        int[] p = new int[length];
        p[0] = model.tokenizer().bos();
        for (int i = 1; i < length; i++) p[i] = 3 + r.nextInt(model.tokenizer().vocabSize() - 3);
        return p;
    }

    static GenerateOptions options(int maxTokens, SamplerConfig sampling) {
        return new GenerateOptions(maxTokens, sampling, List.of(), 512);
    }

    /** Plain decoding of one request, alone, on its own plan. */
    static int[] alone(int[] prompt, GenerateOptions o) {
        try (Plan p = plan(256, 0); Session s = new Session(p, model.tokenizer(), new Sampler(o.sampling()))) {
            return Generator.generate(s, prompt, o, Decoder.plain(), x -> {}).tokens();
        }
    }

    /** Collects each choice's tokens and text. */
    static class Collect implements Scheduler.Listener {
        final Map<Integer, int[]> tokens = new TreeMap<>();
        final Map<Integer, StringBuilder> streamed = new TreeMap<>();
        final Map<Integer, String> texts = new TreeMap<>();
        String error = "not done";

        @Override public void text(int choice, String piece) { streamed.computeIfAbsent(choice, k -> new StringBuilder()).append(piece); }
        @Override public void finished(int choice, int[] t, String text, StopReason reason) { tokens.put(choice, t); texts.put(choice, text); }
        @Override public void done(String e) { error = e; }
    }

    @Test
    void greedyOutputIsTheSameAloneOrBatchedAndTheBudgetHolds() {
        SamplerConfig greedy = SamplerConfig.greedy();
        int[][] prompts = {prompt(5, 1), prompt(37, 2), prompt(80, 3), prompt(3, 4), prompt(21, 5)};
        int[] budgets = {24, 9, 30, 17, 1};
        try (Plan p = plan(256, 0); Scheduler s = new Scheduler(p, model.tokenizer(), 16)) {
            List<Scheduler.StepStats> steps = new ArrayList<>();
            s.observe(steps::add);
            List<Collect> got = new ArrayList<>();
            for (int i = 0; i < prompts.length; i++) {
                Collect c = new Collect();
                got.add(c);
                s.submit(new Scheduler.Request(prompts[i], options(budgets[i], greedy), 1, c));
            }
            s.runUntilIdle();
            for (int i = 0; i < prompts.length; i++) {
                assertNull(got.get(i).error);
                assertArrayEquals(alone(prompts[i], options(budgets[i], greedy)), got.get(i).tokens.get(0), "request " + i);
                assertEquals(got.get(i).texts.get(0), got.get(i).streamed.getOrDefault(0, new StringBuilder()).toString(), "streamed text adds up");
            }
            assertTrue(steps.stream().allMatch(x -> x.decodeTokens() + x.prefillTokens() <= 16), "every batch within the budget");
            assertTrue(steps.stream().filter(x -> x.prefillTokens() > 0).allMatch(x -> x.decodeTokens() == x.running()),
                    "a prefill chunk only rides along with every running decode");
            assertTrue(steps.stream().anyMatch(x -> x.prefillTokens() > 0 && x.decodeTokens() > 0), "decodes piggybacked on prefill chunks");
            assertEquals(0, p.cache().freeCells() - s.totalCells(), "every cell freed");
            assertTrue(got.stream().mapToInt(x -> x.tokens.get(0).length).sum() > 60, "the requests decoded tokens, not just an end token");
        }
    }

    @Test
    void aRequestThatCanNeverFitIsRefusedAndOthersWaitForCells() {
        SamplerConfig greedy = SamplerConfig.greedy();
        try (Plan p = plan(64, 128); Scheduler s = new Scheduler(p, model.tokenizer(), 32)) {
            var e = assertThrows(IllegalArgumentException.class, () -> s.submit(new Scheduler.Request(prompt(60, 1), options(10, greedy), 1, new Collect())));
            assertTrue(e.getMessage().contains("the context size is 64"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> s.submit(new Scheduler.Request(prompt(20, 1), options(20, greedy), 4, new Collect())));
            assertTrue(e.getMessage().contains("the cache holds 128"), e.getMessage());
            List<Collect> got = new ArrayList<>();
            int[][] prompts = {prompt(30, 7), prompt(30, 8), prompt(30, 9)};
            for (int[] pr : prompts) {
                Collect c = new Collect();
                got.add(c);
                s.submit(new Scheduler.Request(pr, options(20, greedy), 1, c));
            }
            s.step();
            assertEquals(1, s.queueDepths()[0], "two fit in 128 cells, the third waits");
            s.runUntilIdle();
            for (int i = 0; i < prompts.length; i++) assertArrayEquals(alone(prompts[i], options(20, greedy)), got.get(i).tokens.get(0), "request " + i);
        }
    }

    @Test
    void cancellingFreesTheCellsAtOnce() {
        try (Plan p = plan(256, 0); Scheduler s = new Scheduler(p, model.tokenizer(), 8)) {
            int free = p.cache().freeCells();
            Collect c = new Collect();
            Scheduler.Handle h = s.submit(new Scheduler.Request(prompt(40, 3), options(100, SamplerConfig.greedy()), 2, c));
            for (int i = 0; i < 8; i++) s.step();
            assertTrue(p.cache().freeCells() < free, "the request holds cells");
            h.cancel();
            assertEquals(free, p.cache().freeCells());
            assertEquals("cancelled", c.error);
            assertFalse(s.busy());
            assertFalse(s.step(), "nothing left to run");
        }
    }

    @Test
    void choicesShareOnePrefillAndEachEqualsALoneRunWithItsSeed() {
        SamplerConfig sampled = new SamplerConfig(1.0f, 40, 0.95f, 0.05f, 1.0f, 64, 0f, 0f, 77);
        int[] pr = prompt(50, 11);
        try (Plan p = plan(256, 0); Scheduler s = new Scheduler(p, model.tokenizer(), 64)) {
            Collect c = new Collect();
            s.submit(new Scheduler.Request(pr, options(20, sampled), 3, c));
            s.runUntilIdle();
            assertEquals(pr.length, s.totals()[2], "the prompt was computed once for three choices");
            for (int i = 0; i < 3; i++) {
                SamplerConfig seeded = new SamplerConfig(1.0f, 40, 0.95f, 0.05f, 1.0f, 64, 0f, 0f, 77 + i);
                assertArrayEquals(alone(pr, options(20, seeded)), c.tokens.get(i), "choice " + i);
            }
            assertFalse(java.util.Arrays.equals(c.tokens.get(0), c.tokens.get(1)), "different seeds, different choices");
            assertEquals(20, c.tokens.get(0).length, "the budget, not an early end");
        }
    }

    /** A prompt that repeats itself, so that prompt lookup and lookahead find drafts. */
    static int[] repetitive(int length, long seed) {
        int[] unit = prompt(9, seed);
        int[] p = new int[length];
        p[0] = model.tokenizer().bos();
        for (int i = 1; i < length; i++) p[i] = unit[1 + (i - 1) % 8];
        return p;
    }

    @Test
    void speculatingRequestsBatchedWithPlainOnesEqualPlainGreedyAlone() {
        SamplerConfig greedy = SamplerConfig.greedy();
        int[][] prompts = {repetitive(40, 1), prompt(33, 2), repetitive(70, 3), repetitive(12, 4), prompt(50, 5)};
        List<java.util.function.Supplier<? extends dev.squall.speculative.TreeDecoder>> speculators = java.util.Arrays.asList(
                () -> new dev.squall.speculative.PromptLookup(1, 3, 10), () -> new dev.squall.speculative.PromptLookup(1, 3, 10),
                () -> new dev.squall.speculative.Lookahead(4, 8, 24, new int[0]), () -> new dev.squall.speculative.Jacobi(4, 4, 4, 9), null);
        int[] budgets = {40, 25, 60, 30, 20};
        try (Plan p = plan(256, 0); Scheduler s = new Scheduler(p, model.tokenizer(), 48)) {
            List<Scheduler.StepStats> steps = new ArrayList<>();
            s.observe(steps::add);
            List<Collect> got = new ArrayList<>();
            int[] spec = new int[prompts.length];
            for (int i = 0; i < prompts.length; i++) {
                int k = i;
                Collect c = new Collect() {
                    @Override public void speculation(int choice, int drafted, int accepted) { spec[k] = accepted; }
                };
                got.add(c);
                s.submit(new Scheduler.Request(prompts[i], options(budgets[i], greedy), 1, false, c, speculators.get(i)));
            }
            s.runUntilIdle();
            for (int i = 0; i < prompts.length; i++) {
                assertNull(got.get(i).error);
                assertArrayEquals(alone(prompts[i], options(budgets[i], greedy)), got.get(i).tokens.get(0), "request " + i);
                assertEquals(got.get(i).texts.get(0), got.get(i).streamed.getOrDefault(0, new StringBuilder()).toString(), "streamed text adds up");
            }
            assertTrue(steps.stream().allMatch(x -> x.decodeTokens() + x.prefillTokens() <= 48), "every batch within the budget");
            long[] t = s.totals();
            assertTrue(t[3] > 0 && t[4] > 0, "drafts were verified and some kept: " + t[3] + " drafted, " + t[4] + " accepted");
            assertEquals(t[4], java.util.Arrays.stream(spec).sum(), "the requests' accepted counts add up to the total");
            assertEquals(0, p.cache().freeCells() - s.totalCells(), "every cell freed, the draft cells too");
        }
    }

    @Test
    void theComparisonPoliciesComposeTheirStepsAsDocumentedAndLoseNothing() {
        SamplerConfig greedy = SamplerConfig.greedy();
        int[][] prompts = {prompt(45, 1), prompt(20, 2), prompt(70, 3)};
        for (Scheduler.Policy policy : List.of(Scheduler.Policy.SERIAL, Scheduler.Policy.PREFILL_FIRST)) {
            try (Plan p = plan(256, 0); Scheduler s = new Scheduler(p, model.tokenizer(), 32, policy)) {
                List<Scheduler.StepStats> steps = new ArrayList<>();
                s.observe(steps::add);
                List<Collect> got = new ArrayList<>();
                for (int[] pr : prompts) {
                    Collect c = new Collect();
                    got.add(c);
                    s.submit(new Scheduler.Request(pr, new GenerateOptions(15, greedy, List.of(), 512, true), 1, c));
                }
                s.runUntilIdle();
                for (int i = 0; i < prompts.length; i++) {
                    assertArrayEquals(alone(prompts[i], new GenerateOptions(15, greedy, List.of(), 512, true)), got.get(i).tokens.get(0), policy + " request " + i);
                    assertEquals(15, got.get(i).tokens.get(0).length, "ignoreEnd: the whole budget");
                }
                if (policy == Scheduler.Policy.SERIAL) {
                    assertTrue(steps.stream().allMatch(x -> x.running() <= 1 && (x.prefillTokens() == 0 || x.decodeTokens() == 0)),
                            "one request at a time: never two decoding, never a prefill beside a decode");
                    assertTrue(steps.stream().allMatch(x -> x.prefillTokens() <= 32), "prompts in chunks of the budget");
                } else {
                    assertTrue(steps.stream().allMatch(x -> x.prefillTokens() == 0 || x.decodeTokens() == 0), "prefill steps hold no decode");
                    assertTrue(steps.stream().anyMatch(x -> x.prefillTokens() == 70), "a prompt longer than the budget goes whole");
                    assertTrue(steps.stream().anyMatch(x -> x.decodeTokens() > 1), "decodes batched");
                }
            }
        }
        assertEquals(Scheduler.Policy.PREFILL_FIRST, Scheduler.Policy.of("prefill-first"));
        var e = assertThrows(IllegalArgumentException.class, () -> Scheduler.Policy.of("fifo"));
        assertTrue(e.getMessage().contains("'fifo'"), e.getMessage());
    }
}
