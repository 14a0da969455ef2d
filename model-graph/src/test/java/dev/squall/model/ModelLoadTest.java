package dev.squall.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.squall.format.GgmlType;
import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.gguf.GgufException;
import dev.squall.gguf.GgufFile;
import dev.squall.gguf.GgufTensorInfo;
import dev.squall.gguf.GgufWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model that cannot be run is refused when opened, with a message naming the key or tensor. */
class ModelLoadTest {

    @TempDir static Path dir;
    private static Path valid;

    @BeforeAll
    static void writeValidModel() {
        valid = TestModels.write(TestModels.llama(WeightFormats.F32), dir);
    }

    private static String failure(Path p) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> Model.open(p).close());
        return e.getMessage();
    }

    @Test
    void aValidModelOpensWithItsConfig() {
        try (Model m = Model.open(valid)) {
            ModelConfig c = m.config();
            assertEquals("llama", c.architecture());
            assertEquals(64, c.embeddingSize());
            assertEquals(2, c.layers());
            assertEquals(4, c.heads());
            assertEquals(2, c.kvHeads());
            assertEquals(16, c.headSize());
            assertEquals(512, c.vocabSize());
        }
    }

    @Test
    void anUnknownArchitectureIsNamed() {
        Path p = GgufEdits.rewrite(valid, dir.resolve("gpt.gguf"), md -> md.putString("general.architecture", "gptj"), t -> true);
        assertEquals(p + ": general.architecture = \"gptj\" is not supported (supported: llama, qwen2, qwen3)", failure(p));
    }

    @Test
    void aMissingRequiredKeyIsNamed() {
        Path p = GgufEdits.rewrite(valid, dir.resolve("nokey.gguf"), md -> md.remove("llama.block_count"), t -> true);
        GgufException e = assertThrows(GgufException.class, () -> Model.open(p).close());
        assertEquals(p + ": missing required key 'llama.block_count'", e.getMessage());
    }

    @Test
    void aMissingTensorIsNamed() {
        Path p = GgufEdits.rewrite(valid, dir.resolve("notensor.gguf"), md -> {}, t -> !t.name().equals("blk.1.ffn_up.weight"));
        assertEquals(p + ": missing tensor 'blk.1.ffn_up.weight'", failure(p));
    }

    @Test
    void aTensorOfTheWrongShapeIsNamed() {
        Path p = GgufEdits.rewrite(valid, dir.resolve("shape.gguf"), md -> md.putUint32("llama.feed_forward_length", 128), t -> true);
        assertEquals(p + ": tensor 'blk.0.ffn_gate.weight' has shape [64, 96], expected [64, 128]", failure(p));
    }

    @Test
    void aWeightTypeSquallCannotComputeWithIsNamed() {
        Path p = dir.resolve("q5k.gguf");
        try (GgufFile f = GgufFile.open(valid)) {
            GgufWriter w = new GgufWriter();
            w.metadata().putAll(f.metadata());
            for (GgufTensorInfo t : f.tensors()) {
                if (t.name().equals("blk.0.attn_q.weight")) w.addTensor(t.name(), GgmlType.Q5_0, t.dims(), seg -> {});
                else w.addTensor(t.name(), t.type(), t.dims(), f.data(t));
            }
            w.write(p);
        }
        String supported = WeightFormats.all().stream().map(WeightFormat::name).collect(java.util.stream.Collectors.joining(", "));
        assertEquals(p + ": tensor 'blk.0.attn_q.weight' has type Q5_0, which Squall does not compute with (supported: " + supported + ")",
                failure(p));
    }

    @Test
    void headsThatDoNotGroupAreRefused() {
        Path p = GgufEdits.rewrite(valid, dir.resolve("gqa.gguf"), md -> md.putUint32("llama.attention.head_count_kv", 3), t -> true);
        assertEquals(p + ": llama.attention.head_count = 4 is not a multiple of llama.attention.head_count_kv = 3", failure(p));
    }
}
