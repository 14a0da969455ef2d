package dev.squall.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.format.LittleEndian;
import dev.squall.format.Rows;
import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The vectorized 16-bit widenings over every bit pattern, and special values inside a dot product. */
class WideningTest {

    /** All 65536 16-bit patterns in order, as one row. */
    private static MemorySegment everyPattern() {
        MemorySegment row = MemorySegment.ofArray(new byte[2 * 0x10000]);
        for (int bits = 0; bits < 0x10000; bits++) row.set(LittleEndian.SHORT, 2L * bits, (short) bits);
        return row;
    }

    @ParameterizedTest
    @ValueSource(strings = {"F16", "BF16"})
    void vectorDecodeOfEveryPatternEqualsTheOracleBitwise(String name) {
        WeightFormat format = WeightFormats.byName(name);
        MemorySegment row = everyPattern();
        float[] actual = new float[0x10000];
        RowKernels.vector(format).orElseThrow().decode(row, 0, actual, 0, actual.length);
        Rows.assertSameBits(Rows.decoded(format, row, 0, actual.length), actual, name + " decode of pattern");
    }

    private static float f16Dot(short special) {
        MemorySegment row = MemorySegment.ofArray(new byte[2 * 64]);
        for (int i = 0; i < 64; i++) row.set(LittleEndian.SHORT, 2L * i, (short) 0x3C00);   // 1.0
        row.set(LittleEndian.SHORT, 2L * 37, special);
        float[] x = new float[64];
        java.util.Arrays.fill(x, 1f);
        return RowKernels.vector(WeightFormats.F16).orElseThrow().dot(row, 0, x, 0, 64);
    }

    @Test
    void f16DotOfARowWithAnInfiniteWeightIsInfinite() {
        assertEquals(Float.POSITIVE_INFINITY, f16Dot((short) 0x7C00));
        assertEquals(Float.NEGATIVE_INFINITY, f16Dot((short) 0xFC00));
    }

    @Test
    void f16DotOfARowWithANaNWeightIsNaN() {
        assertTrue(Float.isNaN(f16Dot((short) 0x7C01)));
    }

    @Test
    void f16DotWidensASubnormalWeightExactly() {
        // The smallest subnormal half, 2^-24, times 2^24 is exactly 1 only if it was widened exactly.
        MemorySegment row = MemorySegment.ofArray(new byte[2 * 16]);
        row.set(LittleEndian.SHORT, 0, (short) 0x0001);
        float[] x = new float[16];
        x[0] = 0x1p24f;
        assertEquals(1f, RowKernels.vector(WeightFormats.F16).orElseThrow().dot(row, 0, x, 0, 16));
    }
}
