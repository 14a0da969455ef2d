package dev.squall.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.backend.java.JavaBackend;
import dev.squall.format.WeightFormats;
import dev.squall.graph.AttentionPolicy;
import dev.squall.model.Model;
import dev.squall.model.synthetic.SampleModels;
import dev.squall.sampling.Sampler;
import dev.squall.sampling.SamplerConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session under LM-Infinite through the whole model (micro sample, RoPE, GQA): with a window
 * far shorter than the sequence, so sink keys are scored through the distance cap in every layer.
 */
class LmInfiniteSessionTest {

    @TempDir static Path dir;
    static Model model;
    static Plan plan;

    /** Sinks 3, window 16: from position 20 on, the sinks sit beyond the cap. */
    private static final AttentionPolicy LM_INFINITE = AttentionPolicy.lmInfinite(3, 16);

    private static final int[] PROMPT = new SplittableRandom(17).ints(90, 3, 1000).toArray();

    @BeforeAll
    static void open() {
        model = Model.open(SampleModels.write("micro", WeightFormats.F32, dir, null));
        plan = model.compile(new JavaBackend(), PlanOptions.of(256, 2));
    }

    @AfterAll
    static void close() {
        plan.close();
        model.close();
    }

    private static Session session(AttentionPolicy policy) {
        return new Session(plan, model.tokenizer(), new Sampler(SamplerConfig.greedy())).attention(policy);
    }

    /** The logits after {@code PROMPT} under {@code policy}, fed {@code batch} tokens per forward call. */
    private static float[] logits(AttentionPolicy policy, int batch) {
        try (Session s = session(policy)) {
            s.append(PROMPT, batch);
            return s.logits();
        }
    }

    @Test
    void aBatchEqualsTokenByTokenBitForBit() {
        float[] whole = logits(LM_INFINITE, 512);
        assertArrayEquals(logits(LM_INFINITE, 1), whole, "one token per call");
        assertArrayEquals(logits(LM_INFINITE, 7), whole, "seven tokens per call");
    }

    @Test
    void theCapChangesWhatTheModelComputes() {
        float[] capped = logits(LM_INFINITE, 512);
        assertFalse(Arrays.equals(capped, logits(AttentionPolicy.sinksAndWindow(3, 16), 512)), "Λ without the cap");
        assertFalse(Arrays.equals(capped, logits(AttentionPolicy.causal(), 512)), "dense");
    }

    @Test
    void aWindowCoveringTheSequenceIsCausalBitForBit() {
        assertArrayEquals(logits(AttentionPolicy.causal(), 512), logits(AttentionPolicy.lmInfinite(3, PROMPT.length), 512));
        assertArrayEquals(logits(AttentionPolicy.causal(), 13), logits(AttentionPolicy.lmInfinite(0, 256), 13));
    }

    /** A draft tree verified under the policy gives each node the logits of its branch fed plainly (the decoders stay lossless). */
    @Test
    void aTreeUnderThePolicyEqualsItsBranchesFedInTurn() {
        try (Session a = session(LM_INFINITE); Session b = session(LM_INFINITE); Session c = session(LM_INFINITE)) {
            a.append(PROMPT, 512);
            a.startOutput(new GenerateOptions(10, SamplerConfig.greedy(), List.of(), 512), t -> {});
            DraftTree tree = new DraftTree();
            int x = tree.add(DraftTree.ROOT, 500);
            int y = tree.add(x, 501);
            int z = tree.add(DraftTree.ROOT, 502);
            Session.Evaluation e = a.evaluate(tree, null);
            b.append(PROMPT, 512);
            assertArrayEquals(b.logits(), e.rootLogits(), "root");
            b.push(500);
            assertArrayEquals(b.logits(), e.logits(x), "node 500");
            b.push(501);
            assertArrayEquals(b.logits(), e.logits(y), "node 501 after 500");
            c.append(PROMPT, 512);
            c.push(502);
            assertArrayEquals(c.logits(), e.logits(z), "node 502");
        }
    }
}
