package dev.squall.cpu;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/** Integer helpers of the int8 path ({@link RowKernel#dotQ8}). */
final class IntDots {

    private IntDots() {}

    /**
     * Adjacent short lanes summed into ints: int lane i = short lanes 2i + 2i+1 (what x86's
     * {@code pmaddwd} does after the multiply; the Vector API has no such operation). In the int
     * view {@code v = hi · 2^16 + lo_u} (lo_u the low lane's bits, unsigned), {@code v + (v << 16)}
     * is {@code (hi + lo) · 2^16 + lo_u} modulo 2^32, so the arithmetic shift right by 16 leaves
     * {@code hi + lo} exactly, as long as that sum fits in a short; each caller's bound says it does.
     * Three operations where sign-extending both halves takes four.
     */
    static IntVector pairs(ShortVector p) {
        IntVector v = p.reinterpretAsInts();
        return v.add(v.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
    }
}
