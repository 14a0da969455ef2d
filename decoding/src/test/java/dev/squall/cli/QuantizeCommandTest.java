package dev.squall.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.format.GgmlType;
import dev.squall.format.WeightFormats;
import dev.squall.gguf.GgufFile;
import dev.squall.model.synthetic.SampleModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code squall quantize} and {@code --weights} through the launcher, on the micro sample (dim 64, FFN 160). */
class QuantizeCommandTest {

    @TempDir static Path dir;
    private static Path micro;

    @BeforeAll
    static void writeMicro() {
        micro = SampleModels.write("micro", WeightFormats.F32, dir, null);
    }

    @Test
    void quantizesEveryMatrixAndTheResultGenerates() throws Exception {
        Path out = dir.resolve("micro-mxfp4.gguf");
        Launcher r = Launcher.run("quantize", "-m", micro.toString(), "-o", out.toString(), "--type", "mxfp4");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("16 matrices -> MXFP4, 0 kept, 5 vectors copied"), r.out());
        try (GgufFile f = GgufFile.open(out)) {
            f.tensors().forEach(t -> assertEquals(t.dims().length >= 2 ? GgmlType.MXFP4 : GgmlType.F32, t.type(), t.name()));
        }
        Launcher g = Launcher.run("generate", "-m", out.toString(), "-p", "Once upon", "-n", "5", "--seed", "1", "-t", "1");
        assertEquals(0, g.exitCode(), g.err());
        assertTrue(g.err().contains("MXFP4 × 16"), g.err());
    }

    @Test
    void anUnknownTypeIsRefusedListingTheFormats() {
        Launcher r = Launcher.run("quantize", "-m", micro.toString(), "-o", dir.resolve("x.gguf").toString(), "--type", "fp6");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("squall quantize: error: --type unknown weight format 'fp6'; supported: f32, f16"), r.err());
        assertTrue(r.err().contains("mxfp4, nvfp4, mxfp8_e4m3, mxfp8_e5m2, fp8_e4m3, fp8_e5m2"), r.err());
    }

    @Test
    void aRowLengthThatIsNotWholeBlocksNamesTheTensorAndWritesNothing() {
        Path out = dir.resolve("micro-nvfp4.gguf");
        Launcher r = Launcher.run("quantize", "-m", micro.toString(), "-o", out.toString(), "--type", "nvfp4");
        assertEquals(1, r.exitCode());
        assertEquals("squall quantize: error: " + micro + ": tensor 'blk.0.ffn_down.weight': its rows of 160 elements are not a multiple of the NVFP4 block size 64",
                r.err().strip());
        assertTrue(!Files.exists(out));
    }

    @Test
    void aQuantizedInputIsRefusedNamingItsType() {
        Path q4 = SampleModels.write("micro", WeightFormats.Q4_0, dir, null);
        Launcher r = Launcher.run("quantize", "-m", q4.toString(), "-o", dir.resolve("y.gguf").toString(), "--type", "fp8-e4m3");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("tensor 'token_embd.weight' is Q4_0: matrices are converted from F32, F16, BF16 or Q8_0"), r.err());
    }

    @Test
    void theOutputMayNotBeTheInput() {
        Launcher r = Launcher.run("quantize", "-m", micro.toString(), "-o", micro.toString(), "--type", "mxfp4");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("is the input file"), r.err());
    }

    @Test
    void weightsAtLoadTimeGiveTheLogitsOfTheQuantizedFile() throws Exception {
        Path file = dir.resolve("micro-fp8.gguf");
        assertEquals(0, Launcher.run("quantize", "-m", micro.toString(), "-o", file.toString(), "--type", "fp8-e5m2").exitCode());
        Path a = dir.resolve("a.f32"), b = dir.resolve("b.f32");
        Launcher stored = Launcher.run("logits", "-m", file.toString(), "--tokens", "1,20,300", "-o", a.toString(), "-t", "1");
        Launcher converted = Launcher.run("logits", "-m", micro.toString(), "--weights", "fp8-e5m2", "--tokens", "1,20,300", "-o", b.toString(), "-t", "1");
        assertEquals(0, stored.exitCode(), stored.err());
        assertEquals(0, converted.exitCode(), converted.err());
        assertTrue(converted.err().contains("squall: converted 16 matrices to FP8_E5M2 in "), converted.err());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    }

    @Test
    void aBadWeightsFlagIsNamed() {
        Launcher r = Launcher.run("generate", "-m", micro.toString(), "--weights", "nvfp4", "-p", "x", "-n", "1");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("--weights nvfp4: tensor 'blk.0.ffn_down.weight': its rows of 160 elements"), r.err());
        Launcher u = Launcher.run("generate", "-m", micro.toString(), "--weights", "int3", "-p", "x", "-n", "1");
        assertEquals(1, u.exitCode());
        assertTrue(u.err().contains("--weights unknown weight format 'int3'"), u.err());
    }
}
