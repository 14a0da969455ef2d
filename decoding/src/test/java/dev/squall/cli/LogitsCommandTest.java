package dev.squall.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.backend.java.JavaBackend;
import dev.squall.format.WeightFormats;
import dev.squall.graph.Batch;
import dev.squall.model.Model;
import dev.squall.model.synthetic.SampleModels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogitsCommandTest {

    @TempDir Path dir;

    @Test
    void writesEveryPositionsLogitsAsLittleEndianFloatsWithAJsonHeader() throws Exception {
        Path model = SampleModels.write("micro", WeightFormats.F32, dir, null);
        Path out = dir.resolve("l.f32");
        Launcher r = Launcher.run("logits", "-m", model.toString(), "--tokens", "1,20,300,7", "-o", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        JsonNode header = new ObjectMapper().readTree(Path.of(out + ".json").toFile());
        assertEquals(4, header.get("positions").asInt());
        assertEquals(1024, header.get("vocab").asInt());
        float[] written = new float[4 * 1024];
        ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(written);
        try (Model m = Model.open(model); Plan p = m.compile(new JavaBackend(), PlanOptions.of(64, 1))) {
            int seq = p.cache().newSequence();
            float[] expected = p.forward(Batch.builder().token(seq, 0, 1, false).token(seq, 1, 20, false).token(seq, 2, 300, false)
                    .token(seq, 3, 7, true).build()).logits(0);
            float[] last = java.util.Arrays.copyOfRange(written, 3 * 1024, 4 * 1024);
            assertArrayEquals(expected, last);
        }
    }

    @Test
    void anOutOfRangeIdIsNamed() {
        Path model = SampleModels.write("micro", WeightFormats.F32, dir, null);
        Launcher r = Launcher.run("logits", "-m", model.toString(), "--tokens", "1,5000", "-o", dir.resolve("x").toString());
        assertEquals(1, r.exitCode());
        assertEquals("squall logits: error: --tokens: id 5000 (position 1) is out of range [0, 1024)", r.err().strip());
    }
}
