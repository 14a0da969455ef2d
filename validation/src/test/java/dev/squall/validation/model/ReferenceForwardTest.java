package dev.squall.validation.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.backend.java.JavaBackend;
import dev.squall.graph.Batch;
import dev.squall.model.Model;
import dev.squall.model.synthetic.SyntheticModel;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The emulating reference forward is the same model as Squall's when it rounds nothing. */
class ReferenceForwardTest {

    @TempDir Path dir;

    private Model open(String name) {
        Path gguf = dir.resolve(name + ".gguf");
        SyntheticModel.write(ReferenceCatalog.find(name).spec(), gguf, null);
        return Model.open(gguf);
    }

    @Test
    void withoutRoundingItMatchesTheJavaBackendToF32Noise() {
        for (String name : new String[] {"llama-h2kv1-hs64-rope500k-llama3-f32", "qwen3-h4kv2-hs80-qknorm-tied-f32"}) {
            try (Model m = open(name); Plan p = m.compile(new JavaBackend(), PlanOptions.of(32, 1))) {
                int[] tokens = Arrays.copyOf(ReferenceCatalog.prompt(), 24);
                int seq = p.cache().newSequence();
                Batch.Builder b = Batch.builder();
                for (int i = 0; i < tokens.length; i++) b.token(seq, i, tokens[i], true);
                float[] squall = p.forward(b.build()).logits();
                float[] reference = ReferenceForward.logits(m.graph(), tokens, ActivationRounding.NONE);
                int vocab = m.config().vocabSize();
                double worst = LogitComparison.max(LogitComparison.nmsePerPosition(reference, squall, tokens.length, vocab));
                assertTrue(worst <= ModelParityCases.SAME_NMSE, name + ": NMSE " + worst);
            }
        }
    }

    @Test
    void aTwoLayerModelHasFifteenMatmulsOnThePath() {
        // per layer q, k, v, attention output, gate, up, down; then the output projection
        try (Model m = open("llama-h8kv1-hs32-tied-f32")) {
            assertEquals(15, ReferenceForward.matmuls(m.graph()));
        }
    }
}
