package dev.squall.backend.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.format.BF16;
import dev.squall.format.F16;
import dev.squall.format.Rows;
import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.tensor.WeightTensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class DeviceWeightTest {

    static java.util.List<WeightFormat> formats() { return WeightFormats.all(); }

    /** Three rows of 512 seeded values (a multiple of every block size) encoded in {@code f}. */
    private static WeightTensor tensor(WeightFormat f, long seed) {
        int rows = 3, k = 512;
        MemorySegment data = Arena.ofAuto().allocate(f.rowBytes(k) * rows);
        for (int r = 0; r < rows; r++) f.encode(Rows.gaussian(seed + r, k, 0.5), 0, k, data, r * f.rowBytes(k));
        return new WeightTensor("blk.0.w", f, new long[] {k, rows}, data);
    }

    @ParameterizedTest
    @MethodSource("formats")
    void packedLayoutDecodesToTheOracleBitForBit(WeightFormat f) {
        WeightTensor w = tensor(f, f.name().hashCode());
        DeviceWeight d = DeviceWeight.of(w);
        Arena arena = Arena.ofAuto();
        MemorySegment values = arena.allocate(d.deviceBytes());
        MemorySegment scales = d.scaleCount() == 0 ? null : arena.allocate(4L * d.scaleCount());
        MemorySegment mins = d.hasMins() ? arena.allocate(4L * d.scaleCount()) : null;
        d.pack(w, values, scales, mins);
        float[] exponents = d.layout().halves() ? d.layout().exponentScales() : null;
        for (int r = 0; r < w.rows(); r++) {
            float[] expected = Rows.decoded(f, w.data(), w.rowOffset(r), w.columns());
            float[] actual = new float[w.columns()];
            for (int i = 0; i < actual.length; i++) actual[i] = d.decode(values, scales, mins, exponents, r, i);
            Rows.assertSameBits(expected, actual, f.name() + " row " + r);
        }
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
    }

    @Test
    void packingChecksTheTensor() {
        WeightTensor w = tensor(WeightFormats.Q8_0, 8);
        DeviceWeight other = DeviceWeight.of(tensor(WeightFormats.Q4_0, 9));
        assertThrows(IllegalArgumentException.class, () -> other.pack(w, null, null, null));
    }
}
