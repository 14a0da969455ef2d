package dev.squall.ops;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * exp for float lanes built from basic IEEE operations only, with a scalar twin that performs the
 * very same operations.
 *
 * <p>Why not {@code lanewise(EXP)}: the JIT compiles it to a vendor math library while the
 * interpreter falls back to {@code Math.exp} per lane, so the same input can give different bits
 * before and after a method is compiled. Every step here (fma, multiply, add, shifts) is exactly
 * rounded in both, so a forward pass gives the same bits at every tier, and vector lanes equal the
 * scalar tail.
 *
 * <p>Method: x = n·ln2 + r with n = round(x/ln2) and r in [-ln2/2, ln2/2] (Cody–Waite, ln2 split in
 * two), e^r by a degree-6 polynomial (Taylor coefficients; relative error below 2e-7 on that
 * interval), times 2^n built in the exponent bits. Inputs below -87.3 give 0, above 88 give +∞ (e^88 ≈ 1.7e38).
 */
public final class VectorMath {

    private VectorMath() {}

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693145751953125f;     // 0x3f317200: few mantissa bits, n·LN2_HI is exact
    private static final float LN2_LO = 1.42860682030941723212e-6f;
    private static final float MAX_IN = 88f;            // keeps n ≤ 127 so 2^n is a normal float
    private static final float MIN_IN = -87.33654f;
    private static final float C2 = 1f / 2, C3 = 1f / 6, C4 = 1f / 24, C5 = 1f / 120, C6 = 1f / 720;

    /** e^x for every lane. */
    public static FloatVector exp(FloatVector x) {
        var species = x.species();
        FloatVector clamped = x.max(MIN_IN).min(MAX_IN);
        FloatVector n = roundToInt(clamped.mul(LOG2E));
        FloatVector r = n.fma(FloatVector.broadcast(species, -LN2_HI), clamped);
        r = n.fma(FloatVector.broadcast(species, -LN2_LO), r);
        FloatVector p = r.fma(FloatVector.broadcast(species, C6), FloatVector.broadcast(species, C5));
        p = p.fma(r, FloatVector.broadcast(species, C4));
        p = p.fma(r, FloatVector.broadcast(species, C3));
        p = p.fma(r, FloatVector.broadcast(species, C2));
        p = p.fma(r, FloatVector.broadcast(species, 1f));
        p = p.fma(r, FloatVector.broadcast(species, 1f));
        IntVector bits = ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        FloatVector scale = bits.reinterpretAsFloats();
        FloatVector result = p.mul(scale);
        // blends with vectors, not scalars: blend(float, mask) is not intrinsified once this is inlined into a loop
        result = result.blend(FloatVector.zero(species), x.compare(VectorOperators.LT, MIN_IN));
        return result.blend(FloatVector.broadcast(species, Float.POSITIVE_INFINITY), x.compare(VectorOperators.GT, MAX_IN));
    }

    /** e^x, bit-identical to a lane of {@link #exp(FloatVector)}. */
    public static float exp(float x) {
        if (x < MIN_IN) return 0f;
        if (x > MAX_IN) return Float.POSITIVE_INFINITY;
        if (Float.isNaN(x)) return Float.NaN;
        float n = roundToInt(x * LOG2E);
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, C6, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        return p * Float.intBitsToFloat(((int) n + 127) << 23);
    }

    // Round half to even through the 1.5·2^23 trick: exact for |v| < 2^22, which covers the
    // clamped range (|x·log2 e| < 129).
    private static final float ROUNDER = 12582912f;

    private static FloatVector roundToInt(FloatVector v) {
        return v.add(ROUNDER).sub(ROUNDER);
    }

    private static float roundToInt(float v) {
        return (v + ROUNDER) - ROUNDER;
    }
}
