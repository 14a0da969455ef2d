package dev.squall.cpu;

import dev.squall.format.F16;
import dev.squall.format.LittleEndian;
import dev.squall.format.Q4_0;
import dev.squall.tensor.WeightTensor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_0 rows: {@code n / 32} blocks of {@code {fp16 d; uint8 qs[16]}} (18 bytes) at byte
 * {@code offset}; low nibbles are elements 0-15, high nibbles 16-31.
 *
 * <p>Per block, {@code qs} is loaded {@link Lanes#F}-many bytes at a time and widened to ints
 * (the widening sign-extends, which the masks below discard); the low nibbles minus 8 give
 * elements {@code j..}, the high nibbles minus 8 elements {@code j + 16..}. {@code (q - 8) * d} is
 * exact (4 bits times an 11-bit significand), so the weights are the oracle's to the bit.
 * {@code dot} and {@code dot4} sum in the canonical order ({@link RowKernel}): per block, the low
 * nibbles' elements, then the high nibbles'.
 */
final class Q4_0RowKernel implements RowKernel {

    static final Q4_0RowKernel INSTANCE = new Q4_0RowKernel();

    private static final int STEP = Lanes.F.length();
    private static final int HALF = Q4_0.BLOCK_ELEMENTS / 2;

    private Q4_0RowKernel() {}

    @Override public boolean dotsQ8() { return true; }

    /**
     * Per block, the nibbles widened to shorts, minus 8; each low nibble's product plus the
     * product of the high nibble in the same byte ({@code |p| ≤ 2 · 8 · 127}) as shorts, widened
     * to ints, converted and scaled into the accumulator.
     */
    @Override
    public float dotQ8(MemorySegment w, long offset, Q8Activations x, int token, float[] lanes) {
        short[] xq = x.q();
        float[] xd = x.d();
        int n = x.width(), xOffset = token * n;
        int blocks = Blocks.whole(Q4_0.INSTANCE, n), xb = xOffset / Q4_0.BLOCK_ELEMENTS;
        FloatVector acc = FloatVector.zero(Lanes.F);
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * Q4_0.BLOCK_BYTES;
            FloatVector scale = FloatVector.broadcast(Lanes.F, F16.toFloat(w.get(LittleEndian.SHORT, block)) * xd[xb + b]);
            int x0 = xOffset + b * Q4_0.BLOCK_ELEMENTS;
            for (int j = 0; j < HALF; j += STEP) {
                ShortVector q = (ShortVector) ByteVector.fromMemorySegment(Lanes.B, w, block + Q4_0.QS_OFFSET + j, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, Lanes.S, 0);
                ShortVector lo = q.and((short) 0xF).sub((short) 8), hi = q.lanewise(VectorOperators.ASHR, 4).and((short) 0xF).sub((short) 8);
                ShortVector p = lo.mul(ShortVector.fromArray(Lanes.S, xq, x0 + j)).add(hi.mul(ShortVector.fromArray(Lanes.S, xq, x0 + HALF + j)));
                IntVector sums = (IntVector) p.convertShape(VectorOperators.S2I, Lanes.I, 0);
                acc = ((FloatVector) sums.convert(VectorOperators.I2F, 0)).fma(scale, acc);
            }
        }
        acc.intoArray(lanes, 0);
        return Lanes.sum(lanes, 0);
    }

    @Override
    public PackedQ8 packQ8(WeightTensor w) {
        return Lanes.QUANTIZED ? new Packed(w) : null;
    }

    /**
     * {@link #dotQ8} over the packed copy (each block's 16 code bytes back to back), and four tokens
     * per pass with the nibbles widened once, each token's chain as in {@link #dotQ8}.
     */
    private static final class Packed extends PackedQ8 {

        private static final int CODES = Q4_0.BLOCK_BYTES - Q4_0.QS_OFFSET;

        Packed(WeightTensor w) { super(w, Q4_0.BLOCK_ELEMENTS, Q4_0.BLOCK_BYTES); }

        @Override
        public float dot(int row, Q8Activations x, int token, float[] lanes) {
            short[] xq = x.q();
            float[] xd = x.d();
            byte[] c = codes(row);
            float[] d = scales(row);
            int c0 = codeOffset(row), s0 = scaleOffset(row), xOffset = token * x.width(), xb = xOffset / Q4_0.BLOCK_ELEMENTS;
            FloatVector acc = FloatVector.zero(Lanes.F);
            for (int b = 0; b < rowBlocks; b++) {
                FloatVector scale = FloatVector.broadcast(Lanes.F, d[s0 + b] * xd[xb + b]);
                int x0 = xOffset + b * Q4_0.BLOCK_ELEMENTS;
                for (int j = 0; j < HALF; j += STEP) {
                    ShortVector q = (ShortVector) ByteVector.fromArray(Lanes.B, c, c0 + b * CODES + j).convertShape(VectorOperators.B2S, Lanes.S, 0);
                    ShortVector lo = q.and((short) 0xF).sub((short) 8), hi = q.lanewise(VectorOperators.ASHR, 4).and((short) 0xF).sub((short) 8);
                    ShortVector p = lo.mul(ShortVector.fromArray(Lanes.S, xq, x0 + j)).add(hi.mul(ShortVector.fromArray(Lanes.S, xq, x0 + HALF + j)));
                    IntVector sums = (IntVector) p.convertShape(VectorOperators.S2I, Lanes.I, 0);
                    acc = ((FloatVector) sums.convert(VectorOperators.I2F, 0)).fma(scale, acc);
                }
            }
            acc.intoArray(lanes, 0);
            return Lanes.sum(lanes, 0);
        }

        @Override
        public void dot4(int row, Q8Activations x, int t0, float[] out, int outOffset, int outStride, float[] lanes) {
            short[] xq = x.q();
            float[] xd = x.d();
            byte[] c = codes(row);
            float[] d = scales(row);
            int n = x.width(), nb = n / Q4_0.BLOCK_ELEMENTS, c0 = codeOffset(row), s0 = scaleOffset(row);
            int x0 = t0 * n, x1 = x0 + n, x2 = x1 + n, x3 = x2 + n, d0 = t0 * nb, d1 = d0 + nb, d2 = d1 + nb, d3 = d2 + nb;
            FloatVector a0 = FloatVector.zero(Lanes.F), a1 = a0, a2 = a0, a3 = a0;
            for (int b = 0; b < rowBlocks; b++) {
                float dw = d[s0 + b];
                FloatVector k0 = FloatVector.broadcast(Lanes.F, dw * xd[d0 + b]), k1 = FloatVector.broadcast(Lanes.F, dw * xd[d1 + b]);
                FloatVector k2 = FloatVector.broadcast(Lanes.F, dw * xd[d2 + b]), k3 = FloatVector.broadcast(Lanes.F, dw * xd[d3 + b]);
                int e = b * Q4_0.BLOCK_ELEMENTS;
                for (int j = 0; j < HALF; j += STEP) {
                    ShortVector q = (ShortVector) ByteVector.fromArray(Lanes.B, c, c0 + b * CODES + j).convertShape(VectorOperators.B2S, Lanes.S, 0);
                    ShortVector lo = q.and((short) 0xF).sub((short) 8), hi = q.lanewise(VectorOperators.ASHR, 4).and((short) 0xF).sub((short) 8);
                    a0 = products(lo, hi, xq, x0 + e + j).fma(k0, a0);
                    a1 = products(lo, hi, xq, x1 + e + j).fma(k1, a1);
                    a2 = products(lo, hi, xq, x2 + e + j).fma(k2, a2);
                    a3 = products(lo, hi, xq, x3 + e + j).fma(k3, a3);
                }
            }
            int L = Lanes.F.length();
            a0.intoArray(lanes, 0);
            a1.intoArray(lanes, L);
            a2.intoArray(lanes, 2 * L);
            a3.intoArray(lanes, 3 * L);
            out[outOffset] = Lanes.sum(lanes, 0);
            out[outOffset + outStride] = Lanes.sum(lanes, L);
            out[outOffset + 2 * outStride] = Lanes.sum(lanes, 2 * L);
            out[outOffset + 3 * outStride] = Lanes.sum(lanes, 3 * L);
        }

        /** One token's low- and high-nibble products at {@code xq[at ..]}, summed as shorts, as floats. */
        private static FloatVector products(ShortVector lo, ShortVector hi, short[] xq, int at) {
            ShortVector p = lo.mul(ShortVector.fromArray(Lanes.S, xq, at)).add(hi.mul(ShortVector.fromArray(Lanes.S, xq, at + HALF)));
            return (FloatVector) ((IntVector) p.convertShape(VectorOperators.S2I, Lanes.I, 0)).convert(VectorOperators.I2F, 0);
        }
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

    /** One row in the canonical order; the accumulator is folded through {@code lanes[slot ..]}. */
    private static float row(MemorySegment w, long offset, float[] x, int xOffset, int n, float[] lanes, int slot) {
        int blocks = Blocks.whole(Q4_0.INSTANCE, n);
        FloatVector acc = FloatVector.zero(Lanes.F);
        for (int b = 0; b < blocks; b++) acc = block(w, offset + (long) b * Q4_0.BLOCK_BYTES, x, xOffset + b * Q4_0.BLOCK_ELEMENTS, acc);
        acc.intoArray(lanes, slot);
        return Lanes.sum(lanes, slot);
    }

    /** One block added to {@code acc} in element order: the low nibbles (elements 0-15), then the high ones. */
    private static FloatVector block(MemorySegment w, long block, float[] x, int xb, FloatVector acc) {
        float d = F16.toFloat(w.get(LittleEndian.SHORT, block));
        for (int j = 0; j < HALF; j += STEP) acc = low(bytes(w, block, j)).mul(d).fma(FloatVector.fromArray(Lanes.F, x, xb + j), acc);
        for (int j = 0; j < HALF; j += STEP) acc = high(bytes(w, block, j)).mul(d).fma(FloatVector.fromArray(Lanes.F, x, xb + HALF + j), acc);
        return acc;
    }

    @Override
    public void decode(MemorySegment w, long offset, float[] dst, int dstOffset, int n) {
        int blocks = Blocks.whole(Q4_0.INSTANCE, n);
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * Q4_0.BLOCK_BYTES;
            int y = dstOffset + b * Q4_0.BLOCK_ELEMENTS;
            float d = F16.toFloat(w.get(LittleEndian.SHORT, block));
            for (int j = 0; j < HALF; j += STEP) {
                IntVector q = bytes(w, block, j);
                low(q).mul(d).intoArray(dst, y + j);
                high(q).mul(d).intoArray(dst, y + HALF + j);
            }
        }
    }

    private static IntVector bytes(MemorySegment w, long block, int j) {
        return (IntVector) ByteVector.fromMemorySegment(Lanes.B, w, block + Q4_0.QS_OFFSET + j, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2I, Lanes.I, 0);
    }

    private static FloatVector low(IntVector q) {
        return (FloatVector) q.and(0xF).sub(8).convert(VectorOperators.I2F, 0);
    }

    private static FloatVector high(IntVector q) {
        return (FloatVector) q.lanewise(VectorOperators.ASHR, 4).and(0xF).sub(8).convert(VectorOperators.I2F, 0);
    }
}
