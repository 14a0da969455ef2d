package dev.squall.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Widening of 16-bit floats held in a {@link ShortVector} of {@link Lanes#S} into a
 * {@link FloatVector} of {@link Lanes#F}, lane for lane, with integer arithmetic (the Vector API
 * has no half-precision conversion).
 */
public final class HalfVectors {

    private HalfVectors() {}

    /**
     * binary16 to binary32, value for value: exact for every finite half, infinities stay
     * infinities, a NaN stays a NaN (but a signalling one is not made quiet: {@link #toFloatBits}).
     *
     * <p>Why it is exact: the 15 magnitude bits {@code eeeeemmmmmmmmmm} shifted left by 13 land
     * the half's exponent and fraction in the float's fields, which read as a float equal to the
     * half times 2^(15-127) = 2^-112; that holds for subnormal halves too (they become float
     * subnormals with the same fraction), and multiplying by 2^112 is exact (a power of two, no
     * overflow, result normal or zero). Exponent 31 (infinity, NaN) lands at float exponent
     * 31 - 15 + 127 = 143 with the fraction intact, so OR-ing the exponent field full (255) in
     * those lanes gives infinity or a NaN with the same payload. The sign is OR-ed back last: the
     * short-to-int widening sign-extends, so bit 31 is the half's sign.
     */
    public static FloatVector toFloat(ShortVector half) {
        IntVector bits = (IntVector) half.convertShape(VectorOperators.S2I, Lanes.I, 0);
        IntVector magnitude = bits.and(0x7FFF);
        IntVector scaled = magnitude.lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        VectorMask<Integer> infOrNaN = magnitude.compare(VectorOperators.GE, 0x7C00);
        return scaled.lanewise(VectorOperators.OR, 0x7F80_0000, infOrNaN)
                .or(bits.and(0x8000_0000))
                .reinterpretAsFloats();
    }

    /**
     * binary16 to binary32 bit for bit as {@link Float#float16ToFloat}: {@link #toFloat} with the
     * quiet bit (22) set in NaN lanes, as the JDK's conversion (and F16C's) sets it.
     */
    static FloatVector toFloatBits(ShortVector half) {
        IntVector bits = (IntVector) half.convertShape(VectorOperators.S2I, Lanes.I, 0);
        VectorMask<Integer> nan = bits.and(0x7FFF).compare(VectorOperators.GT, 0x7C00);
        return toFloat(half).reinterpretAsInts().lanewise(VectorOperators.OR, 0x0040_0000, nan).reinterpretAsFloats();
    }

    /** bfloat16 to binary32: the 16 bits become the upper half of the float (exact, NaN bits kept). */
    static FloatVector bf16ToFloat(ShortVector bf16) {
        IntVector bits = (IntVector) bf16.convertShape(VectorOperators.S2I, Lanes.I, 0);
        return bits.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }
}
