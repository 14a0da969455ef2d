package dev.squall.validation.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.backend.Backend;
import dev.squall.backend.OpKernels;
import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.backend.java.JavaBackend;
import dev.squall.graph.Batch;
import dev.squall.graph.ForwardResult;
import dev.squall.graph.KvCache;
import dev.squall.graph.ModelGraph;
import dev.squall.validation.CaseResult;
import dev.squall.validation.Context;
import dev.squall.validation.Status;
import dev.squall.validation.Suite;
import dev.squall.validation.ValidationCase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the model-parity cases are named, and how they fail when the references do not fit. */
class ModelParityCasesTest {

    private static final String MODEL = "llama-h2kv1-hs64-rope500k-llama3-f32";
    private static final Path REAL_HOME = Context.findHome();

    @TempDir Path home;

    private ValidationCase caseFor(Context context, String model) {
        return new ModelParityCases().cases(context, List.of(new JavaBackend())).stream()
                .filter(c -> c.subject().equals(model)).findFirst().orElseThrow();
    }

    private Context contextWithReferenceCopy() throws IOException {
        return contextWithReferenceCopy(MODEL);
    }

    private Context contextWithReferenceCopy(String model) throws IOException {
        Context context = new Context(home, home.resolve("work"), 1);
        Path from = ModelReference.folder(REAL_HOME.resolve("validation").resolve("references"), model);
        Path to = Files.createDirectories(ModelReference.folder(context.references(), model));
        for (String f : List.of(ModelReference.JSON_FILE, "logits.f32")) Files.copy(from.resolve(f), to.resolve(f));
        return context;
    }

    /** The Java backend with every logit scaled by 1 + 1e-3·sin(i): an error far inside Q8_K's rounding bound. */
    private static final class SkewedBackend implements Backend {
        private final Backend java = new JavaBackend();

        @Override public String id() { return java.id(); }
        @Override public String description() { return "skewed " + java.description(); }
        @Override public OpKernels ops(int threads) { return java.ops(threads); }

        @Override public Plan compile(ModelGraph graph, PlanOptions options) {
            Plan plan = java.compile(graph, options);
            return new Plan() {
                @Override public ModelGraph graph() { return plan.graph(); }
                @Override public KvCache cache() { return plan.cache(); }
                @Override public Backend backend() { return SkewedBackend.this; }
                @Override public void close() { plan.close(); }

                @Override public ForwardResult forward(Batch batch) {
                    ForwardResult r = plan.forward(batch);
                    float[] logits = r.logits().clone();
                    for (int i = 0; i < logits.length; i++) logits[i] *= (float) (1 + 1e-3 * Math.sin(i));
                    return new ForwardResult(r.outputRows(), logits, r.vocabSize(), r.hidden(), r.hiddenSize());
                }
            };
        }
    }

    @Test
    void aKQuantModelThatDepartsFromItsDefinitionFailsEvenWithinTheRoundingBound() throws Exception {
        String model = "llama-h4kv2-hs64-q4_k";
        Context context = contextWithReferenceCopy(model);
        ValidationCase c = new ModelParityCases().cases(context, List.of(new SkewedBackend())).stream()
                .filter(v -> v.subject().equals(model)).findFirst().orElseThrow();
        ValidationCase.Outcome o = c.run(context);
        assertEquals(Status.FAIL, o.status(), o.measure());
        assertTrue(o.measure().contains("≤ 2.0e-02") && o.measure().contains("vs the definition"), o.measure());
        assertTrue(o.detail().contains("departs from the model's definition"), o.detail());
    }

    @Test
    void everyCatalogModelIsACaseOnEveryBackendNamedForFilters() {
        Context context = new Context(REAL_HOME, home.resolve("work"), 1);
        Backend java = new JavaBackend();
        List<ValidationCase> cases = new ModelParityCases().cases(context, List.of(java));
        List<ReferenceCatalog.Entry> withIntPath = ReferenceCatalog.entries().stream()
                .filter(e -> e.quantized() && dev.squall.cpu.RowKernels.forFormat(e.spec().matrixFormat()).dotsQ8()).toList();
        List<ReferenceCatalog.Entry> floats = ReferenceCatalog.entries().stream().filter(e -> !e.quantized()).toList();
        int plain = ReferenceCatalog.entries().size();
        assertEquals(plain + withIntPath.size() + floats.size(), cases.size());
        for (int i = 0; i < cases.size(); i++) {
            ValidationCase c = cases.get(i);
            assertEquals("model", c.group());
            assertEquals(java.id(), c.device());
            boolean q8 = i >= plain && i < plain + withIntPath.size(), half = i >= plain + withIntPath.size();
            String subject = half ? floats.get(i - plain - withIntPath.size()).name()
                    : q8 ? withIntPath.get(i - plain).name() : ReferenceCatalog.entries().get(i).name();
            assertEquals(subject, c.subject());
            assertTrue(c.name().startsWith(c.subject()), c.name());
            assertEquals(q8, c.name().contains("--activations q8"), c.name());
            assertEquals(half, c.name().contains("f16 cache"), c.name());
        }
    }

    @Test
    void aChangedGeneratorFailsAndSaysToRegenerate() throws Exception {
        Context context = contextWithReferenceCopy();
        Path json = ModelReference.folder(context.references(), MODEL).resolve(ModelReference.JSON_FILE);
        String text = Files.readString(json);
        ModelReference ref = ModelReference.read(context.references(), MODEL);
        Files.writeString(json, text.replace(ref.ggufSha256(), "0".repeat(64)));
        ValidationCase.Outcome o = caseFor(context, MODEL).run(context);
        assertEquals(Status.FAIL, o.status());
        assertTrue(o.detail().contains("regenerate the references") && o.detail().contains(ref.ggufSha256()), o.detail());
    }

    @Test
    void theCopiedReferencePassesAsTheCommittedOneDoes() throws Exception {
        Context context = contextWithReferenceCopy();
        ValidationCase.Outcome o = caseFor(context, MODEL).run(context);
        assertEquals(Status.PASS, o.status(), o.measure() + " " + o.detail());
        assertTrue(o.measure().contains("greedy 64/64"), o.measure());
    }

    @Test
    void aMissingReferenceSaysHowToMakeIt() {
        Context context = new Context(home, home.resolve("work"), 1);
        CaseResult r = Suite.run(caseFor(context, MODEL), context);
        assertEquals(Status.FAIL, r.status());
        assertTrue(r.detail().contains("regenerate.sh") && r.detail().contains(MODEL), r.detail());
    }

    @Test
    void corruptedLogitsAreNamedByTheirHash() throws Exception {
        Context context = contextWithReferenceCopy();
        Path logits = ModelReference.folder(context.references(), MODEL).resolve("logits.f32");
        byte[] b = Files.readAllBytes(logits);
        b[1000] ^= 1;
        Files.write(logits, b);
        ModelReference ref = ModelReference.read(context.references(), MODEL);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ref.readLogits(context.references()));
        assertTrue(e.getMessage().contains("SHA-256") && e.getMessage().contains("logits.f32"), e.getMessage());
    }
}
