package dev.squall.validation.model;

import dev.squall.backend.Activations;
import dev.squall.backend.Backend;
import dev.squall.backend.CacheType;
import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.cpu.RowKernels;
import dev.squall.graph.Batch;
import dev.squall.graph.ForwardResult;
import dev.squall.model.Model;
import dev.squall.model.synthetic.SyntheticModel;
import dev.squall.validation.CaseSource;
import dev.squall.validation.Context;
import dev.squall.validation.Status;
import dev.squall.validation.ValidationCase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Model parity against llama.cpp: for every backend and every {@link ReferenceCatalog} model,
 * Squall's logits at every prompt position (one batch, every position an output) and its greedy
 * continuation (token by token) against the committed llama.cpp references.
 *
 * <ul>
 * <li>F32 weights: both sides compute in F32, so they must agree to F32 rounding:
 *     max |Δ log-prob| ≤ {@value #F32_LOG_PROB_BOUND} at every position and token (log-softmax in
 *     double on both sides), and the same {@value ReferenceCatalog#GREEDY_STEPS} greedy tokens.</li>
 * <li>Other formats: llama.cpp rounds every matmul input ({@link ActivationRounding}); the NMSE of
 *     each position's logits must stay within what that rounding explains. Top-1 agreement and the
 *     greedy common prefix are reported, and llama.cpp's rounding, emulated in
 *     {@link ReferenceForward}, shows how much of the gap it accounts for. That bound is a worst
 *     case (Q8_K's: 2.0e-2 over 15 matmuls, some 40× the measured gap), so Squall must also equal
 *     the model's definition, {@link ReferenceForward} without rounding, to F32 summation order
 *     ({@link #SAME_NMSE}): a kernel or RoPE bug that hides inside the rounding bound fails there.</li>
 * </ul>
 * Before comparing, the case regenerates the GGUF and checks its SHA-256 against the reference's:
 * a difference means the generator or the catalog changed and the references must be regenerated
 * ({@code validation/references/regenerate.sh}).
 */
public final class ModelParityCases implements CaseSource {

    static final double F32_LOG_PROB_BOUND = 1e-4;

    /**
     * NMSE below which two logit rows differ only by F32 summation order: the F32 models agree with
     * llama.cpp to about 1e-13, while one flipped rounding of a matmul input costs from about 1e-9
     * (F16) to 1e-6 (Q8_0, Q8_K).
     */
    public static final double SAME_NMSE = 1e-10;

    @Override public List<ValidationCase> cases(Context context, List<Backend> backends) {
        List<ValidationCase> cases = new ArrayList<>();
        for (Backend b : backends) for (ReferenceCatalog.Entry e : ReferenceCatalog.entries()) cases.add(new ParityCase(e, b));
        for (Backend b : backends) {
            if (!b.id().equals("java")) continue;   // --activations q8 is the Java backend's
            for (ReferenceCatalog.Entry e : ReferenceCatalog.entries()) {
                if (e.quantized() && RowKernels.forFormat(e.spec().matrixFormat()).dotsQ8()) cases.add(new Q8Case(e, b));
            }
            for (ReferenceCatalog.Entry e : ReferenceCatalog.entries()) if (!e.quantized()) cases.add(new HalfCacheCase(e, b));
        }
        return cases;
    }

    /**
     * An F16 KV cache ({@code --cache-type-k/-v f16}) against llama.cpp with its F16 cache, run
     * live (the committed references use F32 caches): rounding keys and values to binary16 on both
     * sides must bring Squall closer to llama.cpp than Squall's F32 cache is (median NMSE over the
     * prompt), and keep it within the F16 rounding bound of the F16-weight models (llama.cpp also
     * rounds the query and the attention weights to F16 when it multiplies them with an F16 cache,
     * which Squall does not).
     */
    private record HalfCacheCase(ReferenceCatalog.Entry entry, Backend backend) implements ValidationCase {
        @Override public String group() { return "model"; }
        @Override public String name() { return entry.name() + " --cache-type-k/-v f16 vs llama.cpp f16 cache"; }
        @Override public String device() { return backend.id(); }
        @Override public String subject() { return entry.name(); }

        @Override public Outcome run(Context context) throws Exception {
            ModelReference ref = ModelReference.read(context.references(), entry.name());
            Path dir = Files.createDirectories(context.work().resolve("model-parity"));
            Path gguf = dir.resolve(entry.name() + "-f16cache.gguf");
            SyntheticModel.write(entry.spec(), gguf, null);
            PlanOptions options = PlanOptions.of(ref.prompt().length + ReferenceCatalog.GREEDY_STEPS, context.threads());
            try (Model m = Model.open(gguf); Plan exact = m.compile(backend, options);
                 Plan half = m.compile(backend, options.withCacheTypes(CacheType.F16, CacheType.F16))) {
                int positions = ref.prompt().length, vocab = m.config().vocabSize();
                float[] llama = context.llamaRef().logits(gguf, ref.prompt(), context.threads(), dir, "f16").values();
                float[] viaHalf = SquallRun.of(half, ref.prompt(), 1).logits(), viaFloat = SquallRun.of(exact, ref.prompt(), 1).logits();
                double[] halfNmse = LogitComparison.nmsePerPosition(llama, viaHalf, positions, vocab);
                double halfMedian = LogitComparison.median(halfNmse), halfMax = LogitComparison.max(halfNmse);
                double floatMedian = LogitComparison.median(LogitComparison.nmsePerPosition(llama, viaFloat, positions, vocab));
                double bound = ActivationRounding.F16.threshold(ReferenceForward.matmuls(m.graph()));
                boolean closer = halfMedian < floatMedian, bounded = halfMax <= bound;
                String measure = String.format(Locale.ROOT, "NMSE to llama.cpp's F16 cache median %.1e max %.1e %s %.1e (Squall's F32 cache: median %.1e)",
                        halfMedian, halfMax, bounded ? "≤" : ">", bound, floatMedian);
                List<String> why = new ArrayList<>();
                if (!closer) why.add("Squall's F16 cache is not closer to llama.cpp's than its F32 cache");
                if (!bounded) why.add("beyond the F16 rounding bound");
                return Outcome.judge(closer && bounded, measure, String.join("; ", why));
            } finally {
                Files.deleteIfExists(gguf);
            }
        }
    }

    /**
     * {@code --activations q8} against llama.cpp: Squall then rounds every matmul input to Q8_0 as
     * llama.cpp does and sums the integer block products exactly, so it must be closer to
     * llama.cpp than the float-activation path (median NMSE over the prompt positions), stay within
     * the same rounding bound, and equal the emulation of llama.cpp's rounding
     * ({@link ReferenceForward} with {@link ActivationRounding#Q8_0}) more closely than llama.cpp
     * itself is away from float activations.
     */
    private record Q8Case(ReferenceCatalog.Entry entry, Backend backend) implements ValidationCase {
        @Override public String group() { return "model"; }
        @Override public String name() { return entry.name() + " --activations q8 vs llama.cpp"; }
        @Override public String device() { return backend.id(); }
        @Override public String subject() { return entry.name(); }

        @Override public Outcome run(Context context) throws Exception {
            ModelReference ref = ModelReference.read(context.references(), entry.name());
            Path dir = Files.createDirectories(context.work().resolve("model-parity"));
            Path gguf = dir.resolve(entry.name() + "-q8.gguf");
            SyntheticModel.write(entry.spec(), gguf, null);
            if (!ModelReference.sha256(gguf).equals(ref.ggufSha256())) {
                Files.deleteIfExists(gguf);
                return Outcome.fail("GGUF SHA-256 differs", "the generator changed; regenerate the references (validation/references/regenerate.sh)");
            }
            float[] expected = ref.readLogits(context.references());
            PlanOptions options = PlanOptions.of(ref.prompt().length + ReferenceCatalog.GREEDY_STEPS, context.threads());
            try (Model m = Model.open(gguf); Plan exact = m.compile(backend, options); Plan q8 = m.compile(backend, options.withActivations(Activations.Q8))) {
                int positions = ref.prompt().length, vocab = ref.logits().vocab();
                SquallRun floats = SquallRun.of(exact, ref.prompt(), ReferenceCatalog.GREEDY_STEPS);
                SquallRun rounded = SquallRun.of(q8, ref.prompt(), ReferenceCatalog.GREEDY_STEPS);
                ActivationRounding rounding = ActivationRounding.forWeights(entry.spec().matrixFormat());
                float[] emulated = ReferenceForward.logits(m.graph(), ref.prompt(), rounding);
                double q8Llama = LogitComparison.median(LogitComparison.nmsePerPosition(expected, rounded.logits(), positions, vocab));
                double q8LlamaMax = LogitComparison.max(LogitComparison.nmsePerPosition(expected, rounded.logits(), positions, vocab));
                double f32Llama = LogitComparison.median(LogitComparison.nmsePerPosition(expected, floats.logits(), positions, vocab));
                double q8Emulated = LogitComparison.median(LogitComparison.nmsePerPosition(emulated, rounded.logits(), positions, vocab));
                double threshold = rounding.threshold(ReferenceForward.matmuls(m.graph()));
                int greedyQ8 = LogitComparison.agreeingPrefix(ref.greedy(), rounded.greedy());
                int greedyF32 = LogitComparison.agreeingPrefix(ref.greedy(), floats.greedy());
                boolean closer = q8Llama < f32Llama, bounded = q8LlamaMax <= threshold, emulates = q8Emulated < f32Llama;
                String measure = String.format(Locale.ROOT, "NMSE to llama.cpp median %.1e (float activations %.1e: %.1g times closer), max %.1e %s %.1e; "
                                + "to the emulated rounding %.1e; greedy %d/%d (float activations %d/%d)",
                        q8Llama, f32Llama, f32Llama / q8Llama, q8LlamaMax, bounded ? "≤" : ">", threshold, q8Emulated,
                        greedyQ8, ref.greedy().length, greedyF32, ref.greedy().length);
                List<String> why = new ArrayList<>();
                if (!closer) why.add("q8 activations are not closer to llama.cpp than float activations");
                if (!bounded) why.add("q8 activations leave the rounding bound");
                if (!emulates) why.add("q8 activations are further from the emulated rounding than llama.cpp is from float activations");
                return Outcome.judge(closer && bounded && emulates, measure, String.join("; ", why));
            } finally {
                Files.deleteIfExists(gguf);
            }
        }
    }

    private record ParityCase(ReferenceCatalog.Entry entry, Backend backend) implements ValidationCase {
        @Override public String group() { return "model"; }
        @Override public String name() { return entry.name() + " vs llama.cpp"; }
        @Override public String device() { return backend.id(); }
        @Override public String subject() { return entry.name(); }

        @Override public Outcome run(Context context) throws Exception {
            ModelReference ref = ModelReference.read(context.references(), entry.name());
            ModelReference.Spec spec = ModelReference.Spec.of(entry.spec());
            if (!spec.equals(ref.spec())) {
                return Outcome.fail("catalog changed", "the catalog's spec of " + entry.name() + " is " + spec + ", the reference was made from "
                        + ref.spec() + ": regenerate the references (validation/references/regenerate.sh)");
            }
            if (!Arrays.equals(ReferenceCatalog.prompt(), ref.prompt())) {
                return Outcome.fail("prompt changed", "the catalog's prompt differs from the reference's: regenerate the references (validation/references/regenerate.sh)");
            }
            Path dir = Files.createDirectories(context.work().resolve("model-parity"));
            Path gguf = dir.resolve(entry.name() + ".gguf");
            SyntheticModel.write(entry.spec(), gguf, null);
            String sha = ModelReference.sha256(gguf);
            if (!sha.equals(ref.ggufSha256())) {
                return Outcome.fail("GGUF SHA-256 differs", "the generator now writes " + entry.name() + " with SHA-256 " + sha
                        + ", the reference was made from " + ref.ggufSha256() + ": the generator changed; regenerate the references"
                        + " (validation/references/regenerate.sh)");
            }
            float[] expected = ref.readLogits(context.references());
            try (Model m = Model.open(gguf);
                 Plan plan = m.compile(backend, PlanOptions.of(ref.prompt().length + ReferenceCatalog.GREEDY_STEPS, context.threads()))) {
                if (m.config().vocabSize() != ref.logits().vocab()) {
                    return Outcome.fail("vocabulary differs", "Squall sees " + m.config().vocabSize() + " logits, the reference has " + ref.logits().vocab());
                }
                SquallRun run = SquallRun.of(plan, ref.prompt(), ReferenceCatalog.GREEDY_STEPS);
                Comparison c = new Comparison(expected, run.logits(), ref.prompt().length, ref.logits().vocab(), ref.greedy(), run.greedy(),
                        run.greedyLogits());
                if (!entry.quantized()) return c.judgeF32();
                ActivationRounding rounding = ActivationRounding.forWeights(entry.spec().matrixFormat());
                float[] emulated = ReferenceForward.logits(m.graph(), ref.prompt(), rounding);
                float[] definition = ReferenceForward.definition(m.graph(), ref.prompt());
                return c.judgeRounded(rounding, ReferenceForward.matmuls(m.graph()), emulated, definition);
            } finally {
                Files.deleteIfExists(gguf);
            }
        }
    }

    /** Squall's logits of every prompt position, its greedy continuation and the logits each greedy token was picked from. */
    private record SquallRun(float[] logits, int[] greedy, float[] greedyLogits) {

        static SquallRun of(Plan plan, int[] prompt, int steps) {
            int seq = plan.cache().newSequence();
            Batch.Builder b = Batch.builder();
            for (int i = 0; i < prompt.length; i++) b.token(seq, i, prompt[i], true);
            ForwardResult r = plan.forward(b.build());
            int vocab = r.vocabSize();
            float[] logits = Arrays.copyOf(r.logits(), prompt.length * vocab);
            int[] greedy = new int[steps];
            float[] greedyLogits = new float[steps * vocab];
            System.arraycopy(logits, (prompt.length - 1) * vocab, greedyLogits, 0, vocab);
            greedy[0] = LogitComparison.top1(greedyLogits, 0, vocab);
            for (int s = 1; s < steps; s++) {
                float[] next = plan.forward(Batch.sequence(seq, prompt.length + s - 1, new int[] {greedy[s - 1]})).logits(0);
                System.arraycopy(next, 0, greedyLogits, s * vocab, vocab);
                greedy[s] = LogitComparison.top1(greedyLogits, s, vocab);
            }
            plan.cache().remove(seq);
            return new SquallRun(logits, greedy, greedyLogits);
        }
    }

    /** One model's outputs side by side: llama.cpp's (expected) and Squall's (actual). */
    private record Comparison(float[] expected, float[] actual, int positions, int vocab, int[] expectedGreedy, int[] actualGreedy,
                              float[] actualGreedyLogits) {

        ValidationCase.Outcome judgeF32() {
            LogitComparison.LogProbGap gap = LogitComparison.maxLogProbGap(expected, actual, positions, vocab);
            int top1 = LogitComparison.top1Agreement(expected, actual, positions, vocab);
            int greedy = LogitComparison.agreeingPrefix(expectedGreedy, actualGreedy);
            boolean logitsOk = gap.value() <= F32_LOG_PROB_BOUND, greedyOk = greedy == expectedGreedy.length;
            double nmse = LogitComparison.max(LogitComparison.nmsePerPosition(expected, actual, positions, vocab));
            String measure = String.format(Locale.ROOT, "max |Δ log-prob| %.1e %s %.0e at position %d; NMSE max %.1e; top-1 %d/%d; %s",
                    gap.value(), logitsOk ? "≤" : ">", F32_LOG_PROB_BOUND, gap.position(), nmse, top1, positions, greedyMeasure(greedy));
            List<String> why = new ArrayList<>();
            if (!logitsOk) {
                why.add(String.format(Locale.ROOT, "worst at position %d token %d: llama.cpp log-prob %.7f, Squall %.7f",
                        gap.position(), gap.token(), gap.expected(), gap.actual()));
            }
            if (!greedyOk) why.add(greedyDivergence(greedy));
            return ValidationCase.Outcome.judge(logitsOk && greedyOk, measure, String.join("; ", why));
        }

        /**
         * Two judgements: llama.cpp within what its activation rounding explains (a worst-case
         * bound, loose where the rounding blocks are long, as Q8_K's 256), and Squall against the
         * model's definition ({@link ReferenceForward} in double, no rounding), which must agree
         * to F32 summation order ({@link #SAME_NMSE}) as the F32 models agree with llama.cpp:
         * the quantized kernels decode the same weight values, so nothing else may differ.
         */
        ValidationCase.Outcome judgeRounded(ActivationRounding rounding, int matmuls, float[] emulated, float[] definition) {
            double[] nmse = LogitComparison.nmsePerPosition(expected, actual, positions, vocab);
            double max = LogitComparison.max(nmse), threshold = rounding.threshold(matmuls);
            int worst = worst(nmse);
            double[] toDefinition = LogitComparison.nmsePerPosition(definition, actual, positions, vocab);
            double maxToDefinition = LogitComparison.max(toDefinition);
            int worstToDefinition = worst(toDefinition);
            int top1 = LogitComparison.top1Agreement(expected, actual, positions, vocab);
            int greedy = LogitComparison.agreeingPrefix(expectedGreedy, actualGreedy);
            boolean llamaOk = max <= threshold, definitionOk = maxToDefinition <= SAME_NMSE, ok = llamaOk && definitionOk;
            String measure = String.format(Locale.ROOT, "NMSE max %.1e median %.1e %s %.1e; vs the definition %.1e %s %.0e; top-1 %d/%d; %s",
                    max, LogitComparison.median(nmse), llamaOk ? "≤" : ">", threshold,
                    maxToDefinition, definitionOk ? "≤" : ">", SAME_NMSE, top1, positions, greedyMeasure(greedy));
            String detail = String.format(Locale.ROOT, "bound: %d matmuls × %.2e (inputs rounded to %s); %s",
                    matmuls, rounding.matmulNmse(), rounding.typeName(), experiment(rounding, emulated));
            if (!definitionOk) {
                detail = String.format(Locale.ROOT, "Squall departs from the model's definition (double, no rounding) at position %d: NMSE %.1e; ",
                        worstToDefinition, maxToDefinition) + detail;
            }
            if (!llamaOk) detail = "worst at position " + worst + "; " + detail;
            if (greedy < expectedGreedy.length) detail += "; " + greedyDivergence(greedy);
            return new ValidationCase.Outcome(ok ? Status.PASS : Status.FAIL, measure, detail);
        }

        /** The position with the largest NMSE (a NaN counts as largest). */
        private static int worst(double[] nmse) {
            int worst = 0;
            for (int p = 0; p < nmse.length; p++) if (!(nmse[p] <= nmse[worst])) worst = p;
            return worst;
        }

        /**
         * What the emulation of llama.cpp's rounding shows: at how many positions it reproduces
         * llama.cpp's logits up to F32 summation order ({@link #SAME_NMSE}), and its distance from
         * Squall, to set beside llama.cpp's own distance from Squall.
         */
        private String experiment(ActivationRounding rounding, float[] emulated) {
            double[] toLlama = LogitComparison.nmsePerPosition(expected, emulated, positions, vocab);
            double[] toSquall = LogitComparison.nmsePerPosition(emulated, actual, positions, vocab);
            int same = 0, first = -1;
            for (int p = 0; p < positions; p++) {
                if (toLlama[p] <= SAME_NMSE) same++;
                else if (first < 0) first = p;
            }
            return String.format(Locale.ROOT, "%s rounding emulated: equals llama.cpp at %d/%d positions (NMSE ≤ %.0e%s), "
                            + "median %.1e; emulation vs Squall NMSE median %.1e",
                    rounding.typeName(), same, positions, SAME_NMSE, first < 0 ? "" : ", first miss at " + first,
                    LogitComparison.median(toLlama), LogitComparison.median(toSquall));
        }

        private String greedyMeasure(int agreeing) {
            return "greedy " + agreeing + "/" + expectedGreedy.length;
        }

        /** Where the greedy tokens part, and by how much Squall preferred its token to llama.cpp's there. */
        private String greedyDivergence(int step) {
            int e = expectedGreedy[step], a = actualGreedy[step];
            float margin = actualGreedyLogits[step * vocab + a] - actualGreedyLogits[step * vocab + e];
            double sum = 0;
            for (int i = 0; i < expected.length; i++) sum += ((double) expected[i] - actual[i]) * ((double) expected[i] - actual[i]);
            return String.format(Locale.ROOT, "greedy differs from step %d: llama.cpp %d, Squall %d (Squall's logit margin %.1e; "
                    + "RMS logit difference over the prompt %.1e)", step, e, a, margin, Math.sqrt(sum / expected.length));
        }
    }
}
