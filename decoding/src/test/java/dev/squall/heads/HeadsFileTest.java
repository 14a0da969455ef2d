package dev.squall.heads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.format.WeightFormats;
import dev.squall.model.Model;
import dev.squall.model.synthetic.SampleModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A heads file keeps the heads and what was measured, and is refused for any model but its own. */
class HeadsFileTest {

    @TempDir static Path dir;
    static Path f32, q8;

    @BeforeAll
    static void models() {
        f32 = SampleModels.write("micro", WeightFormats.F32, dir, null);
        q8 = SampleModels.write("micro", WeightFormats.Q8_0, dir, null);
    }

    static HeadsFile.Info info(Model m) {
        float[] acc = new float[2 * HeadTrainer.RANKS];
        for (int i = 0; i < acc.length; i++) acc[i] = 0.01f * (i + 1);
        return new HeadsFile.Info(m.config().name(), HeadsFile.fingerprint(m), acc, new float[] {2.5f, 3.5f}, 1234, 10, "corpus.txt");
    }

    @Test
    void roundTripsWeightsAndMeasurements() {
        for (DraftHeads.Kind kind : DraftHeads.Kind.values()) {
            try (Model m = Model.open(f32)) {
                DraftHeads h = DraftHeads.random(kind, 2, m.config().embeddingSize(), m.config().vocabSize(), 1);
                Path file = dir.resolve(kind.label() + ".gguf");
                HeadsFile.write(file, h, info(m));
                HeadsFile.Loaded l = HeadsFile.load(file, m, f32);
                assertEquals(kind, l.heads().kind());
                for (int k = 0; k < 2; k++) {
                    assertArrayEquals(h.w[k], l.heads().w[k], "W of head " + k);
                    assertArrayEquals(h.b[k], l.heads().b[k], "b of head " + k);
                    assertArrayEquals(h.u[k], l.heads().u[k], "U of head " + k);
                }
                assertEquals(0.01f * 12, (float) l.info().accuracy(1, 1));
                assertEquals(1234, l.info().trainTokens());
                if (kind == DraftHeads.Kind.HYDRA) assertArrayEquals(HeadsFile.embeddings(m), l.heads().embeddings(), "hydra heads take the model's own embeddings");
            }
        }
    }

    @Test
    void headsForAnotherModelAreRefusedNamingBoth() {
        Path file = dir.resolve("for-f32.gguf");
        try (Model m = Model.open(f32)) {
            HeadsFile.write(file, DraftHeads.random(DraftHeads.Kind.MEDUSA, 2, m.config().embeddingSize(), m.config().vocabSize(), 1), info(m));
        }
        try (Model other = Model.open(q8)) {
            var e = assertThrows(IllegalArgumentException.class, () -> HeadsFile.load(file, other, q8));
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains(q8.toString()) && e.getMessage().contains("trained for model"), e.getMessage());
        }
    }

    @Test
    void aModelFileIsNotAHeadsFile() {
        try (Model m = Model.open(f32)) {
            var e = assertThrows(IllegalArgumentException.class, () -> HeadsFile.load(f32, m, f32));
            assertTrue(e.getMessage().contains("not a heads file") && e.getMessage().contains("general.architecture"), e.getMessage());
        }
    }

    @Test
    void aTruncatedHeadsFileIsAnErrorNamingIt() throws Exception {
        Path file = dir.resolve("whole.gguf"), cut = dir.resolve("cut.gguf");
        try (Model m = Model.open(f32)) {
            HeadsFile.write(file, DraftHeads.random(DraftHeads.Kind.MEDUSA, 2, m.config().embeddingSize(), m.config().vocabSize(), 1), info(m));
            byte[] bytes = Files.readAllBytes(file);
            Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
            var e = assertThrows(RuntimeException.class, () -> HeadsFile.load(cut, m, f32));
            assertTrue(e.getMessage().contains("cut.gguf"), e.getMessage());
        }
    }
}
