package dev.squall.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.squall.format.GgmlType;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer refuses what it could not write as a valid file, and never leaves half a file behind. */
class GgufWriterTest {

    @TempDir Path dir;

    @Test
    void aDuplicateTensorNameIsRefusedWhenAdded() {
        GgufWriter w = new GgufWriter().addTensor("w", GgmlType.F32, new long[] {4}, s -> {});
        var e = assertThrows(IllegalArgumentException.class, () -> w.addTensor("w", GgmlType.F16, new long[] {4}, s -> {}));
        assertEquals("tensor 'w' was already added", e.getMessage());
    }

    @Test
    void aShapeThatIsNotWholeBlocksIsRefusedWhenAdded() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new GgufWriter().addTensor("q", GgmlType.Q8_0, new long[] {33, 2}, s -> {}));
        assertEquals("tensor 'q': a row of 33 elements is not a multiple of the Q8_0 block size 32", e.getMessage());
    }

    @Test
    void readyDataOfTheWrongSizeIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> new GgufWriter()
                .addTensor("w", GgmlType.F32, new long[] {4}, MemorySegment.ofArray(new float[3])));
        assertEquals("tensor 'w': 12 bytes given, 16 expected for F32 [4]", e.getMessage());
    }

    @Test
    void anAlignmentThatIsNotAPowerOfTwoIsRefused() {
        GgufWriter w = new GgufWriter();
        w.metadata().putUint32("general.alignment", 48);
        var e = assertThrows(IllegalArgumentException.class, () -> w.write(dir.resolve("x.gguf")));
        assertEquals("key 'general.alignment' is 48, expected a non-zero power of two", e.getMessage());
    }

    @Test
    void onlyVersions2And3CanBeWritten() {
        assertThrows(IllegalArgumentException.class, () -> new GgufWriter().version(1));
    }

    @Test
    void aStringWithAnUnpairedSurrogateIsRefused() {
        GgufWriter w = new GgufWriter();
        w.metadata().putString("bad", "a\uD800b");
        var e = assertThrows(IllegalArgumentException.class, () -> w.write(dir.resolve("x.gguf")));
        assertEquals("value of key 'bad': string is not valid Unicode (an unpaired surrogate?)", e.getMessage());
    }

    @Test
    void eachFillerGetsAZeroedSliceOfExactlyItsTensorsSize() {
        long[] seen = new long[2];
        GgufWriter w = new GgufWriter();
        w.addTensor("a", GgmlType.Q4_K, new long[] {256, 3}, s -> {
            seen[0] = s.byteSize();
            for (long i = 0; i < s.byteSize(); i++) if (s.get(ValueLayout.JAVA_BYTE, i) != 0) seen[1]++;
            s.fill((byte) -1);
        });
        w.write(dir.resolve("x.gguf"));
        assertEquals(3 * 144, seen[0]);
        assertEquals(0, seen[1], "non-zero bytes before the filler ran");
    }

    @Test
    void aFillerMayWriteItsSliceFromAnotherThread() throws Exception {
        GgufWriter w = new GgufWriter().addTensor("w", GgmlType.I32, new long[] {2}, s -> {
            Thread t = new Thread(() -> s.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, 1, 42));
            t.start();
            try {
                t.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Path file = dir.resolve("x.gguf");
        w.write(file);
        try (GgufFile f = GgufFile.open(file)) {
            assertArrayEquals(new int[] {0, 42}, f.data("w").toArray(ValueLayout.JAVA_INT));
        }
    }

    @Test
    void aFailingFillerPropagatesAndLeavesNoFileBehind() throws IOException {
        Path target = dir.resolve("model.gguf");
        RuntimeException boom = new IllegalStateException("boom");
        GgufWriter w = new GgufWriter().addTensor("w", GgmlType.F32, new long[] {4}, s -> { throw boom; });
        assertSame(boom, assertThrows(IllegalStateException.class, () -> w.write(target)));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "neither the file nor its .part remains");
        }
    }

    @Test
    void writingReplacesAnExistingFile() throws IOException {
        Path target = dir.resolve("model.gguf");
        Files.writeString(target, "not a gguf file, and longer than the one that replaces it".repeat(10));
        GgufWriter w = new GgufWriter();
        w.metadata().putString("general.name", "new");
        w.write(target);
        try (GgufFile f = GgufFile.open(target)) {
            assertEquals("new", f.metadata().getString("general.name"));
            assertEquals(0, f.fileSize() % 32);
        }
        assertFalse(Files.exists(dir.resolve("model.gguf.part")));
    }
}
