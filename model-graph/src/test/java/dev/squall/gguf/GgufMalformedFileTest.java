package dev.squall.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.format.GgmlType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every malformed file is one {@link GgufException} whose single-line message names the file, the
 * field and the value seen against the value expected; never an exception from deep inside.
 */
class GgufMalformedFileTest {

    private static final long HUGE = 1L << 62;
    private static final int F32 = GgmlType.F32.id();

    @TempDir Path dir;

    /** Opens {@code bytes} as a file and checks the message after the {@code <path>: } prefix. */
    private void assertRejected(GgufBytes bytes, String expected) {
        assertRejected(bytes.toArray(), expected);
    }

    private void assertRejected(byte[] bytes, String expected) {
        Path file = new GgufBytes().raw(bytes).writeTo(dir, "bad.gguf");
        GgufException e = assertThrows(GgufException.class, () -> GgufFile.open(file).close());
        assertEquals(file + ": " + expected, e.getMessage());
    }

    /** A header and one STRING key: the smallest prefix that tests of later fields build on. */
    private static GgufBytes headerWithName(long tensorCount, long kvCount) {
        return new GgufBytes().header(3, tensorCount, kvCount).kvString("general.name", "m");
    }

    /** A file with one tensor info and enough zeroed data for it, the info's fields as given. */
    private static GgufBytes oneTensor(String name, int typeId, long offset, long... dims) {
        return headerWithName(1, 1).tensorInfo(name, typeId, offset, dims).alignTo(32).zeros(64);
    }

    // --- truncation ------------------------------------------------------------------------------

    /**
     * A valid file with three keys (the last a STRING array) and one tensor, and the offsets where
     * each part starts, so cut points can fall inside each of them.
     */
    private record Sample(byte[] bytes, int key1, int arrayValue, int tensorInfo, int dataEnd) {
        static Sample build() {
            GgufBytes b = new GgufBytes().header(3, 1, 3).kvString("general.architecture", "test");
            int key1 = b.size();
            b.kvUint32("a.rather.long.key.name.to.cut.into", 7);
            b.key("tokens", GgufValueType.ARRAY);
            int arrayValue = b.size();
            b.arrayOf(GgufValueType.STRING, 3).str("alpha").str("beta").str("gamma");
            int tensorInfo = b.size();
            b.tensorInfo("t", F32, 0, 4, 2).alignTo(32).zeros(32);
            return new Sample(b.toArray(), key1, arrayValue, tensorInfo, b.size());
        }
    }

    static Stream<Arguments> cutPoints() {
        Sample s = Sample.build();
        return Stream.of(
                Arguments.of("inside the magic", 2, "truncated: reading magic needs 4 bytes at offset 0, file has 2"),
                Arguments.of("inside the header", 12, "truncated: reading tensor_count needs 8 bytes at offset 8, file has 12"),
                Arguments.of("inside a key's length", s.key1() + 3, "truncated: reading metadata key #1 needs 8 bytes at offset "
                        + s.key1() + ", file has " + (s.key1() + 3)),
                Arguments.of("inside a key's bytes", s.key1() + 10, "metadata key #1: string length 34 at offset " + s.key1()
                        + " exceeds the 2 bytes left in the file"),
                Arguments.of("inside an array", s.arrayValue() + 12 + 13 + 12 + 3, "truncated: reading element #2 of value of "
                        + "key 'tokens' needs 8 bytes at offset " + (s.arrayValue() + 37) + ", file has " + (s.arrayValue() + 40)),
                Arguments.of("inside tensor infos", s.tensorInfo() + 8 + 1 + 4 + 8 + 2, "truncated: reading dimension #1 of "
                        + "tensor 't' needs 8 bytes at offset " + (s.tensorInfo() + 21) + ", file has " + (s.tensorInfo() + 23)),
                Arguments.of("inside the data", s.dataEnd() - 1, "tensor 't': data [" + (s.dataEnd() - 32) + ", " + s.dataEnd()
                        + ") extends past the end of the file (" + (s.dataEnd() - 1) + " bytes)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cutPoints")
    void aTruncatedFileNamesWhatWasBeingRead(String where, int length, String expected) {
        assertRejected(Arrays.copyOf(Sample.build().bytes(), length), expected);
    }

    @Test
    void theUncutSampleIsValid() {
        Path file = new GgufBytes().raw(Sample.build().bytes()).writeTo(dir, "sample.gguf");
        try (GgufFile f = GgufFile.open(file)) {
            assertEquals(3, f.metadata().size());
            assertEquals(1, f.tensors().size());
        }
    }

    @Test
    void anEmptyFileIsTruncatedAtTheMagic() {
        assertRejected(new byte[0], "truncated: reading magic needs 4 bytes at offset 0, file has 0");
    }

    // --- header ----------------------------------------------------------------------------------

    @Test
    void aWrongMagicIsShownInHexAgainstGguf() {
        assertRejected(new GgufBytes().u32(0x46554746).u32(3).u64(0).u64(0),
                "magic is 0x46554746, expected \"GGUF\" (0x46554747)");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4})
    void anUnsupportedVersionIsNamed(int version) {
        assertRejected(new GgufBytes().header(version, 0, 0),
                "GGUF version " + version + " is not supported, expected version 2 or 3");
    }

    @Test
    void aByteSwappedVersionIsReportedAsBigEndian() {
        assertRejected(new GgufBytes().header(0x03000000, 0, 0), "version is 0x03000000, which looks byte-swapped: "
                + "big-endian GGUF files are not supported, expected version 2 or 3");
    }

    @Test
    void anAbsurdKvCountIsRejectedBeforeAnyAllocation() {
        assertRejected(new GgufBytes().header(3, 0, HUGE).zeros(100), "header: kv_count is 4611686018427387904, "
                + "more than the 100 bytes after the header can hold (a metadata entry takes at least 13 bytes)");
    }

    @Test
    void anAbsurdTensorCountIsRejectedBeforeAnyAllocation() {
        assertRejected(new GgufBytes().header(3, -1L, 0).zeros(100), "header: tensor_count is 18446744073709551615, "
                + "more than the 100 bytes after the header can hold (a tensor info takes at least 32 bytes)");
    }

    // --- metadata --------------------------------------------------------------------------------

    @Test
    void anAbsurdStringLengthIsRejected() {
        assertRejected(new GgufBytes().header(3, 0, 1).u64(HUGE).zeros(20),
                "metadata key #0: string length 4611686018427387904 at offset 24 exceeds the 20 bytes left in the file");
    }

    @Test
    void anAbsurdArrayCountIsRejected() {
        assertRejected(new GgufBytes().header(3, 0, 1).key("k", GgufValueType.ARRAY).arrayOf(GgufValueType.UINT8, HUGE)
                .zeros(10), "value of key 'k': array count 4611686018427387904 at offset 41 (UINT8, at least 1 bytes each) "
                + "exceeds the 10 bytes left in the file");
    }

    @Test
    void anArrayOfStringsCannotClaimMoreStringsThanEightBytesEachCouldHold() {
        assertRejected(new GgufBytes().header(3, 0, 1).key("k", GgufValueType.ARRAY).arrayOf(GgufValueType.STRING, 3)
                .str("a").str("b"), "value of key 'k': array count 3 at offset 41 (STRING, at least 8 bytes each) "
                + "exceeds the 18 bytes left in the file");
    }

    @Test
    void anUnknownValueTypeIdIsNamedWithItsKey() {
        assertRejected(new GgufBytes().header(3, 0, 1).str("k").u32(13).zeros(8),
                "key 'k': unknown value type id 13, expected 0 to 12");
    }

    @Test
    void anUnknownArrayElementTypeIdIsNamedWithItsKey() {
        assertRejected(new GgufBytes().header(3, 0, 1).key("k", GgufValueType.ARRAY).u32(99).u64(0),
                "element type of value of key 'k': unknown value type id 99, expected 0 to 12");
    }

    @Test
    void aDuplicateKeyIsRejected() {
        assertRejected(headerWithName(0, 2).kvString("general.name", "again"),
                "metadata key #1: duplicate key 'general.name' (first seen as key #0)");
    }

    @Test
    void namesFromTheFileAppearEscapedSoTheMessageStaysOneLine() {
        assertRejected(new GgufBytes().header(3, 0, 2).kvUint32("a\nb", 1).kvUint32("a\nb", 2),
                "metadata key #1: duplicate key 'a\\nb' (first seen as key #0)");
    }

    @Test
    void anEmptyKeyIsRejected() {
        assertRejected(new GgufBytes().header(3, 0, 1).kvUint32("", 1), "metadata key #0 is empty");
    }

    @Test
    void aStringThatIsNotUtf8IsRejected() {
        assertRejected(new GgufBytes().header(3, 0, 1).key("k", GgufValueType.STRING).u64(3).u8('a').u8(0xC3).u8(0x28),
                "value of key 'k': string at offset 37 is not valid UTF-8 (byte 0xc3 at offset 46)");
    }

    @Test
    void aBoolOtherThanZeroOrOneIsRejected() {
        assertRejected(new GgufBytes().header(3, 0, 1).key("k", GgufValueType.BOOL).u8(2),
                "value of key 'k': BOOL byte is 2, expected 0 or 1");
    }

    @Test
    void arraysNestedTooDeepAreRejected() {
        GgufBytes b = new GgufBytes().header(3, 0, 1).key("k", GgufValueType.ARRAY);
        for (int depth = 0; depth < GgufParser.MAX_ARRAY_DEPTH + 1; depth++) b.arrayOf(GgufValueType.ARRAY, 1);
        b.arrayOf(GgufValueType.UINT8, 0);
        String what = "value of key 'k'";
        for (int depth = 1; depth <= GgufParser.MAX_ARRAY_DEPTH; depth++) what = "element #0 of " + what;
        assertRejected(b, what + ": arrays nested more than 8 deep");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 3, 48})
    void anAlignmentThatIsNotAPowerOfTwoIsRejected(long alignment) {
        assertRejected(new GgufBytes().header(3, 0, 1).kvUint32("general.alignment", alignment),
                "key 'general.alignment' is " + alignment + ", expected a non-zero power of two");
    }

    @Test
    void anAlignmentOfAnotherTypeThanUint32IsRejected() {
        assertRejected(new GgufBytes().header(3, 0, 1).key("general.alignment", GgufValueType.UINT64).u64(32),
                "key 'general.alignment' is UINT64, expected UINT32");
    }

    // --- tensor infos ----------------------------------------------------------------------------

    @Test
    void anUnknownTensorTypeIdIsNamedWithItsTensor() {
        assertRejected(oneTensor("blk.0.w", 99, 0, 4), "tensor 'blk.0.w': unknown tensor type id 99 (not a ggml type)");
    }

    @Test
    void aRemovedTensorTypeIdIsUnknown() {
        assertRejected(oneTensor("w", 4, 0, 32), "tensor 'w': unknown tensor type id 4 (not a ggml type)");
    }

    @Test
    void aZeroDimensionIsRejected() {
        assertRejected(oneTensor("w", F32, 0, 4, 0), "tensor 'w': dimension #1 is 0, expected at least 1");
    }

    @Test
    void aDimensionAbove2To63IsRejected() {
        assertRejected(oneTensor("w", F32, 0, 4, -2L), "tensor 'w': dimension #1 is 18446744073709551614 (over 2^63-1), "
                + "expected at least 1");
    }

    @Test
    void dimensionsWhoseProductOverflowsAreRejected() {
        assertRejected(oneTensor("w", F32, 0, 1L << 32, 1L << 31, 2),
                "tensor 'w': dims [4294967296, 2147483648, 2] hold more than 2^63-1 elements");
    }

    @Test
    void dimensionsWhoseByteSizeOverflowsAreRejected() {
        assertRejected(oneTensor("w", F32, 0, 1L << 31, 1L << 31),
                "tensor 'w': dims [2147483648, 2147483648] of F32 take more than 2^63-1 bytes");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 5})
    void aDimensionCountOutside1To4IsRejected(int nDims) {
        assertRejected(oneTensor("w", F32, 0, new long[nDims]), "tensor 'w': n_dims is " + nDims + ", expected 1 to 4");
    }

    @Test
    void aRowThatIsNotAWholeNumberOfBlocksIsRejected() {
        assertRejected(oneTensor("w", GgmlType.Q4_K.id(), 0, 100, 2),
                "tensor 'w': a row of 100 elements is not a multiple of the Q4_K block size 256");
    }

    @Test
    void aDuplicateTensorNameIsRejected() {
        assertRejected(headerWithName(2, 1).tensorInfo("w", F32, 0, 4).tensorInfo("w", F32, 32, 4).alignTo(32).zeros(64),
                "tensor info #1: duplicate tensor name 'w' (first seen as tensor #0)");
    }

    @Test
    void aMisalignedTensorOffsetIsRejected() {
        assertRejected(oneTensor("w", F32, 8, 4), "tensor 'w': data offset 8 is not a multiple of the alignment 32");
    }

    @Test
    void aTensorExtendingPastTheEndOfTheFileIsRejected() {
        GgufBytes b = headerWithName(1, 1).tensorInfo("blk.0.attn_q.weight", F32, 0, 1024, 2).alignTo(32);
        int dataStart = b.size();
        b.zeros(100);
        assertRejected(b, "tensor 'blk.0.attn_q.weight': data [" + dataStart + ", " + (dataStart + 8192)
                + ") extends past the end of the file (" + (dataStart + 100) + " bytes)");
    }

    @Test
    void aTensorOffsetPastTheEndOfTheFileIsRejected() {
        GgufBytes b = headerWithName(1, 1).tensorInfo("w", F32, -32L, 4).alignTo(32);
        int dataStart = b.size();
        b.zeros(16);
        assertRejected(b, "tensor 'w': data offset 18446744073709551584 (data section at " + dataStart
                + ") is past the end of the file (" + (dataStart + 16) + " bytes)");
    }

    @Test
    void overlappingTensorsAreRejected() {
        GgufBytes b = headerWithName(2, 1).tensorInfo("a", F32, 0, 16).tensorInfo("b", F32, 32, 4).alignTo(32);
        int d = b.size();
        b.zeros(64);
        assertRejected(b, "tensor 'b': data [" + (d + 32) + ", " + (d + 48) + ") overlaps tensor 'a' [" + d + ", " + (d + 64) + ")");
    }

    @Test
    void aDataSectionStartingPastTheEndOfTheFileIsRejected() {
        GgufBytes b = headerWithName(1, 1).tensorInfo("w", F32, 0, 4);
        int end = b.size();
        int aligned = (end + 31) / 32 * 32;
        assertRejected(b, "data section starts at offset " + aligned + " (tensor infos end at " + end
                + ", alignment 32), past the end of the file (" + end + " bytes)");
    }

    // --- I/O and robustness ----------------------------------------------------------------------

    @Test
    void aMissingFileIsAGgufExceptionNamingIt() {
        Path missing = dir.resolve("missing.gguf");
        GgufException e = assertThrows(GgufException.class, () -> GgufFile.open(missing));
        assertTrue(e.getMessage().startsWith(missing + ": cannot read: "), e.getMessage());
    }

    @Test
    void aDirectoryIsNotAGgufFile() {
        GgufException e = assertThrows(GgufException.class, () -> GgufFile.open(dir));
        assertEquals(dir + ": is a directory, not a GGUF file", e.getMessage());
    }

    /**
     * Seeded random corruption (flipped bytes, overwritten words, cut files) of a valid file: every
     * outcome is a successful open or a one-line GgufException, never another exception.
     */
    @Test
    void corruptedFilesFailOnlyWithOneLineGgufExceptions() {
        byte[] valid = Sample.build().bytes();
        Random random = new Random(1234);
        Path file = dir.resolve("fuzz.gguf");
        int rejected = 0;
        for (int trial = 0; trial < 1500; trial++) {
            byte[] bytes = valid.clone();
            switch (trial % 3) {
                case 0 -> bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                case 1 -> {
                    int at = random.nextInt(bytes.length - 8);
                    for (int i = 0; i < 8; i++) bytes[at + i] = (byte) random.nextInt(256);
                }
                default -> bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length));
            }
            new GgufBytes().raw(bytes).writeTo(dir, "fuzz.gguf");
            try (GgufFile f = GgufFile.open(file)) {
                f.tensors().forEach(f::data);
                f.metadata().toString();
            } catch (GgufException e) {
                rejected++;
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
                assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
            }
        }
        assertTrue(rejected > 500, "most corruptions are caught: " + rejected);
    }
}
