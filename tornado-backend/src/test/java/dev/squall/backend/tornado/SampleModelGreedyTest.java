package dev.squall.backend.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.format.WeightFormats;
import dev.squall.graph.Batch;
import dev.squall.graph.ForwardResult;
import dev.squall.model.Model;
import dev.squall.model.synthetic.SampleModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ./squall generate -m sample:134m --temp 0 -n 32 --device tornado:D:N} picks the same tokens as
 * {@code --device java}: the prompt in one batch, then 32 greedy steps, compared by token id.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class SampleModelGreedyTest {

    private static final String PROMPT = "Once upon a time";
    private static final int STEPS = 32;

    /** The launcher's copy of the sample when it exists (models/ at the project root), else one written for the test. */
    private static Path sample134m() throws IOException {
        String name = SampleModels.fileName("134m", WeightFormats.F32);
        Path launchers = Path.of("..", "models", name);
        if (Files.isRegularFile(launchers)) return launchers;
        Path dir = Files.createDirectories(Path.of("target", "test-models"));
        Path p = dir.resolve(name);
        if (!Files.isRegularFile(p)) SampleModels.write("134m", WeightFormats.F32, dir, null);
        return p;
    }

    private static int[] greedy(Model m, Plan p, int[] prompt) {
        int seq = p.cache().newSequence();
        ForwardResult r = p.forward(Batch.sequence(seq, 0, prompt));
        int[] out = new int[STEPS];
        for (int i = 0; i < STEPS; i++) {
            out[i] = r.argmax(0);
            if (i + 1 < STEPS) r = p.forward(Batch.sequence(seq, prompt.length + i, new int[] {out[i]}));
        }
        p.cache().remove(seq);
        return out;
    }

    @Test
    void greedyTokensOfThe134mSampleMatchTheJavaBackend() throws IOException {
        try (Model m = Model.open(sample134m())) {
            int[] prompt = m.tokenizer().encode(PROMPT, true, true);
            int[] java, device;
            try (Plan p = m.compile(Fixtures.JAVA, PlanOptions.of(2048, 2))) {
                java = greedy(m, p, prompt);
            }
            try (Plan p = m.compile(Fixtures.device(), PlanOptions.of(2048, 2))) {
                device = greedy(m, p, prompt);
            }
            System.out.println("134m greedy token ids (java and " + Fixtures.device().id() + "): " + Arrays.toString(device));
            assertArrayEquals(java, device, "greedy token ids, java vs " + Fixtures.device().id());
        }
    }
}
