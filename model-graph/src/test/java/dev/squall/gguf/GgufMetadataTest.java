package dev.squall.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Typed getters convert what is safe to convert and name the file and key in every refusal. */
class GgufMetadataTest {

    @TempDir Path dir;

    private static GgufMetadata sample() {
        return GgufMetadata.builder()
                .putString("general.architecture", "llama")
                .putUint32("llama.block_count", 32)
                .putUint8("small", 7)
                .putInt64("negative", -5)
                .putUint32("u32.big", 4_000_000_000L)
                .putUint64("u64.max", -1L)
                .putFloat32("eps", 1e-5f)
                .putFloat64("theta", 500000.0)
                .putFloat64("huge", 1e300)
                .putBool("add_bos", true)
                .putStringArray("tokens", "<s>", "</s>")
                .putArray("types", GgufArray.ofIntegers(GgufValueType.UINT8, 1, 2, 255))
                .putArray("wide", GgufArray.ofIntegers(GgufValueType.UINT32, 1, 4_000_000_000L))
                .putArray("scores64", GgufArray.ofFloat64(0.5, -1))
                .build("model.gguf");
    }

    private static void assertFails(String expected, Executable call) {
        assertEquals(expected, assertThrows(GgufException.class, call).getMessage());
    }

    @Test
    void aMissingRequiredKeyIsNamedWithTheFileItWasReadFrom() {
        GgufWriter w = new GgufWriter();
        w.metadata().putString("general.architecture", "llama");
        Path file = dir.resolve("model.gguf");
        w.write(file);
        try (GgufFile f = GgufFile.open(file)) {
            GgufException e = assertThrows(GgufException.class, () -> f.metadata().getInt("llama.block_count"));
            assertEquals(file + ": missing required key 'llama.block_count'", e.getMessage());
        }
    }

    @Test
    void aValueOfTheWrongTypeNamesTheKeyAndBothTypes() {
        GgufMetadata md = sample();
        assertFails("model.gguf: key 'llama.block_count' is UINT32, expected STRING", () -> md.getString("llama.block_count"));
        assertFails("model.gguf: key 'general.architecture' is STRING, expected an integer", () -> md.getInt("general.architecture"));
        assertFails("model.gguf: key 'eps' is FLOAT32, expected BOOL", () -> md.getBool("eps"));
        assertFails("model.gguf: key 'add_bos' is BOOL, expected FLOAT32 or FLOAT64", () -> md.getFloat("add_bos"));
        assertFails("model.gguf: key 'types' is ARRAY<UINT8>, expected ARRAY<STRING>", () -> md.getStringArray("types"));
        assertFails("model.gguf: key 'tokens' is ARRAY<STRING>, expected an ARRAY of an integer type", () -> md.getIntArray("tokens"));
        assertFails("model.gguf: key 'eps' is FLOAT32, expected an ARRAY", () -> md.getArray("eps"));
    }

    @Test
    void integerGettersAcceptEveryIntegerTypeThatFits() {
        GgufMetadata md = sample();
        assertEquals(7, md.getInt("small"));
        assertEquals(-5, md.getInt("negative"));
        assertEquals(4_000_000_000L, md.getLong("u32.big"));
        assertArrayEquals(new int[] {1, 2, 255}, md.getIntArray("types"));
        assertArrayEquals(new long[] {1, 4_000_000_000L}, md.getLongArray("wide"));
    }

    @Test
    void integerGettersRefuseValuesOutsideTheirRange() {
        GgufMetadata md = sample();
        assertFails("model.gguf: key 'u32.big' is 4000000000 (UINT32), which does not fit in an int", () -> md.getInt("u32.big"));
        assertFails("model.gguf: key 'u64.max' is 18446744073709551615 (UINT64), which does not fit in a long",
                () -> md.getLong("u64.max"));
        assertFails("model.gguf: key 'wide' element #1 is 4000000000 (UINT32), which does not fit in an int",
                () -> md.getIntArray("wide"));
    }

    @Test
    void floatGettersAcceptBothFloatTypesAndRefuseAFloatOverflow() {
        GgufMetadata md = sample();
        assertEquals(1e-5f, md.getFloat("eps"));
        assertEquals(500000f, md.getFloat("theta"));
        assertEquals(500000.0, md.getDouble("theta"));
        assertArrayEquals(new float[] {0.5f, -1f}, md.getFloatArray("scores64"));
        assertFails("model.gguf: key 'huge' is 1.0E300 (FLOAT64), which does not fit in a float", () -> md.getFloat("huge"));
    }

    @Test
    void defaultsAndOptionalsCoverOnlyAbsentKeys() {
        GgufMetadata md = sample();
        assertEquals(10000f, md.getFloat("llama.rope.freq_base", 10000f));
        assertEquals(32, md.getInt("llama.block_count", 1));
        assertEquals("none", md.getString("absent", "none"));
        assertEquals(OptionalInt.empty(), md.findInt("absent"));
        assertEquals(Optional.of(true), md.findBool("add_bos"));
        assertTrue(md.findStringArray("absent").isEmpty());
        assertFails("model.gguf: key 'general.architecture' is STRING, expected an integer",
                () -> md.getInt("general.architecture", 0));
        assertFails("model.gguf: key 'eps' is FLOAT32, expected STRING", () -> md.findString("eps"));
    }

    @Test
    void theGenericGetterKeepsTypesAndElementTypes() {
        GgufMetadata md = sample();
        assertEquals(new GgufValue.Int(GgufValueType.UINT8, 7), md.get("small"));
        GgufValue types = md.get("types");
        assertEquals(GgufValueType.ARRAY, types.type());
        assertEquals(GgufValueType.UINT8, ((GgufArray) types).elementType());
        assertEquals(255, ((GgufArray) types).longAt(2));
        assertTrue(md.contains("tokens"));
        assertFalse(md.contains("absent"));
        assertEquals(List.of("general.architecture", "llama.block_count"), md.keys().stream().limit(2).toList());
    }

    @Test
    void describeSummarizesLongArraysAndLongStringsOnOneLine() {
        String[] vocab = new String[32000];
        java.util.Arrays.fill(vocab, "tok");
        GgufMetadata md = GgufMetadata.builder()
                .putStringArray("tokenizer.ggml.tokens", vocab)
                .putInt32Array("short", 1, -2, 3)
                .putString("tokenizer.chat_template", "{% for m in messages %}\n" + "x".repeat(100))
                .putUint64("u64", -1L)
                .build();
        assertEquals("tokenizer.ggml.tokens: ARRAY<STRING> = [32000 × STRING]", md.describe("tokenizer.ggml.tokens"));
        assertEquals("short: ARRAY<INT32> = [1, -2, 3]", md.describe("short"));
        assertEquals("tokenizer.chat_template: STRING = \"{% for m in messages %}\\n" + "x".repeat(40) + "…\" (124 chars)",
                md.describe("tokenizer.chat_template"));
        assertEquals("u64: UINT64 = 18446744073709551615", md.describe("u64"));
        String[] longWords = new String[16];
        java.util.Arrays.fill(longWords, "w".repeat(60));
        assertTrue(GgufArray.ofStrings(longWords).describe().endsWith(", …]"), "output is cut after about 160 chars");
        assertEquals(4, md.toString().lines().count());
    }

    @Test
    void valuesOutsideTheirTypesRangeCannotBeBuilt() {
        assertThrows(IllegalArgumentException.class, () -> GgufMetadata.builder().putUint8("x", 256));
        assertThrows(IllegalArgumentException.class, () -> GgufMetadata.builder().putInt16("x", 40000));
        assertThrows(IllegalArgumentException.class, () -> GgufMetadata.builder().putUint32("x", -1));
        assertThrows(IllegalArgumentException.class, () -> GgufArray.ofIntegers(GgufValueType.INT8, 1, 128));
        assertThrows(IllegalArgumentException.class, () -> GgufMetadata.builder().putString("", "empty key"));
    }
}
