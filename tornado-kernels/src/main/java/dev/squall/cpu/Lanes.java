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

    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.length() * 16));

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
     * The same sum over lanes already stored at {@code lanes[offset ..]}, folded in place (the
     * lanes are overwritten): folding in scalar code
     * gives the same bits ({@code a + b == b + a} in IEEE arithmetic, and each step adds the same
     * pairs). Hot kernels store their accumulators ({@code intoArray}) and fold here, which keeps
     * the fold out of the kernel's compilation: inlining the vector fold pushed them past the JIT's
     * node limit, and every vector got boxed.
     */
    public static float sum(float[] lanes, int offset) {
        for (int half = F.length() / 2; half >= 1; half /= 2) {
            for (int i = offset; i < offset + half; i++) lanes[i] = lanes[i] + lanes[i + half];
        }
        return lanes[offset];
    }
}
