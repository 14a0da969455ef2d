package dev.squall.cpu;

import dev.squall.format.NVFP4;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * NVFP4 rows: {@code n / 64} blocks of {@code {uint8 d[4]; uint8 qs[32]}} (36 bytes) at byte
 * {@code offset}; sub-block {@code s} is elements 16s..16s+15, its element j in the low nibble of
 * {@code qs[8s + j]} and element j + 8 in the high nibble ({@link NVFP4}). One kernel per tensor
 * scale ({@link #of}): the scale is a field, read once per row.
 *
 * <p>A sub-block's scale {@code UE4M3(d[s]) · tensorScale} is formed once in scalar code, as the
 * oracle forms it, and multiplies the 16 E2M1 values in a register ({@link MiniVectors#e2m1Table}),
 * each product rounded once as in the oracle; the codes index that table, so the weights are the
 * oracle's to the bit. With 16 float lanes one vector is one
 * sub-block: 16 bytes (two sub-blocks) are loaded once, and each sub-block's vector gathers its 8
 * bytes twice ({@code [0..7, 0..7]}, a register permute) and shifts the second half by 4, which
 * puts elements 0-7 (low nibbles) and 8-15 (high nibbles) in element order. With 8 lanes a
 * sub-block is its 8 bytes' low nibbles, then their high nibbles. Sums follow the canonical order
 * ({@link RowKernel}).
 */
final class NVFP4RowKernel implements RowKernel {

    private static final int STEP = Lanes.F.length();
    private static final boolean WIDE = STEP == 16;

    /** For 16 lanes: the first / second sub-block of a 16-byte pair, each byte twice. */
    private static final VectorShuffle<Integer> FIRST = WIDE ? VectorShuffle.fromOp(Lanes.I, i -> i % 8) : null;
    private static final VectorShuffle<Integer> SECOND = WIDE ? VectorShuffle.fromOp(Lanes.I, i -> 8 + i % 8) : null;
    /** For 16 lanes: lanes 8-15 take the high nibble. */
    private static final IntVector NIBBLE_SHIFT = WIDE ? IntVector.fromArray(Lanes.I, new int[] {0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 4, 4, 4}, 0) : null;

    private final float tensorScale;
    private final NVFP4 format;

    private NVFP4RowKernel(NVFP4 format) {
        this.format = format;
        this.tensorScale = format.tensorScale();
    }

    /** The kernel of tensor scale 1, shared. */
    private static final NVFP4RowKernel UNSCALED = new NVFP4RowKernel(NVFP4.INSTANCE);

    static NVFP4RowKernel of(NVFP4 format) {
        return format.equals(NVFP4.INSTANCE) ? UNSCALED : new NVFP4RowKernel(format);
    }

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
    private float row(MemorySegment w, long offset, float[] x, int xOffset, int n, float[] lanes, int slot) {
        int blocks = Blocks.whole(format, n);
        float t = tensorScale;
        FloatVector acc = FloatVector.zero(Lanes.F);
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * NVFP4.BLOCK_BYTES;
            int xb = xOffset + b * NVFP4.BLOCK_ELEMENTS;
            if (WIDE) {
                for (int pair = 0; pair < 2; pair++) {
                    IntVector q = MiniVectors.bytes(w, block + NVFP4.QS_OFFSET + 16 * pair);
                    float s0 = NVFP4.scaleValue(w.get(ValueLayout.JAVA_BYTE, block + 2 * pair)) * t;
                    float s1 = NVFP4.scaleValue(w.get(ValueLayout.JAVA_BYTE, block + 2 * pair + 1)) * t;
                    acc = MiniVectors.e2m1(first(q), MiniVectors.e2m1Table(s0), null).fma(FloatVector.fromArray(Lanes.F, x, xb + 32 * pair), acc);
                    acc = MiniVectors.e2m1(second(q), MiniVectors.e2m1Table(s1), null).fma(FloatVector.fromArray(Lanes.F, x, xb + 32 * pair + 16), acc);
                }
            } else {
                for (int s = 0; s < 4; s++) {
                    IntVector q = MiniVectors.bytes(w, block + NVFP4.QS_OFFSET + 8 * s);
                    float scale = NVFP4.scaleValue(w.get(ValueLayout.JAVA_BYTE, block + s)) * t;
                    IntVector table = MiniVectors.e2m1Table(scale), high = MiniVectors.e2m1High(scale);
                    acc = MiniVectors.e2m1(q.and(0xF), table, high).fma(FloatVector.fromArray(Lanes.F, x, xb + 16 * s), acc);
                    acc = MiniVectors.e2m1(q.lanewise(VectorOperators.LSHR, 4).and(0xF), table, high)
                            .fma(FloatVector.fromArray(Lanes.F, x, xb + 16 * s + 8), acc);
                }
            }
        }
        acc.intoArray(lanes, slot);
        return Lanes.sum(lanes, slot);
    }

    /** The 16 codes of the first sub-block of a byte pair, in element order (16 lanes only). */
    private static IntVector first(IntVector q) {
        return q.rearrange(FIRST).lanewise(VectorOperators.LSHR, NIBBLE_SHIFT).and(0xF);
    }

    /** The 16 codes of the second sub-block of a byte pair, in element order (16 lanes only). */
    private static IntVector second(IntVector q) {
        return q.rearrange(SECOND).lanewise(VectorOperators.LSHR, NIBBLE_SHIFT).and(0xF);
    }

    @Override
    public void decode(MemorySegment w, long offset, float[] dst, int dstOffset, int n) {
        int blocks = Blocks.whole(format, n);
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * NVFP4.BLOCK_BYTES;
            int y = dstOffset + b * NVFP4.BLOCK_ELEMENTS;
            if (WIDE) {
                for (int pair = 0; pair < 2; pair++) {
                    IntVector q = MiniVectors.bytes(w, block + NVFP4.QS_OFFSET + 16 * pair);
                    float s0 = NVFP4.scaleValue(w.get(ValueLayout.JAVA_BYTE, block + 2 * pair)) * tensorScale;
                    float s1 = NVFP4.scaleValue(w.get(ValueLayout.JAVA_BYTE, block + 2 * pair + 1)) * tensorScale;
                    MiniVectors.e2m1(first(q), MiniVectors.e2m1Table(s0), null).intoArray(dst, y + 32 * pair);
                    MiniVectors.e2m1(second(q), MiniVectors.e2m1Table(s1), null).intoArray(dst, y + 32 * pair + 16);
                }
            } else {
                for (int s = 0; s < 4; s++) {
                    IntVector q = MiniVectors.bytes(w, block + NVFP4.QS_OFFSET + 8 * s);
                    float scale = NVFP4.scaleValue(w.get(ValueLayout.JAVA_BYTE, block + s)) * tensorScale;
                    IntVector table = MiniVectors.e2m1Table(scale), high = MiniVectors.e2m1High(scale);
                    MiniVectors.e2m1(q.and(0xF), table, high).intoArray(dst, y + 16 * s);
                    MiniVectors.e2m1(q.lanewise(VectorOperators.LSHR, 4).and(0xF), table, high).intoArray(dst, y + 16 * s + 8);
                }
            }
        }
    }

    @Override public String toString() { return "vector " + format; }
}
