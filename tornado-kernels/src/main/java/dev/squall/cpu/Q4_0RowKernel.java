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
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

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

    /** The int8 path of a mapped row: {@link Packed}'s kernel over a copy of the row in its layout. */
    @Override
    public float dotQ8(MemorySegment w, long offset, Q8Activations x, int token, float[] lanes) {
        int blocks = Blocks.whole(Q4_0.INSTANCE, x.width());
        PackedQ8.RowCopy r = PackedQ8.RowCopy.of(w, offset, blocks, Q4_0.BLOCK_BYTES);
        return Packed.dot(r.codes, 0, r.scales, 0, blocks, x, token, lanes);
    }

    @Override
    public void dotQ8x4(MemorySegment w, long offset, Q8Activations x, int t0, float[] out, int outOffset, int outStride, float[] lanes) {
        int blocks = Blocks.whole(Q4_0.INSTANCE, x.width());
        PackedQ8.RowCopy r = PackedQ8.RowCopy.of(w, offset, blocks, Q4_0.BLOCK_BYTES);
        Packed.dot2(r.codes, 0, r.scales, 0, blocks, x, t0, out, outOffset, outStride, lanes);
        Packed.dot2(r.codes, 0, r.scales, 0, blocks, x, t0 + 2, out, outOffset + 2 * outStride, outStride, lanes);
    }

    @Override
    public PackedQ8 packQ8(WeightTensor w) {
        return Lanes.QUANTIZED ? new Packed(w) : null;
    }

    /**
     * The int8 path over the packed copy (each block's 16 code bytes back to back, scales as
     * floats), a group of {@link Q8Activations#GROUP} blocks per step (two on AVX-512): the group's
     * code bytes widened to shorts in one vector, the low nibbles minus 8 times the activations of
     * the blocks' elements 0-15 and the high nibbles minus 8 times those of elements 16-31
     * ({@link Q8Activations#nibbleOrder}, both loads contiguous), the two products summed as shorts
     * ({@code |p| ≤ 2 · 8 · 127}), adjacent lanes summed into ints ({@link IntDots#pairs}: eight
     * int lanes per block, all integer sums exact), converted and fused into one accumulator times
     * each lane's block scale product. Blocks after the last whole group take one block per step,
     * the same sums as sixteen int lanes. The order is fixed per row and token, so any batch gives
     * the bits of token by token; {@link #dot2} runs the same chains for two tokens with the codes
     * widened once (two tokens, not four: four chains in one method passed C2's node limit and ran
     * with boxed vectors).
     */
    private static final class Packed extends PackedQ8 {

        private static final int CODES = Q4_0.BLOCK_BYTES - Q4_0.QS_OFFSET;
        private static final int G = Q8Activations.GROUP, L = Lanes.F.length();
        /** One group's code bytes, and as shorts. */
        private static final VectorSpecies<Byte> BG = Lanes.QUANTIZED ? VectorSpecies.of(byte.class, VectorShape.forBitSize(2 * L * 8)) : null;
        private static final VectorSpecies<Short> SG = Lanes.QUANTIZED ? VectorSpecies.of(short.class, VectorShape.forBitSize(2 * L * 16)) : null;
        /** Lane l takes the scale of the group's block l / 8. */
        private static final VectorShuffle<Float> SPREAD = VectorShuffle.fromOp(Lanes.F, l -> l / 8);

        Packed(WeightTensor w) { super(w, Q4_0.BLOCK_ELEMENTS, Q4_0.BLOCK_BYTES); }

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
                for (; t + 2 <= tokens; t += 2) {
                    for (int r = p0, cr = c0, sr = s0; r < p1; r++, cr += rowCodes, sr += rowBlocks) dot2(c, cr, d, sr, rowBlocks, x, t, out, outOffset + t * rows + r, rows, lanes);
                }
                if (t < tokens) {
                    for (int r = p0, cr = c0, sr = s0; r < p1; r++, cr += rowCodes, sr += rowBlocks) out[outOffset + t * rows + r] = dot(c, cr, d, sr, rowBlocks, x, t, lanes);
                }
            }
        }

        /** One row: {@code blocks} blocks of codes at {@code c[c0 ..]}, their scales at {@code d[s0 ..]}, padded by {@link PackedQ8#SCALE_PAD}. */
        static float dot(byte[] c, int c0, float[] d, int s0, int blocks, Q8Activations x, int token, float[] lanes) {
            short[] xq = x.nibbleOrder();
            float[] xs = x.groupScales();
            int n = x.width(), groups = blocks / G, x0 = token * n, g0 = token * groups * L;
            FloatVector acc = FloatVector.zero(Lanes.F);
            for (int g = 0; g < groups; g++) {
                int b = g * G, e = x0 + b * Q4_0.BLOCK_ELEMENTS;
                ShortVector q = (ShortVector) ByteVector.fromArray(BG, c, c0 + b * CODES).convertShape(VectorOperators.B2S, SG, 0);
                FloatVector scale = FloatVector.fromArray(Lanes.F, d, s0 + b).rearrange(SPREAD).mul(FloatVector.fromArray(Lanes.F, xs, g0 + g * L));
                acc = products(low(q), high(q), xq, e).fma(scale, acc);
            }
            for (int b = groups * G; b < blocks; b++) acc = tailBlock(c, c0, d[s0 + b] * x.d()[token * (n / Q4_0.BLOCK_ELEMENTS) + b], b, x.q(), x0, acc);
            acc.intoArray(lanes, 0);
            return Lanes.sum(lanes, 0);
        }

        /** Two tokens per pass: each group's codes widened once, then the same operations per token as {@link #dot}. */
        static void dot2(byte[] c, int c0, float[] d, int s0, int blocks, Q8Activations x, int t0, float[] out, int outOffset, int outStride, float[] lanes) {
            short[] xq = x.nibbleOrder();
            float[] xs = x.groupScales();
            int n = x.width(), groups = blocks / G, x0 = t0 * n, x1 = x0 + n;
            int g0 = t0 * groups * L, g1 = g0 + groups * L;
            FloatVector a0 = FloatVector.zero(Lanes.F), a1 = a0;
            for (int g = 0; g < groups; g++) {
                int b = g * G, e = b * Q4_0.BLOCK_ELEMENTS, gl = g * L;
                ShortVector q = (ShortVector) ByteVector.fromArray(BG, c, c0 + b * CODES).convertShape(VectorOperators.B2S, SG, 0);
                ShortVector lo = low(q), hi = high(q);
                FloatVector dw = FloatVector.fromArray(Lanes.F, d, s0 + b).rearrange(SPREAD);
                a0 = products(lo, hi, xq, x0 + e).fma(dw.mul(FloatVector.fromArray(Lanes.F, xs, g0 + gl)), a0);
                a1 = products(lo, hi, xq, x1 + e).fma(dw.mul(FloatVector.fromArray(Lanes.F, xs, g1 + gl)), a1);
            }
            int nb = n / Q4_0.BLOCK_ELEMENTS;
            float[] xd = x.d();
            short[] plain = x.q();
            for (int b = groups * G; b < blocks; b++) {
                float dw = d[s0 + b];
                a0 = tailBlock(c, c0, dw * xd[t0 * nb + b], b, plain, x0, a0);
                a1 = tailBlock(c, c0, dw * xd[(t0 + 1) * nb + b], b, plain, x1, a1);
            }
            a0.intoArray(lanes, 0);
            a1.intoArray(lanes, L);
            out[outOffset] = Lanes.sum(lanes, 0);
            out[outOffset + outStride] = Lanes.sum(lanes, L);
        }

        private static ShortVector low(ShortVector q) { return q.and((short) 0xF).sub((short) 8); }

        private static ShortVector high(ShortVector q) { return q.lanewise(VectorOperators.ASHR, 4).and((short) 0xF).sub((short) 8); }

        /** A group's low- and high-nibble products with the activations at {@code xq[at ..]} (nibble order), summed as shorts, pairs as ints, as floats. */
        private static FloatVector products(ShortVector lo, ShortVector hi, short[] xq, int at) {
            return products(lo, hi, ShortVector.fromArray(SG, xq, at), ShortVector.fromArray(SG, xq, at + G * 16));
        }

        private static FloatVector products(ShortVector lo, ShortVector hi, ShortVector xlo, ShortVector xhi) {
            return (FloatVector) IntDots.pairs(lo.mul(xlo).add(hi.mul(xhi))).convert(VectorOperators.I2F, 0);
        }

        /** Block {@code b} alone (after the last whole group), its activations in plain order from {@code xq[x0 ..]}, added to {@code acc} times {@code scale}. */
        private static FloatVector tailBlock(byte[] c, int c0, float scale, int b, short[] xq, int x0, FloatVector acc) {
            FloatVector k = FloatVector.broadcast(Lanes.F, scale);
            int e = x0 + b * Q4_0.BLOCK_ELEMENTS;
            for (int j = 0; j < HALF; j += STEP) {
                ShortVector q = (ShortVector) ByteVector.fromArray(Lanes.B, c, c0 + b * CODES + j).convertShape(VectorOperators.B2S, Lanes.S, 0);
                ShortVector p = low(q).mul(ShortVector.fromArray(Lanes.S, xq, e + j)).add(high(q).mul(ShortVector.fromArray(Lanes.S, xq, e + HALF + j)));
                acc = ((FloatVector) ((IntVector) p.convertShape(VectorOperators.S2I, Lanes.I, 0)).convert(VectorOperators.I2F, 0)).fma(k, acc);
            }
            return acc;
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
