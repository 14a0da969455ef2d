package dev.squall.cpu;

import dev.squall.format.F16;
import dev.squall.format.LittleEndian;
import dev.squall.format.Q8_0;
import dev.squall.tensor.WeightTensor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q8_0 rows: {@code n / 32} blocks of {@code {fp16 d; int8 qs[32]}} (34 bytes) at byte
 * {@code offset}.
 *
 * <p>Per block, {@code qs} is loaded {@link Lanes#F}-many bytes at a time, widened to floats
 * (B2F, exact) and multiplied by {@code d}: {@code q * d} is exact (an 8-bit integer times an
 * 11-bit fp16 significand fits a float's 24 bits), so the weights are the oracle's to the bit,
 * and {@code decode} writes them as they are. {@code dot} and {@code dot4} sum them in the
 * canonical order ({@link RowKernel}), one row per pass.
 */
final class Q8_0RowKernel implements RowKernel {

    static final Q8_0RowKernel INSTANCE = new Q8_0RowKernel();

    private static final int STEP = Lanes.F.length();

    /** Two float vectors' worth of codes: 32 bytes widened to 32 shorts on AVX-512. */
    private static final VectorSpecies<Byte> B2 = Lanes.QUANTIZED ? VectorSpecies.of(byte.class, VectorShape.forBitSize(2 * STEP * 8)) : null;
    private static final VectorSpecies<Short> S2 = Lanes.QUANTIZED ? VectorSpecies.of(short.class, VectorShape.forBitSize(2 * STEP * 16)) : null;

    private Q8_0RowKernel() {}

    @Override public boolean dotsQ8() { return true; }

    /** The int8 path of a mapped row: {@link Packed}'s kernel over a copy of the row in its layout. */
    @Override
    public float dotQ8(MemorySegment w, long offset, Q8Activations x, int token, float[] lanes) {
        int blocks = Blocks.whole(Q8_0.INSTANCE, x.width());
        PackedQ8.RowCopy r = PackedQ8.RowCopy.of(w, offset, blocks, Q8_0.BLOCK_BYTES);
        return Packed.dot(r.codes, 0, r.scales, 0, blocks, x, token, lanes);
    }

    @Override
    public void dotQ8x4(MemorySegment w, long offset, Q8Activations x, int t0, float[] out, int outOffset, int outStride, float[] lanes) {
        int blocks = Blocks.whole(Q8_0.INSTANCE, x.width());
        PackedQ8.RowCopy r = PackedQ8.RowCopy.of(w, offset, blocks, Q8_0.BLOCK_BYTES);
        Packed.dot4(r.codes, 0, r.scales, 0, blocks, x, t0, out, outOffset, outStride, lanes);
    }

    @Override
    public PackedQ8 packQ8(WeightTensor w) {
        return Lanes.QUANTIZED ? new Packed(w) : null;
    }

    /** {@link #dotQ8} and {@link #dotQ8x4} over the packed copy: the same vectors from heap arrays. */
    private static final class Packed extends PackedQ8 {

        Packed(WeightTensor w) { super(w, Q8_0.BLOCK_ELEMENTS, Q8_0.BLOCK_BYTES); }

        @Override
        public float dot(int row, Q8Activations x, int token, float[] lanes) {
            return dot(codes(row), codeOffset(row), scales(row), scaleOffset(row), rowBlocks, x, token, lanes);
        }

        @Override
        public void rows(Q8Activations x, float[] out, int outOffset, int r0, int r1, float[] lanes) {
            int tokens = x.tokens(), rows = rows();
            for (int p0 = r0, p1; p0 < r1; p0 = p1) {
                p1 = passEnd(p0, r1);
                byte[] c = codes(p0);
                float[] d = scales(p0);
                int c0 = codeOffset(p0), s0 = scaleOffset(p0), t = 0;
                for (; t + 4 <= tokens; t += 4) {
                    for (int r = p0, cr = c0, sr = s0; r < p1; r++, cr += rowCodes, sr += rowBlocks) dot4(c, cr, d, sr, rowBlocks, x, t, out, outOffset + t * rows + r, rows, lanes);
                }
                for (; t < tokens; t++) {
                    for (int r = p0, cr = c0, sr = s0; r < p1; r++, cr += rowCodes, sr += rowBlocks) out[outOffset + t * rows + r] = dot(c, cr, d, sr, rowBlocks, x, t, lanes);
                }
            }
        }

        /**
         * One row: {@code blocks} blocks of codes at {@code c[c0 ..]}, their scales at {@code d[s0 ..]}.
         * Codes times activations as shorts ({@code |q_w · q_x| ≤ 128 · 127} fits, and so do two: 32512), the adjacent
         * pairs summed into ints ({@link IntDots#pairs}), so each block adds {@code 32 / (2L)} int
         * vectors, converted and scaled, to the accumulator.
         */
        static float dot(byte[] c, int c0, float[] d, int s0, int blocks, Q8Activations x, int token, float[] lanes) {
            short[] xq = x.q();
            float[] xd = x.d();
            int x0 = token * x.width(), xb = x0 / Q8_0.BLOCK_ELEMENTS;
            FloatVector acc = FloatVector.zero(Lanes.F);
            for (int b = 0; b < blocks; b++) {
                FloatVector scale = FloatVector.broadcast(Lanes.F, d[s0 + b] * xd[xb + b]);
                int e = b * Q8_0.BLOCK_ELEMENTS;
                for (int j = 0; j < Q8_0.BLOCK_ELEMENTS; j += 2 * STEP) {
                    ShortVector q = (ShortVector) ByteVector.fromArray(B2, c, c0 + e + j).convertShape(VectorOperators.B2S, S2, 0);
                    IntVector sums = IntDots.pairs(q.mul(ShortVector.fromArray(S2, xq, x0 + e + j)));
                    acc = ((FloatVector) sums.convert(VectorOperators.I2F, 0)).fma(scale, acc);
                }
            }
            acc.intoArray(lanes, 0);
            return Lanes.sum(lanes, 0);
        }

        /** Four tokens per pass: each block's codes widened once, then the same operations per token as {@link #dot}. */
        static void dot4(byte[] c, int c0, float[] d, int s0, int blocks, Q8Activations x, int t0, float[] out, int outOffset, int outStride, float[] lanes) {
            short[] xq = x.q();
            float[] xd = x.d();
            int n = x.width(), nb = n / Q8_0.BLOCK_ELEMENTS;
            int x0 = t0 * n, x1 = x0 + n, x2 = x1 + n, x3 = x2 + n, d0 = t0 * nb, d1 = d0 + nb, d2 = d1 + nb, d3 = d2 + nb;
            FloatVector a0 = FloatVector.zero(Lanes.F), a1 = a0, a2 = a0, a3 = a0;
            for (int b = 0; b < blocks; b++) {
                float dw = d[s0 + b];
                FloatVector k0 = FloatVector.broadcast(Lanes.F, dw * xd[d0 + b]), k1 = FloatVector.broadcast(Lanes.F, dw * xd[d1 + b]);
                FloatVector k2 = FloatVector.broadcast(Lanes.F, dw * xd[d2 + b]), k3 = FloatVector.broadcast(Lanes.F, dw * xd[d3 + b]);
                int e = b * Q8_0.BLOCK_ELEMENTS;
                for (int j = 0; j < Q8_0.BLOCK_ELEMENTS; j += 2 * STEP) {
                    ShortVector q = (ShortVector) ByteVector.fromArray(B2, c, c0 + e + j).convertShape(VectorOperators.B2S, S2, 0);
                    a0 = ((FloatVector) IntDots.pairs(q.mul(ShortVector.fromArray(S2, xq, x0 + e + j))).convert(VectorOperators.I2F, 0)).fma(k0, a0);
                    a1 = ((FloatVector) IntDots.pairs(q.mul(ShortVector.fromArray(S2, xq, x1 + e + j))).convert(VectorOperators.I2F, 0)).fma(k1, a1);
                    a2 = ((FloatVector) IntDots.pairs(q.mul(ShortVector.fromArray(S2, xq, x2 + e + j))).convert(VectorOperators.I2F, 0)).fma(k2, a2);
                    a3 = ((FloatVector) IntDots.pairs(q.mul(ShortVector.fromArray(S2, xq, x3 + e + j))).convert(VectorOperators.I2F, 0)).fma(k3, a3);
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
        int blocks = Blocks.whole(Q8_0.INSTANCE, n);
        FloatVector acc = FloatVector.zero(Lanes.F);
        for (int b = 0; b < blocks; b++) acc = block(w, offset + (long) b * Q8_0.BLOCK_BYTES, x, xOffset + b * Q8_0.BLOCK_ELEMENTS, acc);
        acc.intoArray(lanes, slot);
        return Lanes.sum(lanes, slot);
    }

    /** One block added to {@code acc} in element order. */
    private static FloatVector block(MemorySegment w, long block, float[] x, int xb, FloatVector acc) {
        float d = F16.toFloat(w.get(LittleEndian.SHORT, block));
        for (int j = 0; j < Q8_0.BLOCK_ELEMENTS; j += STEP) {
            acc = codes(w, block, j).mul(d).fma(FloatVector.fromArray(Lanes.F, x, xb + j), acc);
        }
        return acc;
    }

    @Override
    public void decode(MemorySegment w, long offset, float[] dst, int dstOffset, int n) {
        int blocks = Blocks.whole(Q8_0.INSTANCE, n);
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * Q8_0.BLOCK_BYTES;
            float d = F16.toFloat(w.get(LittleEndian.SHORT, block));
            for (int j = 0; j < Q8_0.BLOCK_ELEMENTS; j += STEP) {
                codes(w, block, j).mul(d).intoArray(dst, dstOffset + b * Q8_0.BLOCK_ELEMENTS + j);
            }
        }
    }

    /** Codes {@code qs[j .. j + STEP)} of the block as floats. */
    private static FloatVector codes(MemorySegment w, long block, int j) {
        return (FloatVector) ByteVector.fromMemorySegment(Lanes.B, w, block + Q8_0.QS_OFFSET + j, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2F, Lanes.F, 0);
    }
}
