package dev.squall.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class RowKernelsTest {

    static final List<WeightFormat> FORMATS = WeightFormats.all();

    @AfterEach
    void clearProperty() {
        System.clearProperty(RowKernels.PROPERTY);
    }

    @ParameterizedTest
    @FieldSource("FORMATS")
    void everyFormatGetsItsVectorKernelByDefault(WeightFormat format) {
        assumeTrue(format.blockElements() == 1 || Lanes.QUANTIZED, "float vectors narrower than 8 lanes");
        RowKernel kernel = RowKernels.forFormat(format);
        assertSame(RowKernels.vector(format).orElseThrow(), kernel);
        assertEquals(format.name() + "RowKernel", kernel.getClass().getSimpleName());
    }

    @ParameterizedTest
    @FieldSource("FORMATS")
    void theScalarPropertyGivesEveryFormatTheScalarKernel(WeightFormat format) {
        System.setProperty(RowKernels.PROPERTY, "scalar");
        assertInstanceOf(ScalarRowKernel.class, RowKernels.forFormat(format));
    }

    @ParameterizedTest
    @FieldSource("FORMATS")
    void everyKernelRejectsAPartialBlockNamingTheFormat(WeightFormat format) {
        assumeTrue(format.blockElements() > 1, "every length is whole blocks");
        assumeTrue(Lanes.QUANTIZED, "float vectors narrower than 8 lanes");
        int n = format.blockElements() + 16;
        MemorySegment row = MemorySegment.ofArray(new byte[(int) format.rowBytes(2 * format.blockElements())]);
        for (RowKernel kernel : List.of(RowKernels.vector(format).orElseThrow(), RowKernels.scalar(format))) {
            var e = assertThrows(IllegalArgumentException.class, () -> kernel.dot(row, 0, new float[n], 0, n));
            assertTrue(e.getMessage().contains(format.name()), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> kernel.decode(row, 0, new float[n], 0, n));
        }
    }

    @Test
    void anUnknownPropertyValueIsRejectedNamingIt() {
        System.setProperty(RowKernels.PROPERTY, "simd");
        var e = assertThrows(IllegalArgumentException.class, () -> RowKernels.forFormat(WeightFormats.F32));
        assertTrue(e.getMessage().contains("squall.kernels=simd"), e.getMessage());
    }

    /** A format with no vector kernel: one signed byte per element, value = byte / 2. */
    private static final class HalfBytes implements WeightFormat {
        @Override public String name() { return "HALF_BYTES"; }
        @Override public int ggmlType() { return -1; }
        @Override public int blockElements() { return 1; }
        @Override public int blockBytes() { return 1; }
        @Override public void decode(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
            for (int i = 0; i < n; i++) dst[dstOffset + i] = src.get(ValueLayout.JAVA_BYTE, offset + i) / 2f;
        }
        @Override public void encode(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void aFormatWithoutAVectorKernelGetsTheScalarKernel() {
        WeightFormat format = new HalfBytes();
        assertEquals(Optional.empty(), RowKernels.vector(format));
        RowKernel kernel = RowKernels.forFormat(format);
        MemorySegment row = MemorySegment.ofArray(new byte[300]);
        for (int i = 0; i < 300; i++) row.set(ValueLayout.JAVA_BYTE, i, (byte) (i % 5 - 2));
        float[] x = new float[300];
        java.util.Arrays.fill(x, 2f);
        // Σ (i % 5 - 2) / 2 * 2 over 300 elements = 60 * (-2 - 1 + 0 + 1 + 2) = 0
        assertEquals(0f, kernel.dot(row, 0, x, 0, 300));
    }
}
