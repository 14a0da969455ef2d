package dev.squall.cpu;

import dev.squall.format.E8M0;
import dev.squall.format.MXFP8;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;

/**
 * MXFP8 E5M2 rows: {@code n / 32} blocks of {@code {uint8 e; uint8 q[32]}} (33 bytes) at byte
 * {@code offset} ({@link MXFP8}).
 *
 * <p>Per block, the codes are loaded {@link Lanes#F}-many at a time, widened to their E5M2 values by
 * bit arithmetic ({@link MiniVectors#e5m2}, exact) and multiplied by the block's power-of-two
 * scale (exact, or the same overflow as the oracle's), so the weights are the oracle's to the bit.
 * {@code dot} and {@code dot4} sum in the canonical order ({@link RowKernel}), one row per pass.
 * A class of its own rather than one shared with the other element type, so that the JIT inlines
 * the widening into the loop.
 */
final class MXFP8_E5M2RowKernel implements RowKernel {

    static final MXFP8_E5M2RowKernel INSTANCE = new MXFP8_E5M2RowKernel();

    private static final int STEP = Lanes.F.length();

    private MXFP8_E5M2RowKernel() {}

    @Override
    public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        return row(w, offset, x, xOffset, n, new float[Lanes.F.length()], 0);
    }

    /** Four single-row passes: one accumulator chain per pass runs faster here than interleaved rows. */
    @Override
    public void dot4(MemorySegment w, long offset, long rowBytes, float[] x, int xOffset, int n, float[] out, int outOffset, float[] lanes) {
        for (int r = 0; r < 4; r++) out[outOffset + r] = row(w, offset + r * rowBytes, x, xOffset, n, lanes, 0);
    }

    /** One row in the canonical order; the accumulator is folded through {@code lanes[slot ..]}. All in one method, so no vector crosses a call. */
    private static float row(MemorySegment w, long offset, float[] x, int xOffset, int n, float[] lanes, int slot) {
        int blocks = Blocks.whole(MXFP8.E5M2, n);
        FloatVector acc = FloatVector.zero(Lanes.F);
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * MXFP8.BLOCK_BYTES;
            int xb = xOffset + b * MXFP8.BLOCK_ELEMENTS;
            float scale = E8M0.toFloat(w.get(ValueLayout.JAVA_BYTE, block));
            for (int j = 0; j < MXFP8.BLOCK_ELEMENTS; j += STEP) {
                acc = MiniVectors.e5m2(MiniVectors.bytes(w, block + MXFP8.QS_OFFSET + j)).mul(scale)
                        .fma(FloatVector.fromArray(Lanes.F, x, xb + j), acc);
            }
        }
        acc.intoArray(lanes, slot);
        return Lanes.sum(lanes, slot);
    }

    @Override
    public void decode(MemorySegment w, long offset, float[] dst, int dstOffset, int n) {
        int blocks = Blocks.whole(MXFP8.E5M2, n);
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * MXFP8.BLOCK_BYTES;
            float scale = E8M0.toFloat(w.get(ValueLayout.JAVA_BYTE, block));
            for (int j = 0; j < MXFP8.BLOCK_ELEMENTS; j += STEP) {
                MiniVectors.e5m2(MiniVectors.bytes(w, block + MXFP8.QS_OFFSET + j)).mul(scale)
                        .intoArray(dst, dstOffset + b * MXFP8.BLOCK_ELEMENTS + j);
            }
        }
    }
}
