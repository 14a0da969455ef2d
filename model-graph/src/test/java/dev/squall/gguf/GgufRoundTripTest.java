package dev.squall.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.format.GgmlType;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the writer writes, the reader reads back unchanged; and both agree with the format. */
class GgufRoundTripTest {

    @TempDir Path dir;

    private static GgufMetadata readBack(Path file) {
        try (GgufFile f = GgufFile.open(file)) {
            return f.metadata();
        }
    }

    @Test
    void everyScalarValueTypeRoundTripsAtItsExtremes() {
        GgufWriter w = new GgufWriter();
        w.metadata()
                .putUint8("u8", 255).putInt8("i8", -128)
                .putUint16("u16", 65535).putInt16("i16", -32768)
                .putUint32("u32", 0xFFFF_FFFFL).putInt32("i32", Integer.MIN_VALUE)
                .putUint64("u64", -1L).putInt64("i64", Long.MIN_VALUE)
                .putFloat32("f32", -0.0f).putFloat64("f64", Double.MAX_VALUE)
                .putFloat32("nan", Float.NaN)
                .putBool("yes", true).putBool("no", false)
                .putString("s", "plain");
        Path file = dir.resolve("scalars.gguf");
        w.write(file);

        GgufMetadata md = readBack(file);
        assertEquals(w.metadata().build(), md);
        assertEquals(new GgufValue.Int(GgufValueType.UINT64, -1L), md.get("u64"));
        assertEquals(0xFFFF_FFFFL, md.getLong("u32"));
        assertEquals(-128, md.getInt("i8"));
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(md.getFloat("f32")));
        assertTrue(Float.isNaN(md.getFloat("nan")));
        assertTrue(md.getBool("yes"));
    }

    @Test
    void unicodeStringsRoundTripByteForByte() {
        String text = "héllo wörld ✓ 日本語 🦙 \u0000 tab\tnewline\n";
        GgufWriter w = new GgufWriter();
        w.metadata().putString("unicode", text)
                .putStringArray("tokens", "▁the", "<0x0A>", "🦙", "");
        Path file = dir.resolve("unicode.gguf");
        w.write(file);

        GgufMetadata md = readBack(file);
        assertEquals(text, md.getString("unicode"));
        assertArrayEquals(new String[] {"▁the", "<0x0A>", "🦙", ""}, md.getStringArray("tokens"));
    }

    @Test
    void arraysOfEveryElementTypeRoundTrip() {
        GgufWriter w = new GgufWriter();
        for (GgufValueType t : GgufValueType.values()) {
            if (t.isInteger()) w.metadata().putArray("ints." + t, GgufArray.ofIntegers(t, 0, 1, 100));
        }
        w.metadata()
                .putArray("u64.max", GgufArray.ofIntegers(GgufValueType.UINT64, -1L, 0))
                .putFloat32Array("f32", 0.5f, -1.25f, Float.MIN_VALUE)
                .putArray("f64", GgufArray.ofFloat64(1e300, -0.0))
                .putArray("bools", GgufArray.ofBools(true, false, true))
                .putStringArray("strings", "a", "bc");
        Path file = dir.resolve("arrays.gguf");
        w.write(file);

        GgufMetadata md = readBack(file);
        assertEquals(w.metadata().build(), md);
        assertArrayEquals(new int[] {0, 1, 100}, md.getIntArray("ints.UINT16"));
        assertArrayEquals(new float[] {0.5f, -1.25f, Float.MIN_VALUE}, md.getFloatArray("f32"));
        assertEquals(GgufValueType.BOOL, md.getArray("bools").elementType());
    }

    @Test
    void emptyArraysKeepTheirElementType() {
        GgufWriter w = new GgufWriter();
        w.metadata().putStringArray("no.strings").putArray("no.floats", GgufArray.empty(GgufValueType.FLOAT64))
                .putArray("no.arrays", GgufArray.ofArrays());
        Path file = dir.resolve("empty.gguf");
        w.write(file);

        GgufMetadata md = readBack(file);
        assertEquals(0, md.getStringArray("no.strings").length);
        assertEquals(GgufValueType.FLOAT64, md.getArray("no.floats").elementType());
        assertEquals(GgufValueType.ARRAY, md.getArray("no.arrays").elementType());
        assertEquals(0, md.getArray("no.arrays").length());
    }

    @Test
    void nestedArraysRoundTripWithTheirOwnElementTypes() {
        GgufArray nested = GgufArray.ofArrays(
                GgufArray.ofInt32(1, 2),
                GgufArray.ofStrings("x"),
                GgufArray.ofArrays(GgufArray.ofFloat32(0.5f), GgufArray.empty(GgufValueType.BOOL)));
        GgufWriter w = new GgufWriter();
        w.metadata().putArray("nested", nested);
        Path file = dir.resolve("nested.gguf");
        w.write(file);

        GgufArray back = readBack(file).getArray("nested");
        assertEquals(nested, back);
        assertEquals(GgufValueType.STRING, back.arrayAt(1).elementType());
        assertEquals(0.5, back.arrayAt(2).arrayAt(0).doubleAt(0));
    }

    @Test
    void metadataKeepsInsertionOrder() {
        GgufWriter w = new GgufWriter();
        w.metadata().putUint32("z", 1).putUint32("a", 2).putUint32("m", 3).putUint32("z", 4);
        Path file = dir.resolve("order.gguf");
        w.write(file);

        GgufMetadata md = readBack(file);
        assertEquals(List.of("z", "a", "m"), List.copyOf(md.keys()));
        assertEquals(4, md.getInt("z"));
    }

    @Test
    void tensorTableAndDataRoundTrip() {
        float[] weights = {1, -2, 0.25f, 3.5f, -0.75f, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17};
        byte[] q8 = new byte[2 * 34];
        new Random(42).nextBytes(q8);
        GgufWriter w = new GgufWriter();
        w.metadata().putString("general.architecture", "test");
        w.addTensor("odd.f32", GgmlType.F32, new long[] {5, 3}, MemorySegment.ofArray(weights));
        w.addTensor("q8", GgmlType.Q8_0, new long[] {64}, MemorySegment.ofArray(q8));
        w.addTensor("filled", GgmlType.I32, new long[] {3, 1, 1, 2},
                s -> { for (int i = 0; i < 6; i++) s.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i, i * 7); });
        Path file = dir.resolve("tensors.gguf");
        w.write(file);

        try (GgufFile f = GgufFile.open(file)) {
            assertEquals(List.of("odd.f32", "q8", "filled"), f.tensors().stream().map(GgufTensorInfo::name).toList());
            GgufTensorInfo t0 = f.tensor("odd.f32").orElseThrow();
            assertEquals(GgmlType.F32, t0.type());
            assertArrayEquals(new long[] {5, 3}, t0.dims());
            assertEquals(0, t0.offset());
            assertEquals(60, t0.byteSize());
            assertEquals(f.dataOffset(), t0.fileOffset());
            assertArrayEquals(weights, f.data(t0).toArray(ValueLayout.JAVA_FLOAT));

            GgufTensorInfo t1 = f.tensor("q8").orElseThrow();
            assertEquals(64, t1.offset(), "60 bytes padded to the default alignment 32");
            assertEquals(68, t1.byteSize());
            assertArrayEquals(q8, f.data(t1).toArray(ValueLayout.JAVA_BYTE));

            GgufTensorInfo t2 = f.tensor("filled").orElseThrow();
            assertArrayEquals(new long[] {3, 1, 1, 2}, t2.dims());
            assertArrayEquals(new int[] {0, 7, 14, 21, 28, 35}, f.data("filled").toArray(ValueLayout.JAVA_INT));
            assertTrue(f.tensor("absent").isEmpty());
        }
    }

    @Test
    void dataSectionAndTensorOffsetsHonorTheAlignmentKey() {
        GgufWriter w = new GgufWriter();
        w.metadata().putUint32("general.alignment", 64);
        w.addTensor("a", GgmlType.F16, new long[] {3}, s -> s.fill((byte) 1));
        w.addTensor("b", GgmlType.F16, new long[] {5}, s -> s.fill((byte) 2));
        Path file = dir.resolve("align64.gguf");
        w.write(file);

        try (GgufFile f = GgufFile.open(file)) {
            assertEquals(64, f.alignment());
            assertEquals(0, f.dataOffset() % 64);
            assertEquals(64, f.tensor("b").orElseThrow().offset());
            assertEquals(f.dataOffset() + 128, f.fileSize(), "the last tensor is padded to the alignment too");
            byte[] bytes = readAllBytes(file);
            for (long i = f.dataOffset() + 6; i < f.dataOffset() + 64; i++) assertEquals(0, bytes[(int) i], "padding at " + i);
        }
    }

    @Test
    void version2FilesAreReadable() {
        GgufWriter w = new GgufWriter().version(2);
        w.metadata().putString("general.name", "v2");
        w.addTensor("t", GgmlType.F32, new long[] {2}, MemorySegment.ofArray(new float[] {1, 2}));
        Path file = dir.resolve("v2.gguf");
        w.write(file);

        try (GgufFile f = GgufFile.open(file)) {
            assertEquals(2, f.version());
            assertEquals("v2", f.metadata().getString("general.name"));
            assertArrayEquals(new float[] {1, 2}, f.data("t").toArray(ValueLayout.JAVA_FLOAT));
        }
    }

    @Test
    void writingTheSameInputTwiceGivesTheSameBytes() {
        Path a = dir.resolve("a.gguf"), b = dir.resolve("b.gguf");
        sampleWriter().write(a);
        sampleWriter().write(b);
        assertArrayEquals(readAllBytes(a), readAllBytes(b));
    }

    @Test
    void writerOutputMatchesTheLayoutBuiltByHand() {
        Path written = dir.resolve("written.gguf");
        sampleWriter().write(written);

        GgufBytes expected = new GgufBytes().header(3, 1, 2)
                .kvString("general.architecture", "llama")
                .key("tokenizer.ggml.scores", GgufValueType.ARRAY).arrayOf(GgufValueType.FLOAT32, 2).f32(0.5f).f32(-1f)
                .tensorInfo("token_embd.weight", GgmlType.F32.id(), 0, 2, 1)
                .alignTo(32)
                .f32(1.5f).f32(-2f)
                .alignTo(32);
        assertArrayEquals(expected.toArray(), readAllBytes(written));
    }

    @Test
    void readsAFileWrittenByLlamaCppsGgufPy() throws IOException {
        Path file = dir.resolve("gguf-py-fixture.gguf");
        try (var in = getClass().getResourceAsStream("gguf-py-fixture.gguf")) {
            Files.copy(in, file);
        }
        try (GgufFile f = GgufFile.open(file)) {
            GgufMetadata md = f.metadata();
            assertEquals(3, f.version());
            assertEquals("llama", md.getString("general.architecture"));
            assertEquals(200, md.getInt("test.u8"));
            assertEquals(-100, md.getInt("test.i8"));
            assertEquals(60000, md.getInt("test.u16"));
            assertEquals(-30000, md.getInt("test.i16"));
            assertEquals(4_000_000_000L, md.getLong("test.u32"));
            assertEquals(-2_000_000_000, md.getInt("test.i32"));
            assertEquals(0.25f, md.getFloat("test.f32"));
            assertEquals("18446744073709551615", md.get("test.u64").describe());
            assertEquals(-(1L << 62), md.getLong("test.i64"));
            assertEquals(-1.5e300, md.getDouble("test.f64"));
            assertTrue(md.getBool("test.bool"));
            assertEquals("héllo, wörld ✓ 🦙", md.getString("test.string"));
            assertArrayEquals(new String[] {"a", "", "ü"}, md.getStringArray("test.strings"));
            assertEquals(GgufArray.ofArrays(GgufArray.ofInt32(1, 2), GgufArray.ofInt32(3)), md.getArray("test.nested"));

            assertEquals(List.of("f32", "f16", "q8_0"), f.tensors().stream().map(GgufTensorInfo::name).toList());
            assertArrayEquals(new long[] {3, 2}, f.tensor("f32").orElseThrow().dims());
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, f.data("f32").toArray(ValueLayout.JAVA_FLOAT));
            assertEquals(GgmlType.F16, f.tensor("f16").orElseThrow().type());
            assertEquals(10, f.tensor("f16").orElseThrow().byteSize());
            GgufTensorInfo q8 = f.tensor("q8_0").orElseThrow();
            assertEquals(GgmlType.Q8_0, q8.type());
            assertArrayEquals(new long[] {32, 2}, q8.dims());
            byte[] bytes = f.data(q8).toArray(ValueLayout.JAVA_BYTE);
            for (int i = 0; i < bytes.length; i++) assertEquals((byte) i, bytes[i], "q8_0 byte " + i);
        }
    }

    /** One key of each kind the hand-built layout checks, one tensor. */
    private static GgufWriter sampleWriter() {
        GgufWriter w = new GgufWriter();
        w.metadata().putString("general.architecture", "llama").putFloat32Array("tokenizer.ggml.scores", 0.5f, -1f);
        w.addTensor("token_embd.weight", GgmlType.F32, new long[] {2, 1}, MemorySegment.ofArray(new float[] {1.5f, -2f}));
        return w;
    }

    private static byte[] readAllBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
