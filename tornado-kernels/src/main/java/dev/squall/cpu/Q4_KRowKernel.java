package dev.squall.cpu;

import dev.squall.format.F16;
import dev.squall.format.LittleEndian;
import dev.squall.format.Q4_K;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_K rows: {@code n / 256} super-blocks of 144 bytes at byte {@code offset}, laid out as
 * {@link Q4_K} describes: four 32-byte chunks of nibbles, chunk {@code c} holding sub-block
 * {@code 2c} in its low nibbles and {@code 2c + 1} in its high nibbles.
 *
 * <p>The 12 packed scale bytes are read as two words once per super-block and unpacked with
 * integer operations ({@link Q4_K#scale(long, int, int)}, {@link Q4_K#min(long, int, int)}): byte
 * reads through the segment, one per scale, cost the JIT enough IR nodes to stop it inlining the
 * vector code, which then boxes every vector. Per chunk, each load of {@link Lanes#F}-many bytes gives one vector of each
 * sub-block. {@code decode} computes {@code scale * q - min} with the oracle's two roundings;
 * {@code dot} uses one fma instead, which is the same number because {@code scale * q} is exact
 * ({@code d * sc} is an 11-bit significand times 6 bits, times a 4-bit {@code q}: 21 bits). The
 * sums follow the canonical order ({@link RowKernel}), one row per pass.
 */
final class Q4_KRowKernel implements RowKernel {

    static final Q4_KRowKernel INSTANCE = new Q4_KRowKernel();

    private static final int STEP = Lanes.F.length();
    private static final int SUB = 32;

    private Q4_KRowKernel() {}

    @Override public boolean dotsQ8() { return true; }

    @Override public Q8Activations.Kind q8Kind() { return Q8Activations.Kind.Q8_K; }

    /**
     * llama.cpp's {@code ggml_vec_dot_q4_K_q8_K}: per super-block, each sub-block's nibbles times
     * the activations summed as shorts ({@code |p| ≤ 32/L · 2 · 15 · 127}), widened to ints and
     * multiplied by the sub-block's 6-bit scale, all eight summed in int lanes (below 2^24, so the
     * conversion is exact) and scaled by {@code d · d_x}; the minimums as
     * {@code Σ min_s · Σ_s q_x}, an exact integer, scaled by {@code dmin · d_x} into a scalar sum
     * added after the lanes are folded.
     */
    @Override
    public float dotQ8(MemorySegment w, long offset, Q8Activations x, int token, float[] lanes) {
        short[] xq = x.q();
        int[] sums = x.sums();
        int n = x.width(), blocks = Blocks.whole(Q4_K.INSTANCE, n);
        FloatVector acc = FloatVector.zero(Lanes.F);
        float mins = 0f;
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * Q4_K.BLOCK_BYTES;
            float dx = x.d()[token * n / Q4_K.BLOCK_ELEMENTS + b];
            float d = F16.toFloat(w.get(LittleEndian.SHORT, block + Q4_K.D_OFFSET)) * dx;
            float dmin = F16.toFloat(w.get(LittleEndian.SHORT, block + Q4_K.DMIN_OFFSET)) * dx;
            long scalesLow = Q4_K.scalesLow(w, block);
            int scalesHigh = Q4_K.scalesHigh(w, block);
            int x0 = token * n + b * Q4_K.BLOCK_ELEMENTS, s0 = x0 / Q8Activations.SUM;
            IntVector isum = IntVector.zero(Lanes.I);
            int msum = 0;
            for (int c = 0; c < 4; c++) {
                ShortVector lo = ShortVector.zero(Lanes.S), hi = lo;
                for (int l = 0; l < SUB; l += STEP) {
                    long at = block + Q4_K.QS_OFFSET + (long) SUB * c + l;
                    ShortVector q = (ShortVector) ByteVector.fromMemorySegment(Lanes.B, w, at, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2S, Lanes.S, 0);
                    lo = lo.add(q.and((short) 0xF).mul(ShortVector.fromArray(Lanes.S, xq, x0 + 2 * SUB * c + l)));
                    hi = hi.add(q.lanewise(VectorOperators.ASHR, 4).and((short) 0xF).mul(ShortVector.fromArray(Lanes.S, xq, x0 + 2 * SUB * c + SUB + l)));
                }
                isum = isum.add(((IntVector) lo.convertShape(VectorOperators.S2I, Lanes.I, 0)).mul(IntVector.broadcast(Lanes.I, Q4_K.scale(scalesLow, scalesHigh, 2 * c))))
                        .add(((IntVector) hi.convertShape(VectorOperators.S2I, Lanes.I, 0)).mul(IntVector.broadcast(Lanes.I, Q4_K.scale(scalesLow, scalesHigh, 2 * c + 1))));
                msum += Q4_K.min(scalesLow, scalesHigh, 2 * c) * sums[s0 + 2 * c] + Q4_K.min(scalesLow, scalesHigh, 2 * c + 1) * sums[s0 + 2 * c + 1];
            }
            acc = ((FloatVector) isum.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Lanes.F, d), acc);
            mins = Math.fma(-dmin, (float) msum, mins);
        }
        acc.intoArray(lanes, 0);
        return Lanes.sum(lanes, 0) + mins;
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

    /**
     * One row in the canonical order; the accumulator is folded through {@code lanes[slot ..]}.
     * Per 64-element chunk: the low nibbles (sub-block 2c), then the high ones (2c + 1);
     * {@code fma(q, scale, -min)} rounds once, like the oracle's {@code scale * q - min} (whose
     * product is exact). All in one method: a helper taking the accumulator would be compiled on
     * its own first and then, too big to inline, box every vector it is passed.
     */
    private static float row(MemorySegment w, long offset, float[] x, int xOffset, int n, float[] lanes, int slot) {
        int blocks = Blocks.whole(Q4_K.INSTANCE, n);
        FloatVector acc = FloatVector.zero(Lanes.F);
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * Q4_K.BLOCK_BYTES;
            float d = F16.toFloat(w.get(LittleEndian.SHORT, block + Q4_K.D_OFFSET));
            float dmin = F16.toFloat(w.get(LittleEndian.SHORT, block + Q4_K.DMIN_OFFSET));
            long scalesLow = Q4_K.scalesLow(w, block);
            int scalesHigh = Q4_K.scalesHigh(w, block);
            for (int c = 0; c < 4; c++) {
                int xc = xOffset + b * Q4_K.BLOCK_ELEMENTS + 2 * SUB * c;
                FloatVector scale = FloatVector.broadcast(Lanes.F, d * Q4_K.scale(scalesLow, scalesHigh, 2 * c));
                FloatVector min = FloatVector.broadcast(Lanes.F, -(dmin * Q4_K.min(scalesLow, scalesHigh, 2 * c)));
                for (int l = 0; l < SUB; l += STEP) {
                    acc = low(bytes(w, block, c, l)).fma(scale, min).fma(FloatVector.fromArray(Lanes.F, x, xc + l), acc);
                }
                scale = FloatVector.broadcast(Lanes.F, d * Q4_K.scale(scalesLow, scalesHigh, 2 * c + 1));
                min = FloatVector.broadcast(Lanes.F, -(dmin * Q4_K.min(scalesLow, scalesHigh, 2 * c + 1)));
                for (int l = 0; l < SUB; l += STEP) {
                    acc = high(bytes(w, block, c, l)).fma(scale, min).fma(FloatVector.fromArray(Lanes.F, x, xc + SUB + l), acc);
                }
            }
        }
        acc.intoArray(lanes, slot);
        return Lanes.sum(lanes, slot);
    }

    @Override
    public void decode(MemorySegment w, long offset, float[] dst, int dstOffset, int n) {
        int blocks = Blocks.whole(Q4_K.INSTANCE, n);
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * Q4_K.BLOCK_BYTES;
            float d = F16.toFloat(w.get(LittleEndian.SHORT, block + Q4_K.D_OFFSET));
            float dmin = F16.toFloat(w.get(LittleEndian.SHORT, block + Q4_K.DMIN_OFFSET));
            long scalesLow = Q4_K.scalesLow(w, block);
            int scalesHigh = Q4_K.scalesHigh(w, block);
            for (int c = 0; c < 4; c++) {
                float scaleLo = d * Q4_K.scale(scalesLow, scalesHigh, 2 * c), minLo = dmin * Q4_K.min(scalesLow, scalesHigh, 2 * c);
                float scaleHi = d * Q4_K.scale(scalesLow, scalesHigh, 2 * c + 1), minHi = dmin * Q4_K.min(scalesLow, scalesHigh, 2 * c + 1);
                int y = dstOffset + b * Q4_K.BLOCK_ELEMENTS + 2 * SUB * c;
                for (int l = 0; l < SUB; l += STEP) {
                    IntVector q = bytes(w, block, c, l);
                    low(q).mul(scaleLo).sub(minLo).intoArray(dst, y + l);
                    high(q).mul(scaleHi).sub(minHi).intoArray(dst, y + SUB + l);
                }
            }
        }
    }

    /** Bytes {@code l .. l + STEP} of chunk {@code c}, widened to ints. */
    private static IntVector bytes(MemorySegment w, long block, int c, int l) {
        long at = block + Q4_K.QS_OFFSET + (long) SUB * c + l;
        return (IntVector) ByteVector.fromMemorySegment(Lanes.B, w, at, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2I, Lanes.I, 0);
    }

    private static FloatVector low(IntVector q) {
        return (FloatVector) q.and(0xF).convert(VectorOperators.I2F, 0);
    }

    private static FloatVector high(IntVector q) {
        return (FloatVector) q.lanewise(VectorOperators.ASHR, 4).and(0xF).convert(VectorOperators.I2F, 0);
    }
}
