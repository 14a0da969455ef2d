package dev.squall.format;

import org.junit.jupiter.api.Test;

class F32Test {

    @Test
    void encodeThenDecodeKeepsEveryBitAtAnOddOffset() {
        float[] values = {1.5f, -0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NEGATIVE_INFINITY,
                Float.intBitsToFloat(0x7FC0_1234), Float.intBitsToFloat(0xFFC0_0001)};
        var segment = Rows.encoded(F32.INSTANCE, values, 3);
        Rows.assertSameBits(values, Rows.decoded(F32.INSTANCE, segment, 3, values.length), "decoded");
    }

    @Test
    void storesLittleEndian() {
        var segment = Rows.bytes(0x00, 0x00, 0xC0, 0x3F);   // 0x3FC00000 = 1.5f
        Rows.assertSameBits(new float[] {1.5f}, Rows.decoded(F32.INSTANCE, segment, 0, 1), "decoded");
    }
}
