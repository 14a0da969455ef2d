package dev.squall.format;

import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/** Test fixtures shared by the format and kernel tests: seeded rows, rows in segments, bitwise comparison. */
public final class Rows {

    private Rows() {}

    /** {@code n} normal values of standard deviation {@code sigma}, from {@code seed}. */
    public static float[] gaussian(long seed, int n, double sigma) {
        Random random = new Random(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) values[i] = (float) (random.nextGaussian() * sigma);
        return values;
    }

    /** {@code size} random bytes from {@code seed}: every bit pattern a block can hold, NaN scales included. */
    public static MemorySegment randomBytes(long seed, long size) {
        byte[] bytes = new byte[Math.toIntExact(size)];
        new Random(seed).nextBytes(bytes);
        return MemorySegment.ofArray(bytes);
    }

    /** A segment holding {@code bytes} (each an unsigned byte value written as an int, e.g. {@code 0xFF}). */
    public static MemorySegment bytes(int... bytes) {
        MemorySegment segment = MemorySegment.ofArray(new byte[bytes.length]);
        for (int i = 0; i < bytes.length; i++) segment.set(ValueLayout.JAVA_BYTE, i, (byte) bytes[i]);
        return segment;
    }

    /** {@code values} encoded in {@code format} at byte {@code offset} of a fresh segment, {@code offset} bytes of slack after. */
    public static MemorySegment encoded(WeightFormat format, float[] values, long offset) {
        MemorySegment segment = MemorySegment.ofArray(new byte[Math.toIntExact(2 * offset + format.rowBytes(values.length))]);
        format.encode(values, 0, values.length, segment, offset);
        return segment;
    }

    /** The oracle's decoding of {@code n} elements at byte {@code offset}. */
    public static float[] decoded(WeightFormat format, MemorySegment segment, long offset, int n) {
        float[] values = new float[n];
        format.decode(segment, offset, values, 0, n);
        return values;
    }

    /** Fails naming the first element whose bits differ (NaN payloads and signed zeros count). */
    public static void assertSameBits(float[] expected, float[] actual, String what) {
        if (expected.length != actual.length) fail(what + ": length " + actual.length + ", expected " + expected.length);
        for (int i = 0; i < expected.length; i++) {
            int e = Float.floatToRawIntBits(expected[i]), a = Float.floatToRawIntBits(actual[i]);
            if (e != a) {
                fail(String.format("%s[%d] = %s (0x%08x), expected %s (0x%08x)", what, i, actual[i], a, expected[i], e));
            }
        }
    }
}
