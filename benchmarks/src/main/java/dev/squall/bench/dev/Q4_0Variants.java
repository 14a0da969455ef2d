package dev.squall.bench.dev;

import dev.squall.cpu.Lanes;
import dev.squall.format.F16;
import dev.squall.format.LittleEndian;
import dev.squall.format.Q4_0;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_0 matrix-vector kernel variants, all in the canonical order (bit-identical results), timed
 * against each other by {@link KernelVariants}.
 *
 * <p>Findings (2026-11-26, AMD EPYC with AVX-512, one thread, same-JVM alternation, shared and noisy
 * machine): v1, v4 and v5 tie (about 2.4 ms for 32000 × 768 on a quiet moment, ~10 weights/ns);
 * interleaving rows (v2, v3) or accumulators (v6) does not help — the loop is bound by its
 * decode instructions, not by the fma chain — and four rows per loop body (v3) exceed the JIT's
 * inlining budget and box every vector. Splitting the scales into a first pass (v7) is slower.
 * The library keeps v1.
 *
 * <ol>
 *   <li>v1 single row: one accumulator chain per row (the library kernel as of this note).</li>
 *   <li>v2 two rows interleaved: two independent chains per loop body.</li>
 *   <li>v3 four rows interleaved.</li>
 *   <li>v4 single row, the block's 16 code bytes loaded once and both nibble halves decoded from it.</li>
 *   <li>v5 v4 with (q - 8)·d as one fma(q, d, -8d) (exact: both products are exact) instead of an
 *       integer subtraction and a multiply.</li>
 *   <li>v6 (diagnosis only, not canonical) one row with two accumulators over alternate blocks.</li>
 *   <li>v7 v1 with the row's scales converted first into a float array, so the vector loop makes
 *       one segment access per block instead of two.</li>
 *   <li>v8 v1 with the lanes folded in registers, written out in the kernel (upper half onto lower
 *       half twice, then four lanes), instead of stored and folded in scalar code.</li>
 *   <li>v9 v1 with the scalar fold unrolled for 16 lanes.</li>
 * </ol>
 */
final class Q4_0Variants {

    private Q4_0Variants() {}

    private static final int STEP = Lanes.F.length();
    private static final int HALF = 16;
    private static final jdk.incubator.vector.VectorSpecies<Byte> B = jdk.incubator.vector.VectorSpecies.of(byte.class,
            jdk.incubator.vector.VectorShape.forBitSize(Lanes.F.length() * 8));
    private static final jdk.incubator.vector.VectorSpecies<Integer> I = Lanes.F.withLanes(int.class);

    static IntVector bytes(MemorySegment w, long block, int j) {
        return (IntVector) ByteVector.fromMemorySegment(B, w, block + 2 + j, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2I, I, 0);
    }

    static FloatVector low(IntVector q) { return (FloatVector) q.and(0xF).sub(8).convert(VectorOperators.I2F, 0); }

    static FloatVector high(IntVector q) { return (FloatVector) q.lanewise(VectorOperators.ASHR, 4).and(0xF).sub(8).convert(VectorOperators.I2F, 0); }

    static FloatVector block(MemorySegment w, long block, float[] x, int xb, FloatVector acc) {
        float d = F16.toFloat(w.get(LittleEndian.SHORT, block));
        for (int j = 0; j < HALF; j += STEP) acc = low(bytes(w, block, j)).mul(d).fma(FloatVector.fromArray(Lanes.F, x, xb + j), acc);
        for (int j = 0; j < HALF; j += STEP) acc = high(bytes(w, block, j)).mul(d).fma(FloatVector.fromArray(Lanes.F, x, xb + HALF + j), acc);
        return acc;
    }

    /** v1: one row per pass. */
    static void v1(MemorySegment w, long offset, long rowBytes, float[] x, int n, float[] out, int o, float[] lanes) {
        for (int r = 0; r < 4; r++) {
            long row = offset + r * rowBytes;
            FloatVector acc = FloatVector.zero(Lanes.F);
            for (int b = 0; b < n / 32; b++) acc = block(w, row + b * 18L, x, b * 32, acc);
            acc.intoArray(lanes, 0);
            out[o + r] = Lanes.sum(lanes, 0);
        }
    }

    /** v2: two rows per pass. */
    static void v2(MemorySegment w, long offset, long rowBytes, float[] x, int n, float[] out, int o, float[] lanes) {
        for (int r = 0; r < 4; r += 2) {
            long r0 = offset + r * rowBytes, r1 = r0 + rowBytes;
            FloatVector a0 = FloatVector.zero(Lanes.F), a1 = a0;
            for (int b = 0; b < n / 32; b++) {
                a0 = block(w, r0 + b * 18L, x, b * 32, a0);
                a1 = block(w, r1 + b * 18L, x, b * 32, a1);
            }
            a0.intoArray(lanes, 0);
            a1.intoArray(lanes, STEP);
            out[o + r] = Lanes.sum(lanes, 0);
            out[o + r + 1] = Lanes.sum(lanes, STEP);
        }
    }

    /** v3: four rows per pass. */
    static void v3(MemorySegment w, long offset, long rowBytes, float[] x, int n, float[] out, int o, float[] lanes) {
        long r0 = offset, r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes;
        FloatVector a0 = FloatVector.zero(Lanes.F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < n / 32; b++) {
            a0 = block(w, r0 + b * 18L, x, b * 32, a0);
            a1 = block(w, r1 + b * 18L, x, b * 32, a1);
            a2 = block(w, r2 + b * 18L, x, b * 32, a2);
            a3 = block(w, r3 + b * 18L, x, b * 32, a3);
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, STEP);
        a2.intoArray(lanes, 2 * STEP);
        a3.intoArray(lanes, 3 * STEP);
        for (int r = 0; r < 4; r++) out[o + r] = Lanes.sum(lanes, r * STEP);
    }

    /** v4: one row per pass; with 16 lanes, one byte load serves both nibble halves of a block. */
    static void v4(MemorySegment w, long offset, long rowBytes, float[] x, int n, float[] out, int o, float[] lanes) {
        for (int r = 0; r < 4; r++) {
            long row = offset + r * rowBytes;
            FloatVector acc = FloatVector.zero(Lanes.F);
            for (int b = 0; b < n / 32; b++) {
                long block = row + b * 18L;
                float d = F16.toFloat(w.get(LittleEndian.SHORT, block));
                IntVector q = bytes(w, block, 0);
                acc = low(q).mul(d).fma(FloatVector.fromArray(Lanes.F, x, b * 32), acc);
                acc = high(q).mul(d).fma(FloatVector.fromArray(Lanes.F, x, b * 32 + 16), acc);
            }
            acc.intoArray(lanes, 0);
            out[o + r] = Lanes.sum(lanes, 0);
        }
    }

    static FloatVector nibbles(IntVector q) { return (FloatVector) q.and(0xF).convert(VectorOperators.I2F, 0); }

    /** v5: one byte load per block, weights as fma(q, d, -8d). */
    static void v5(MemorySegment w, long offset, long rowBytes, float[] x, int n, float[] out, int o, float[] lanes) {
        for (int r = 0; r < 4; r++) {
            long row = offset + r * rowBytes;
            FloatVector acc = FloatVector.zero(Lanes.F);
            for (int b = 0; b < n / 32; b++) {
                long block = row + b * 18L;
                float d = F16.toFloat(w.get(LittleEndian.SHORT, block));
                FloatVector dv = FloatVector.broadcast(Lanes.F, d), m8 = FloatVector.broadcast(Lanes.F, -8 * d);
                IntVector q = bytes(w, block, 0);
                acc = nibbles(q).fma(dv, m8).fma(FloatVector.fromArray(Lanes.F, x, b * 32), acc);
                acc = nibbles(q.lanewise(VectorOperators.ASHR, 4)).fma(dv, m8).fma(FloatVector.fromArray(Lanes.F, x, b * 32 + 16), acc);
            }
            acc.intoArray(lanes, 0);
            out[o + r] = Lanes.sum(lanes, 0);
        }
    }

    /** v6 (diagnosis only, NOT canonical): one row, two accumulators over alternate blocks. */
    static void v6(MemorySegment w, long offset, long rowBytes, float[] x, int n, float[] out, int o, float[] lanes) {
        for (int r = 0; r < 4; r++) {
            long row = offset + r * rowBytes;
            FloatVector a0 = FloatVector.zero(Lanes.F), a1 = a0;
            for (int b = 0; b < n / 32; b += 2) {
                a0 = block(w, row + b * 18L, x, b * 32, a0);
                a1 = block(w, row + (b + 1) * 18L, x, (b + 1) * 32, a1);
            }
            a0.add(a1).intoArray(lanes, 0);
            out[o + r] = Lanes.sum(lanes, 0);
        }
    }

    /** v7: scales first, then the vector loop. */
    static void v7(MemorySegment w, long offset, long rowBytes, float[] x, int n, float[] out, int o, float[] lanes) {
        int blocks = n / 32;
        float[] d = new float[blocks];
        for (int r = 0; r < 4; r++) {
            long row = offset + r * rowBytes;
            for (int b = 0; b < blocks; b++) d[b] = F16.toFloat(w.get(LittleEndian.SHORT, row + b * 18L));
            FloatVector acc = FloatVector.zero(Lanes.F);
            for (int b = 0; b < blocks; b++) {
                IntVector q = bytes(w, row + b * 18L, 0);
                acc = low(q).mul(d[b]).fma(FloatVector.fromArray(Lanes.F, x, b * 32), acc);
                acc = high(q).mul(d[b]).fma(FloatVector.fromArray(Lanes.F, x, b * 32 + 16), acc);
            }
            acc.intoArray(lanes, 0);
            out[o + r] = Lanes.sum(lanes, 0);
        }
    }

    private static final jdk.incubator.vector.VectorSpecies<Float> F256 = FloatVector.SPECIES_256, F128 = FloatVector.SPECIES_128;

    /** v8: fold in registers, inline. */
    static void v8(MemorySegment w, long offset, long rowBytes, float[] x, int n, float[] out, int o, float[] lanes) {
        for (int r = 0; r < 4; r++) {
            long row = offset + r * rowBytes;
            FloatVector acc = FloatVector.zero(Lanes.F);
            for (int b = 0; b < n / 32; b++) acc = block(w, row + b * 18L, x, b * 32, acc);
            FloatVector h = ((FloatVector) acc.reinterpretShape(F256, 0)).add((FloatVector) acc.reinterpretShape(F256, 1));
            FloatVector q = ((FloatVector) h.reinterpretShape(F128, 0)).add((FloatVector) h.reinterpretShape(F128, 1));
            out[o + r] = (q.lane(0) + q.lane(2)) + (q.lane(1) + q.lane(3));
        }
    }

    /** v9: scalar fold unrolled. */
    static void v9(MemorySegment w, long offset, long rowBytes, float[] x, int n, float[] out, int o, float[] lanes) {
        for (int r = 0; r < 4; r++) {
            long row = offset + r * rowBytes;
            FloatVector acc = FloatVector.zero(Lanes.F);
            for (int b = 0; b < n / 32; b++) acc = block(w, row + b * 18L, x, b * 32, acc);
            acc.intoArray(lanes, 0);
            float[] l = lanes;
            float a0 = l[0] + l[8], a1 = l[1] + l[9], a2 = l[2] + l[10], a3 = l[3] + l[11];
            float a4 = l[4] + l[12], a5 = l[5] + l[13], a6 = l[6] + l[14], a7 = l[7] + l[15];
            float b0 = a0 + a4, b1 = a1 + a5, b2 = a2 + a6, b3 = a3 + a7;
            out[o + r] = (b0 + b2) + (b1 + b3);
        }
    }
}
