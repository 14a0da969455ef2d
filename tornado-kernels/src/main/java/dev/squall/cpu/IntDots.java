package dev.squall.cpu;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/** Integer helpers of the int8 path ({@link RowKernel#dotQ8}). */
final class IntDots {

    private IntDots() {}

    /**
     * Adjacent short lanes summed into ints: int lane i = short lanes 2i + 2i+1, sign-extended
     * (what x86's {@code pmaddwd} does after the multiply; the Vector API has no such operation,
     * so the int view of the shorts is split by shifts).
     */
    static IntVector pairs(ShortVector p) {
        IntVector v = p.reinterpretAsInts();
        return v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.ASHR, 16));
    }
}
