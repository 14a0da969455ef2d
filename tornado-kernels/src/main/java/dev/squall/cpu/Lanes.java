package dev.squall.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species every kernel uses, chosen once from the machine's preferred shape.
 *
 * <p>Floats use the preferred shape, capped at 512 bits so that a vector never spans more than a
 * 32-element Q8_0/Q4_0 block (or a 16-element Q6_K sub-block, whose scale must be one per vector).
 * Shorts (F16, BF16) and bytes (quantized codes) are loaded with as many lanes as a float vector,
 * so one load widens into exactly one float vector: 16 lanes on AVX-512 (256-bit shorts, 128-bit
 * bytes), 8 on AVX2.
 *
 * <p>{@link #sum} is the one horizontal sum with a fixed order: lane i is added to lane i + L/2,
 * then the halves again, down to one lane. {@code reduceLanes(ADD)} leaves the order to the
 * implementation, which may differ between the interpreter and compiled code; this one gives the
 * same bits everywhere, which keeps batched and single-token results identical.
 */
public final class Lanes {

    private Lanes() {}

    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.vectorBitSize() > 512
            ? FloatVector.SPECIES_512 : FloatVector.SPECIES_PREFERRED;

    static final VectorSpecies<Integer> I = F.withLanes(int.class);

    public static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.length() * 16));

    /**
     * Whether the quantized kernels can run: they need a byte vector with as many lanes as a float
     * vector, and Java has no byte vector below 64 bits (8 lanes), so 128-bit float vectors
     * (4 lanes) get the scalar kernels instead.
     */
    static final boolean QUANTIZED = F.length() >= 8;

    /** Bytes with {@link #F}'s lane count; only meaningful when {@link #QUANTIZED}. */
    static final VectorSpecies<Byte> B = QUANTIZED
            ? VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8)) : null;

    /**
     * Σ of the {@link #F}-many lanes stored at {@code l[o ..]} (by {@code intoArray}), in the fixed
     * order: lane i plus lane i + L/2, then the halves again, down to one (the lanes may be
     * overwritten). Kernels store their accumulators and fold here in scalar code: a fold in
     * registers, inlined into a kernel, pushed it past the JIT's node limit and boxed every vector.
     * Written out for 16 lanes (AVX-512); the loop form cost a quarter of a quantized
     * matrix-vector product.
     */
    public static float sum(float[] l, int o) {
        if (F.length() == 16) {
            float a0 = l[o] + l[o + 8], a1 = l[o + 1] + l[o + 9], a2 = l[o + 2] + l[o + 10], a3 = l[o + 3] + l[o + 11];
            float a4 = l[o + 4] + l[o + 12], a5 = l[o + 5] + l[o + 13], a6 = l[o + 6] + l[o + 14], a7 = l[o + 7] + l[o + 15];
            float b0 = a0 + a4, b1 = a1 + a5, b2 = a2 + a6, b3 = a3 + a7;
            return (b0 + b2) + (b1 + b3);
        }
        for (int half = F.length() / 2; half >= 1; half /= 2) {
            for (int i = o; i < o + half; i++) l[i] = l[i] + l[i + half];
        }
        return l[o];
    }
}
