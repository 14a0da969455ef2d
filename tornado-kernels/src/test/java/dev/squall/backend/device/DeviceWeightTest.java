package dev.squall.backend.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.squall.format.BF16;
import dev.squall.format.F16;
import dev.squall.format.FP8;
import dev.squall.format.LittleEndian;
import dev.squall.format.MXFP8;
import dev.squall.format.Minifloat;
import dev.squall.format.NVFP4;
import dev.squall.format.Rows;
import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.tensor.WeightTensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class DeviceWeightTest {

    /** Every format, and NVFP4 with a tensor scale that is not a power of two (every product rounds). */
    static List<WeightFormat> formats() {
        return Stream.concat(WeightFormats.all().stream(), Stream.of(NVFP4.withTensorScale(0.3f))).toList();
    }

    /** Three rows of 512 seeded values (a multiple of every block size) encoded in {@code f}. */
    private static WeightTensor tensor(WeightFormat f, long seed) {
        int rows = 3, k = 512;
        MemorySegment data = Arena.ofAuto().allocate(f.rowBytes(k) * rows);
        for (int r = 0; r < rows; r++) f.encode(Rows.gaussian(seed + r, k, 0.5), 0, k, data, r * f.rowBytes(k));
        return new WeightTensor("blk.0.w", f, new long[] {k, rows}, data);
    }

    /** Every row of {@code w} as the device layout decodes it after packing. */
    private static float[][] packedAndDecoded(WeightTensor w) {
        DeviceWeight d = DeviceWeight.of(w);
        Arena arena = Arena.ofAuto();
        MemorySegment values = arena.allocate(d.deviceBytes());
        MemorySegment scales = d.scaleCount() == 0 ? null : arena.allocate(4L * d.scaleCount());
        MemorySegment mins = d.hasMins() ? arena.allocate(4L * d.scaleCount()) : null;
        d.pack(w, values, scales, mins);
        float[] table = d.table();
        float[][] rows = new float[w.rows()][w.columns()];
        for (int r = 0; r < w.rows(); r++) {
            for (int i = 0; i < w.columns(); i++) rows[r][i] = d.decode(values, scales, mins, table, r, i);
        }
        return rows;
    }

    @ParameterizedTest
    @MethodSource("formats")
    void packedLayoutDecodesToTheOracleBitForBit(WeightFormat f) {
        WeightTensor w = tensor(f, f.name().hashCode());
        float[][] actual = packedAndDecoded(w);
        for (int r = 0; r < w.rows(); r++) {
            float[] expected = Rows.decoded(f, w.data(), w.rowOffset(r), w.columns());
            Rows.assertSameBits(expected, actual[r], f + " row " + r);
        }
    }

    // ---------------------------------------------------------------- FP4 and FP8: every code, every scale

    /** A tensor of {@code rows} rows of {@code k} elements over raw bytes. */
    private static WeightTensor raw(WeightFormat f, int rows, int k, MemorySegment data) {
        return new WeightTensor("blk.0.w", f, new long[] {k, rows}, data);
    }

    /** Fails naming the first element that differs from the oracle: bits for numbers, any NaN for a NaN. */
    private static void assertDecodesLikeTheOracle(WeightTensor w) {
        float[][] actual = packedAndDecoded(w);
        for (int r = 0; r < w.rows(); r++) {
            float[] expected = Rows.decoded(w.format(), w.data(), w.rowOffset(r), w.columns());
            for (int i = 0; i < expected.length; i++) {
                float e = expected[i], a = actual[r][i];
                if (Float.isNaN(e) && Float.isNaN(a) || Float.floatToRawIntBits(e) == Float.floatToRawIntBits(a)) continue;
                fail(String.format("%s row %d [%d] = %s (0x%08x), expected %s (0x%08x)", w.format(), r, i, a,
                        Float.floatToRawIntBits(a), e, Float.floatToRawIntBits(e)));
            }
        }
    }

    @Test
    void mxfp4DecodesEveryCodeUnderEveryScale() {
        // block b: scale byte b; byte j holds code j (low nibble) and 15 − j (high nibble)
        MemorySegment data = Arena.ofAuto().allocate(256L * 17);
        for (int b = 0; b < 256; b++) {
            data.set(ValueLayout.JAVA_BYTE, 17L * b, (byte) b);
            for (int j = 0; j < 16; j++) data.set(ValueLayout.JAVA_BYTE, 17L * b + 1 + j, (byte) (j | (15 - j) << 4));
        }
        assertDecodesLikeTheOracle(raw(WeightFormats.MXFP4, 8, 1024, data));
    }

    @Test
    void nvfp4DecodesEveryCodeUnderEveryScaleByteAndATensorScale() {
        // sub-block s of the tensor: scale byte s (bit 7 set in half of them); its byte j holds codes j and j + 8
        MemorySegment data = Arena.ofAuto().allocate(64L * 36);
        for (int b = 0; b < 64; b++) {
            for (int s = 0; s < 4; s++) {
                data.set(ValueLayout.JAVA_BYTE, 36L * b + s, (byte) (4 * b + s));
                for (int j = 0; j < 8; j++) data.set(ValueLayout.JAVA_BYTE, 36L * b + 4 + 8 * s + j, (byte) (j | (j + 8) << 4));
            }
        }
        for (float tensorScale : new float[] {1f, 0.3f, 1e-3f}) {
            assertDecodesLikeTheOracle(raw(NVFP4.withTensorScale(tensorScale), 4, 1024, data));
        }
    }

    @ParameterizedTest
    @MethodSource("mxfp8")
    void mxfp8DecodesEveryCodeUnderEveryScale(WeightFormat f) {
        // block b: scale byte b / 8, codes 32·(b % 8) .. 32·(b % 8) + 31
        MemorySegment data = Arena.ofAuto().allocate(2048L * 33);
        for (int b = 0; b < 2048; b++) {
            data.set(ValueLayout.JAVA_BYTE, 33L * b, (byte) (b / 8));
            for (int j = 0; j < 32; j++) data.set(ValueLayout.JAVA_BYTE, 33L * b + 1 + j, (byte) (32 * (b % 8) + j));
        }
        assertDecodesLikeTheOracle(raw(f, 64, 1024, data));
    }

    static List<WeightFormat> mxfp8() { return List.of(MXFP8.E4M3, MXFP8.E5M2); }

    static List<WeightFormat> fp8() { return List.of(FP8.E4M3, FP8.E5M2); }

    @ParameterizedTest
    @MethodSource("fp8")
    void fp8DecodesEveryCodeUnderRowScalesOfAnyLength(WeightFormat f) {
        float[] scales = {0f, 1f, 1f / 3, -2.5f, 448f, Float.MIN_VALUE, Float.NaN, Float.POSITIVE_INFINITY};
        int k = 259;   // every code, and rows that are no multiple of anything
        MemorySegment data = Arena.ofAuto().allocate(f.rowBytes(k) * scales.length);
        for (int r = 0; r < scales.length; r++) {
            long row = r * f.rowBytes(k);
            data.set(LittleEndian.FLOAT, row, scales[r]);
            for (int i = 0; i < k; i++) data.set(ValueLayout.JAVA_BYTE, row + FP8.SCALE_BYTES + i, (byte) (i + 17 * r));
        }
        DeviceWeight d = DeviceWeight.of(raw(f, scales.length, k, data));
        assertEquals(k, d.group(), "one scale per row");
        assertEquals(scales.length, d.scaleCount());
        assertDecodesLikeTheOracle(raw(f, scales.length, k, data));
    }

    @Test
    void codeTablesHoldEveryCodesValue() {
        for (WeightFormat f : List.of(WeightFormats.MXFP4, WeightFormats.NVFP4, MXFP8.E4M3, MXFP8.E5M2, FP8.E4M3, FP8.E5M2)) {
            DeviceWeight d = DeviceWeight.of(tensor(f, 10));
            Minifloat element = DeviceLayout.element(f);
            float[] table = d.table();
            assertEquals(1 << element.bits(), table.length, f + " table size");
            assertEquals(d.layout().tableSize(), table.length, f + " layout's table size");
            for (int code = 0; code < table.length; code++) {
                float expected = element.decode(code);
                if (Float.isNaN(expected)) assertTrue(Float.isNaN(table[code]), f + " code 0x" + Integer.toHexString(code) + " is a NaN");
                else assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(table[code]), f + " code 0x" + Integer.toHexString(code));
            }
        }
    }

    @Test
    void fp4AndFp8FormatsPickTheirTableLayouts() {
        assertEquals(DeviceLayout.TABLE4_GROUPS, DeviceWeight.of(tensor(WeightFormats.MXFP4, 11)).layout());
        assertEquals(32, DeviceWeight.of(tensor(WeightFormats.MXFP4, 11)).group());
        DeviceWeight nv = DeviceWeight.of(tensor(NVFP4.withTensorScale(0.3f), 12));
        assertEquals(DeviceLayout.TABLE4_GROUPS, nv.layout());
        assertEquals(16, nv.group(), "NVFP4 keeps one scale per 16-element sub-block");
        assertEquals(DeviceLayout.TABLE8_GROUPS, DeviceWeight.of(tensor(MXFP8.E5M2, 13)).layout());
        assertEquals(DeviceLayout.TABLE8_ROWS, DeviceWeight.of(tensor(FP8.E4M3, 14)).layout());
    }

    @Test
    void kQuantsRepackWithoutLoss() {
        assertEquals(DeviceLayout.Q4_AFFINE, DeviceWeight.of(tensor(WeightFormats.Q4_K, 1)).layout());
        DeviceWeight q6 = DeviceWeight.of(tensor(WeightFormats.Q6_K, 2));
        assertEquals(DeviceLayout.INT8_GROUPS, q6.layout());
        assertEquals(16, q6.group(), "Q6_K keeps one scale per 16 elements");
        assertEquals(32, DeviceWeight.of(tensor(WeightFormats.Q8_0, 3)).group());
    }

    @Test
    void everyHalfPatternDecodesExactly() {
        float[] exponents = DeviceLayout.F16.exponentScales();
        for (int bits = 0; bits < 1 << 16; bits++) {
            float expected = F16.toFloat((short) bits), actual = DeviceWeight.decodeHalf((short) bits, exponents, 10);
            if (Float.isNaN(expected)) assertTrue(Float.isNaN(actual), "F16 0x" + Integer.toHexString(bits) + " is a NaN");
            else assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual), "F16 0x" + Integer.toHexString(bits));
        }
    }

    @Test
    void everyBfloat16PatternDecodesExactly() {
        float[] exponents = DeviceLayout.BF16.exponentScales();
        for (int bits = 0; bits < 1 << 16; bits++) {
            float expected = BF16.toFloat((short) bits), actual = DeviceWeight.decodeHalf((short) bits, exponents, 7);
            if (Float.isNaN(expected)) assertTrue(Float.isNaN(actual), "BF16 0x" + Integer.toHexString(bits) + " is a NaN");
            else assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual), "BF16 0x" + Integer.toHexString(bits));
        }
    }

    @Test
    void exponentTablesHoldOnlyNormalFloats() {
        for (DeviceLayout l : new DeviceLayout[] {DeviceLayout.F16, DeviceLayout.BF16}) {
            for (float s : l.exponentScales()) assertTrue(s >= Float.MIN_NORMAL, l + " table entry " + s + " is subnormal");
        }
    }

    @Test
    void deviceBytesCountEveryArray() {
        assertEquals(3 * 512 * 4, DeviceWeight.of(tensor(WeightFormats.F32, 4)).deviceBytes());
        assertEquals(3 * 512 * 2, DeviceWeight.of(tensor(WeightFormats.BF16, 5)).deviceBytes());
        assertEquals(3 * 512 + 4 * 3 * 16, DeviceWeight.of(tensor(WeightFormats.Q8_0, 6)).deviceBytes());
        assertEquals(3 * 256 + 2 * 4 * 3 * 16, DeviceWeight.of(tensor(WeightFormats.Q4_K, 7)).deviceBytes());
        assertEquals(3 * 256 + 4 * 3 * 16, DeviceWeight.of(tensor(WeightFormats.MXFP4, 7)).deviceBytes());
        assertEquals(3 * 256 + 4 * 3 * 32, DeviceWeight.of(tensor(WeightFormats.NVFP4, 7)).deviceBytes());
        assertEquals(3 * 512 + 4 * 3, DeviceWeight.of(tensor(WeightFormats.FP8_E5M2, 7)).deviceBytes());
    }

    @Test
    void packingChecksTheTensor() {
        WeightTensor w = tensor(WeightFormats.Q8_0, 8);
        DeviceWeight other = DeviceWeight.of(tensor(WeightFormats.Q4_0, 9));
        assertThrows(IllegalArgumentException.class, () -> other.pack(w, null, null, null));
    }
}
