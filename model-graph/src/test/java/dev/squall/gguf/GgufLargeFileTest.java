package dev.squall.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.squall.format.GgmlType;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Offsets are longs end to end: a file over 2 GiB is written, mapped and read back. */
class GgufLargeFileTest {

    private static final long BIG = (1L << 31) + 96;

    @TempDir Path dir;

    @Test
    void aTensorOver2GiBAndOneAfterItRoundTrip() throws IOException {
        long room = Files.getFileStore(dir).getUsableSpace();
        assumeTrue(room > 3 * BIG, "the temp file system has " + room + " bytes free, not enough for a 2 GiB file");

        GgufWriter w = new GgufWriter();
        w.metadata().putString("general.name", "big");
        // Only the touched pages are ever written: the file is sparse where the file system allows.
        w.addTensor("big", GgmlType.I8, new long[] {BIG}, s -> {
            s.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x11);
            s.set(ValueLayout.JAVA_LONG_UNALIGNED, 1L << 31, 0x0123_4567_89AB_CDEFL);
            s.set(ValueLayout.JAVA_BYTE, s.byteSize() - 1, (byte) 0x22);
        });
        w.addTensor("after", GgmlType.F32, new long[] {3}, MemorySegment.ofArray(new float[] {1.5f, -2.5f, 3.25f}));
        Path file = dir.resolve("big.gguf");
        w.write(file);

        try (GgufFile f = GgufFile.open(file)) {
            GgufTensorInfo big = f.tensor("big").orElseThrow();
            assertEquals(BIG, big.byteSize());
            MemorySegment data = f.data(big);
            assertEquals((byte) 0x11, data.get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(0x0123_4567_89AB_CDEFL, data.get(ValueLayout.JAVA_LONG_UNALIGNED, 1L << 31));
            assertEquals((byte) 0x22, data.get(ValueLayout.JAVA_BYTE, BIG - 1));
            assertEquals(0, data.get(ValueLayout.JAVA_BYTE, BIG / 2), "untouched bytes read as zero");

            GgufTensorInfo after = f.tensor("after").orElseThrow();
            assertTrue(after.fileOffset() > Integer.MAX_VALUE, "offset " + after.fileOffset());
            assertEquals(after.fileOffset() + 32, f.fileSize());
            assertArrayEquals(new float[] {1.5f, -2.5f, 3.25f}, f.data(after).toArray(ValueLayout.JAVA_FLOAT));
        }
    }
}
