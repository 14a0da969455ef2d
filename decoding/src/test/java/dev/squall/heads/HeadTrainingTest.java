package dev.squall.heads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.backend.java.JavaBackend;
import dev.squall.cli.Corpus;
import dev.squall.format.WeightFormats;
import dev.squall.model.Model;
import dev.squall.model.synthetic.SampleModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training on a frozen sample model lowers the held-out loss, and a resumed run ends where an uninterrupted one does. */
class HeadTrainingTest {

    @TempDir Path dir;

    /** Documents with structure the heads can learn: counting words in a fixed cycle, each document from another start. */
    static List<Corpus.Document> corpus() {
        String[] words = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"};
        List<Corpus.Document> docs = new ArrayList<>();
        for (int d = 0; d < 24; d++) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < 60; i++) s.append(words[(d + i) % words.length]).append(' ');
            docs.add(new Corpus.Document("doc" + d + ".txt", s.toString()));
        }
        return docs;
    }

    static HeadTraining.Config config(DraftHeads.Kind kind, int steps, Path checkpoint, Path resume) {
        return new HeadTraining.Config(kind, 2, steps, 64, 4e-3, 0, false, 8, 0.1, 4096, 0, checkpoint, 5, resume, 1);
    }

    @Test
    void trainingLowersTheHeldOutLossOfBothKinds() {
        Path model = SampleModels.write("micro", WeightFormats.F32, dir, null);
        try (Model m = Model.open(model); Plan plan = m.compile(new JavaBackend(), PlanOptions.of(128, 2)); Dense dense = new Dense(2)) {
            for (DraftHeads.Kind kind : DraftHeads.Kind.values()) {
                HeadTraining.Result r = new HeadTraining(m, model, plan, dense, config(kind, 40, null, null)).run(corpus(), "counting", (s, t, l) -> {}, line -> {});
                for (int k = 0; k < 2; k++) {
                    assertTrue(r.finalHeldout()[k] < r.initialHeldout()[k] - 0.5, kind + " head " + k + ": held-out loss " + r.initialHeldout()[k] + " -> " + r.finalHeldout()[k]);
                }
                assertTrue(r.info().accuracy(0, 0) > 0.5, kind + ": on a counting corpus the first head's top guess should be right most of the time, got " + r.info().accuracy(0, 0));
                assertEquals(2, r.heldoutDocuments(), "10% of 24 documents held out");
            }
        }
    }

    @Test
    void aResumedRunEqualsAnUninterruptedOne() {
        Path model = SampleModels.write("micro", WeightFormats.F32, dir, null), ckpt = dir.resolve("ckpt.gguf");
        try (Model m = Model.open(model); Plan plan = m.compile(new JavaBackend(), PlanOptions.of(128, 2)); Dense dense = new Dense(1)) {
            HeadTraining.Result whole = new HeadTraining(m, model, plan, dense, config(DraftHeads.Kind.HYDRA, 10, null, null)).run(corpus(), "c", (s, t, l) -> {}, l -> {});
            class Interrupted extends RuntimeException {}
            try {
                new HeadTraining(m, model, plan, dense, config(DraftHeads.Kind.HYDRA, 10, ckpt, null)).run(corpus(), "c", (s, t, l) -> {
                    if (s == 7) throw new Interrupted();            // after the checkpoint of step 5
                }, l -> {});
                throw new AssertionError("the run was not interrupted");
            } catch (Interrupted expected) {
                // stopped at step 7; the checkpoint holds step 5
            }
            HeadTraining.Result resumed = new HeadTraining(m, model, plan, dense, config(DraftHeads.Kind.HYDRA, 10, null, ckpt)).run(corpus(), "c", (s, t, l) -> {}, l -> {});
            for (int k = 0; k < 2; k++) {
                assertArrayEquals(whole.heads().w[k], resumed.heads().w[k], "W of head " + k);
                assertArrayEquals(whole.heads().u[k], resumed.heads().u[k], "U of head " + k);
            }
            assertEquals(whole.tokens(), resumed.tokens());
        }
    }
}
