package dev.squall.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.backend.java.JavaBackend;
import dev.squall.format.GgmlType;
import dev.squall.format.LittleEndian;
import dev.squall.format.NVFP4;
import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.gguf.GgufFile;
import dev.squall.gguf.GgufTensorInfo;
import dev.squall.graph.Batch;
import dev.squall.model.Model;
import dev.squall.model.ModelFamily;
import dev.squall.model.synthetic.ModelSpec;
import dev.squall.model.synthetic.SyntheticModel;
import dev.squall.tensor.WeightTensor;
import dev.squall.tokenizer.SampleVocabulary;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** The quantize path ({@link QuantizeFile}) and conversion at load time ({@link OnTheFlyConversion}) on small generated models. */
class QuantizeTest {

    @TempDir static Path dir;

    static final List<WeightFormat> TARGETS = List.of(WeightFormats.MXFP4, WeightFormats.NVFP4, WeightFormats.MXFP8_E4M3,
            WeightFormats.MXFP8_E5M2, WeightFormats.FP8_E4M3, WeightFormats.FP8_E5M2);

    static final dev.squall.tokenizer.Vocabulary VOCABULARY = SampleVocabulary.generate(384, 5);

    /** Every row a whole number of 64 (NVFP4's block): dim 64, 4 heads of 16, FFN 128, vocab 384. */
    private static ModelSpec spec(String name, WeightFormat f, boolean tied) {
        return new ModelSpec(name, ModelFamily.LLAMA, 64, 2, 4, 2, 16, 128, VOCABULARY, tied,
                10000f, null, 256, f, 21);
    }

    private static Path model(String name, WeightFormat f, boolean tied) {
        Path p = dir.resolve(name + "-" + f.name() + (tied ? "-tied" : "") + ".gguf");
        if (!p.toFile().exists()) SyntheticModel.write(spec(name, f, tied), p, null);
        return p;
    }

    private static Path quantize(Path in, QuantizeOptions options, String out) {
        Path p = dir.resolve(out);
        try (GgufFile f = GgufFile.open(in)) {
            new QuantizeFile(f, options).write(p, null);
        }
        return p;
    }

    private static float[] logits(Model m, int... tokens) {
        try (Plan p = m.compile(new JavaBackend(), PlanOptions.of(64, 1))) {
            int seq = p.cache().newSequence();
            Batch.Builder b = Batch.builder();
            for (int i = 0; i < tokens.length; i++) b.token(seq, i, tokens[i], i == tokens.length - 1);
            return p.forward(b.build()).logits(0);
        }
    }

    @ParameterizedTest
    @FieldSource("TARGETS")
    void everyMatrixTakesTheNewTypeVectorsStayF32AndTheModelRuns(WeightFormat target) {
        Path out = quantize(model("q", WeightFormats.F32, false), QuantizeOptions.to(target), "all-" + target.name() + ".gguf");
        try (GgufFile f = GgufFile.open(out)) {
            for (GgufTensorInfo t : f.tensors()) {
                if (t.name().endsWith(NVFP4.SCALE_SUFFIX)) continue;
                GgmlType expected = t.dims().length >= 2 ? GgmlType.fromId(target.ggmlType()).orElseThrow() : GgmlType.F32;
                assertEquals(expected, t.type(), t.name());
            }
            assertEquals(Quantizer.fileType(target), f.metadata().getLong("general.file_type"));
            assertTrue(f.metadata().getString(QuantizeFile.KEY).startsWith(target.name() + " (GGUF type " + target.ggmlType() + ") from F32: 16 matrices"),
                    f.metadata().getString(QuantizeFile.KEY));
        }
        try (Model m = Model.open(out)) {
            assertEquals(target.name() + " × 16", m.formatSummary());
            for (float v : logits(m, 1, 40, 41, 300)) assertTrue(Float.isFinite(v));
        }
    }

    @Test
    void nvfp4MatricesCarryTheirTensorScaleAsLlamaCppReadsIt() {
        Path out = quantize(model("q", WeightFormats.F32, false), QuantizeOptions.to(WeightFormats.NVFP4), "nv-scales.gguf");
        try (GgufFile f = GgufFile.open(out)) {
            assertTrue(f.tensor("token_embd.scale").isEmpty(), "llama.cpp applies no scale to the embedding lookup");
            for (String name : List.of("blk.0.attn_q", "blk.1.ffn_down", "output")) {
                GgufTensorInfo s = f.tensor(name + ".scale").orElseThrow(() -> new AssertionError(name + ".scale"));
                assertEquals(GgmlType.F32, s.type());
                assertArrayEquals(new long[] {1}, s.dims());
                float scale = f.data(s).get(LittleEndian.FLOAT, 0);
                try (Model m = Model.open(out)) {
                    assertEquals(NVFP4.withTensorScale(scale), tensorOf(m, name + ".weight").format(), name);
                }
            }
        }
    }

    @Test
    void keepFlagsLeaveTheEmbeddingAndTheOutputAsStored() {
        Path out = quantize(model("q", WeightFormats.F32, false), new QuantizeOptions(WeightFormats.MXFP4, true, true), "keep.gguf");
        try (GgufFile f = GgufFile.open(out)) {
            assertEquals(GgmlType.F32, f.tensor(ModelFamily.TOKEN_EMBEDDING).orElseThrow().type());
            assertEquals(GgmlType.F32, f.tensor(ModelFamily.OUTPUT).orElseThrow().type());
            assertEquals(GgmlType.MXFP4, f.tensor("blk.0.attn_q.weight").orElseThrow().type());
            assertTrue(f.metadata().getString(QuantizeFile.KEY).contains("kept as stored: token_embd.weight (F32), output.weight (F32)"));
        }
        Path tied = quantize(model("q", WeightFormats.F32, true), new QuantizeOptions(WeightFormats.MXFP4, false, true), "keep-tied.gguf");
        try (GgufFile f = GgufFile.open(tied)) {
            assertEquals(GgmlType.F32, f.tensor(ModelFamily.TOKEN_EMBEDDING).orElseThrow().type(), "a tied embedding is the output");
        }
    }

    @Test
    void aQ8_0SourceIsDequantizedThenEncoded() {
        Path q8 = model("q", WeightFormats.Q8_0, false);
        Path out = quantize(q8, QuantizeOptions.to(WeightFormats.MXFP4), "from-q8.gguf");
        try (GgufFile src = GgufFile.open(q8); GgufFile f = GgufFile.open(out)) {
            GgufTensorInfo s = src.tensor("blk.0.ffn_up.weight").orElseThrow();
            int cols = (int) s.dim(0), rows = (int) s.dim(1);
            float[] values = new float[cols * rows];
            WeightFormats.Q8_0.decode(src.data(s), 0, values, 0, values.length);
            byte[] expected = new byte[(int) WeightFormats.MXFP4.rowBytes(values.length)];
            WeightFormats.MXFP4.encode(values, 0, values.length, java.lang.foreign.MemorySegment.ofArray(expected), 0);
            assertArrayEquals(expected, f.data("blk.0.ffn_up.weight").toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void anUnsupportedSourceFormatIsNamedWithItsTensor() {
        Path q4 = model("q", WeightFormats.Q4_0, false);
        try (GgufFile f = GgufFile.open(q4)) {
            var e = assertThrows(QuantizationException.class, () -> new QuantizeFile(f, QuantizeOptions.to(WeightFormats.MXFP4)));
            assertEquals("tensor 'token_embd.weight' is Q4_0: matrices are converted from F32, F16, BF16 or Q8_0"
                    + " (quantizing Q4_0 again would round it twice)", e.getMessage());
        }
    }

    @Test
    void aRowThatIsNotWholeBlocksIsNamedWithItsTensor() {
        ModelSpec odd = new ModelSpec("odd", ModelFamily.LLAMA, 64, 1, 4, 2, 16, 96, VOCABULARY, false,
                10000f, null, 256, WeightFormats.F32, 22);
        Path p = dir.resolve("odd.gguf");
        SyntheticModel.write(odd, p, null);
        try (GgufFile f = GgufFile.open(p)) {
            var e = assertThrows(QuantizationException.class, () -> new QuantizeFile(f, QuantizeOptions.to(WeightFormats.NVFP4)));
            assertEquals("tensor 'blk.0.ffn_down.weight': its rows of 96 elements are not a multiple of the NVFP4 block size 64", e.getMessage());
        }
        assertFalse(dir.resolve("odd-nv.gguf").toFile().exists());
    }

    @ParameterizedTest
    @FieldSource("TARGETS")
    void conversionAtLoadTimeEqualsQuantizingThenLoadingBitwise(WeightFormat target) {
        Path f32 = model("q", WeightFormats.F32, false);
        Path file = quantize(f32, QuantizeOptions.to(target), "bitwise-" + target.name() + ".gguf");
        OnTheFlyConversion conversion = new OnTheFlyConversion(QuantizeOptions.to(target));
        try (Model converted = Model.open(f32, null, conversion); Model stored = Model.open(file); GgufFile g = GgufFile.open(file)) {
            assertEquals(16, conversion.converted());
            for (GgufTensorInfo t : g.tensors()) {
                if (t.dims().length < 2) continue;
                WeightTensor w = tensorOf(converted, t.name());
                assertTrue(w.data().isNative(), t.name() + " lives off-heap");
                assertArrayEquals(g.data(t).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                        w.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), t.name());
                assertEquals(tensorOf(stored, t.name()).format(), w.format(), t.name());
            }
            assertArrayEquals(logits(stored, 1, 7, 300), logits(converted, 1, 7, 300));
            assertEquals(stored.formatSummary(), converted.formatSummary());
        }
    }

    private static WeightTensor tensorOf(Model m, String name) {
        for (var op : allOps(m)) {
            if (op instanceof dev.squall.graph.Op.Matmul mm && mm.weight().name().equals(name)) return mm.weight();
            if (op instanceof dev.squall.graph.Op.Embed e && e.table().name().equals(name)) return e.table();
        }
        throw new AssertionError("no tensor " + name);
    }

    private static List<dev.squall.graph.Op> allOps(Model m) {
        List<dev.squall.graph.Op> ops = new java.util.ArrayList<>(m.graph().prologue());
        m.graph().layers().forEach(l -> ops.addAll(l.ops()));
        ops.addAll(m.graph().epilogue());
        return ops;
    }

    @Test
    void aScaleBesideAWeightThatIsNotNvfp4IsRefused() {
        Path f32 = model("q", WeightFormats.F32, false);
        Path p = dir.resolve("stray-scale.gguf");
        try (GgufFile f = GgufFile.open(f32)) {
            var w = new dev.squall.gguf.GgufWriter();
            w.metadata().putAll(f.metadata());
            for (GgufTensorInfo t : f.tensors()) w.addTensor(t.name(), t.type(), t.dims(), f.data(t));
            w.addTensor("blk.0.attn_q.scale", GgmlType.F32, new long[] {1}, seg -> seg.set(LittleEndian.FLOAT, 0, 2f));
            w.write(p);
        }
        var e = assertThrows(IllegalArgumentException.class, () -> Model.open(p).close());
        assertEquals(p + ": tensor 'blk.0.attn_q.scale' scales 'blk.0.attn_q.weight' (F32); Squall applies a per-tensor scale only to NVFP4 weights",
                e.getMessage());
    }

    @Test
    void theConversionIsRefusedForAnUnsupportedSourceNamingTheTensor() {
        Path q4 = model("q", WeightFormats.Q4_0, false);
        var e = assertThrows(QuantizationException.class, () -> Model.open(q4, null, new OnTheFlyConversion(QuantizeOptions.to(WeightFormats.FP8_E4M3))).close());
        assertTrue(e.getMessage().startsWith("tensor 'token_embd.weight' is Q4_0"), e.getMessage());
        assertInstanceOf(IllegalArgumentException.class, e);
    }
}
