package dev.squall.cpu;

import dev.squall.format.WeightFormat;

/** Block counting shared by the quantized kernels. */
final class Blocks {

    private Blocks() {}

    /**
     * The number of blocks in {@code n} elements; a partial block is rejected by the format
     * ({@link WeightFormat#rowBytes}) rather than silently dropped. The check costs nothing in the
     * loops: the throwing path is never taken, so the JIT does not even compile it.
     */
    static int whole(WeightFormat format, int n) {
        return (int) (format.rowBytes(n) / format.blockBytes());
    }
}
