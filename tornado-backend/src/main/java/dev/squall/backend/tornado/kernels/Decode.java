package dev.squall.backend.tornado.kernels;

import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * Element decoders of the device layouts ({@link dev.squall.backend.device.DeviceLayout}), called
 * from kernels and inlined by TornadoVM: integer arithmetic, table look-ups and float multiplies
 * only (no half or FP8 types, no bit reinterpretation), the same
 * steps as {@link dev.squall.backend.device.DeviceWeight#decode} (checked bit for bit against the
 * formats' oracles by the embed cases of the validation suite).
 */
public final class Decode {

    private Decode() {}

    /** IEEE binary16 element {@code e} of {@code w}; {@code exponents} is the F16 exponent table. */
    public static float f16(ShortArray w, int e, FloatArray exponents) {
        int b = w.get(e) & 0xFFFF;
        int fraction = b & 0x3FF;
        int exponent = (b >> 10) & 0x1F;
        float v = ((exponent == 0 ? fraction : fraction | 0x400) * 0.0009765625f) * exponents.get(exponent);
        if (exponent == 31 && fraction != 0) v = v * 0f;
        return (b & 0x8000) != 0 ? -v : v;
    }

    /** bfloat16 element {@code e} of {@code w}; {@code exponents} is the BF16 exponent table. */
    public static float bf16(ShortArray w, int e, FloatArray exponents) {
        int b = w.get(e) & 0xFFFF;
        int fraction = b & 0x7F;
        int exponent = (b >> 7) & 0xFF;
        float v = ((exponent == 0 ? fraction : fraction | 0x80) * 0.0078125f) * exponents.get(exponent);
        if (exponent == 255 && fraction != 0) v = v * 0f;
        return (b & 0x8000) != 0 ? -v : v;
    }

    /** Element {@code e} of an int8 layout with one scale per {@code 2^groupShift} elements (a shift: vector units divide integers slowly). */
    public static float int8(ByteArray q, FloatArray scales, int e, int groupShift) {
        return scales.get(e >> groupShift) * q.get(e);
    }

    /** The 4-bit code of element {@code e} in ggml's Q4_0 order (byte j of a 32-group: element j low, j + 16 high). */
    public static int nibble(ByteArray q, int e) {
        int j = e & 31;
        int b = q.get((e >> 5) * 16 + (j & 15)) & 0xFF;
        return j < 16 ? b & 0xF : b >> 4;
    }

    /** Q4_0 element {@code e}: {@code (nibble − 8) · scale}. */
    public static float q4_0(ByteArray q, FloatArray scales, int e) {
        return (nibble(q, e) - 8) * scales.get(e >> 5);
    }

    /**
     * The 4-bit code of element {@code e} in ggml's order for groups of {@code G = 2^groupShift}
     * elements (32 for MXFP4, 16 for NVFP4): byte j of a group's G/2 bytes holds element j low,
     * j + G/2 high.
     */
    public static int nibble(ByteArray q, int e, int groupShift) {
        int half = 1 << (groupShift - 1);
        int j = e & ((half << 1) - 1);
        int b = q.get(((e >> groupShift) << (groupShift - 1)) + (j & (half - 1))) & 0xFF;
        return j < half ? b & 0xF : b >> 4;
    }

    /** TABLE4_GROUPS element {@code e}: {@code table[code] · scale}, the code's value times its group's scale (the oracle's one product). */
    public static float table4(ByteArray q, FloatArray table, FloatArray scales, int e, int groupShift) {
        return table.get(nibble(q, e, groupShift)) * scales.get(e >> groupShift);
    }

    /** TABLE8_GROUPS element {@code e}: {@code table[code] · scale}. */
    public static float table8(ByteArray q, FloatArray table, FloatArray scales, int e, int groupShift) {
        return table.get(q.get(e) & 0xFF) * scales.get(e >> groupShift);
    }

    /** The value of the 8-bit code of element {@code e} (TABLE8_ROWS: times the row's scale by the caller). */
    public static float code8(ByteArray q, FloatArray table, int e) {
        return table.get(q.get(e) & 0xFF);
    }

    /** Q4_AFFINE element {@code e}: {@code scale · nibble − min}. */
    public static float q4Affine(ByteArray q, FloatArray scales, FloatArray mins, int e) {
        return scales.get(e >> 5) * nibble(q, e) - mins.get(e >> 5);
    }
}
