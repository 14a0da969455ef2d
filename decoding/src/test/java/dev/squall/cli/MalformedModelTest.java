package dev.squall.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.format.WeightFormats;
import dev.squall.gguf.GgufFile;
import dev.squall.gguf.GgufTensorInfo;
import dev.squall.gguf.GgufWriter;
import dev.squall.model.synthetic.SampleModels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of malformed GGUF file gives one clear error line naming the problem and exit status
 * 1: no stack trace, no OutOfMemoryError.
 */
class MalformedModelTest {

    @TempDir static Path dir;
    private static Path valid;
    private static byte[] bytes;

    @BeforeAll
    static void writeValid() throws IOException {
        valid = SampleModels.write("micro", WeightFormats.F32, dir, null);
        bytes = Files.readAllBytes(valid);
    }

    private static Path file(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    private static byte[] patched(int offset, long value, int width) {
        byte[] b = bytes.clone();
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        if (width == 8) buf.putLong(offset, value);
        else buf.putInt(offset, (int) value);
        return b;
    }

    /** The error line for generating from {@code p}, after checking its form. */
    private static String errorFor(Path p) {
        Launcher r = Launcher.run("generate", "-m", p.toString(), "-p", "Hello", "-n", "4");
        assertEquals(1, r.exitCode(), "exit status; stderr: " + r.err());
        String[] lines = r.errLines();
        assertEquals(1, lines.length, "one line on stderr: " + r.err());
        assertTrue(lines[0].startsWith("squall generate: error: " + p + ": "), lines[0]);
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "no stack trace: " + r.err());
        return lines[0];
    }

    @Test
    void truncatedHeader() throws IOException {
        String line = errorFor(file("truncated.gguf", Arrays.copyOf(bytes, 100)));
        assertTrue(line.contains("truncated"), line);
    }

    @Test
    void badMagic() throws IOException {
        byte[] b = bytes.clone();
        b[3] = 'X';
        String line = errorFor(file("magic.gguf", b));
        assertTrue(line.contains("magic is 0x58554747, expected \"GGUF\""), line);
    }

    @Test
    void tensorExtentPastTheEnd() throws IOException {
        String line = errorFor(file("short.gguf", Arrays.copyOf(bytes, bytes.length - 4096)));
        assertTrue(line.contains("extends past the end of the file"), line);
    }

    @Test
    void absurdMetadataCount() throws IOException {
        String line = errorFor(file("kvcount.gguf", patched(16, 1L << 62, 8)));
        assertTrue(line.contains("kv_count is 4611686018427387904"), line);
    }

    @Test
    void absurdTensorCount() throws IOException {
        String line = errorFor(file("tensorcount.gguf", patched(8, 1L << 40, 8)));
        assertTrue(line.contains("tensor_count is 1099511627776"), line);
    }

    @Test
    void absurdStringLength() throws IOException {
        // the first metadata key's length field follows the 24-byte header
        String line = errorFor(file("strlen.gguf", patched(24, 1L << 50, 8)));
        assertTrue(line.contains("1125899906842624"), line);
    }

    @Test
    void unknownTensorTypeId() throws IOException {
        String line = errorFor(file("type.gguf", patched(typeFieldOfFirstTensor(), 77, 4)));
        assertTrue(line.contains("77") && line.contains("type"), line);
    }

    @Test
    void missingRequiredKey() throws IOException {
        Path p = dir.resolve("nokey.gguf");
        try (GgufFile f = GgufFile.open(valid)) {
            GgufWriter w = new GgufWriter();
            w.metadata().putAll(f.metadata()).remove("llama.embedding_length");
            for (GgufTensorInfo t : f.tensors()) w.addTensor(t.name(), t.type(), t.dims(), f.data(t));
            w.write(p);
        }
        assertEquals("squall generate: error: " + p + ": missing required key 'llama.embedding_length'", errorFor(p));
    }

    @Test
    void aFileThatDoesNotExist() {
        Launcher r = Launcher.run("generate", "-m", dir.resolve("absent.gguf").toString(), "-p", "Hello");
        assertEquals(1, r.exitCode());
        assertEquals("squall generate: error: --model " + dir.resolve("absent.gguf") + ": no such file", r.err().strip());
    }

    /** Offset of the type field of the first tensor info: after its name, n_dims and dims. */
    private static int typeFieldOfFirstTensor() {
        try (GgufFile f = GgufFile.open(valid)) {
            GgufTensorInfo first = f.tensors().get(0);
            byte[] name = first.name().getBytes(StandardCharsets.UTF_8);
            ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i + 8 + name.length < bytes.length; i++) {
                if (buf.getLong(i) == name.length && Arrays.equals(bytes, i + 8, i + 8 + name.length, name, 0, name.length)
                        && buf.getInt(i + 8 + name.length) == first.dims().length) {
                    return i + 8 + name.length + 4 + 8 * first.dims().length;
                }
            }
        }
        throw new IllegalStateException("first tensor info not found");
    }
}
