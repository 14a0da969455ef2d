package dev.squall.ops;

import dev.squall.cpu.HalfVectors;
import dev.squall.cpu.Lanes;
import dev.squall.graph.RopeSpec;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Scaled dot-product attention of one query head over cached keys and values (Vaswani et al.
 * 2017, eq. 1): {@code out = Σ_j softmax_j(q·k_j · scale) · v_j} over the visible positions j.
 *
 * <p>Layout of the cache ({@link KvPages}): positions are grouped in pages of {@code 2^pageShift};
 * a sequence's page table maps a position's page to a physical page; within a page, position p
 * holds a row of {@code kvWidth} floats and the head's slice starts at {@code headOffset}. The
 * visible positions are ascending ranges {@code [ranges[2i], ranges[2i+1])}. The query is
 * {@code headSize} floats at {@code q[qOffset]}; the result goes to {@code out[outOffset..)}.
 */
public final class Attention {

    private Attention() {}

    private static final VectorSpecies<Float> F = Lanes.F;

    /**
     * Where one layer of one sequence keeps its keys and values: float pages ({@code keys},
     * {@code values}) or binary16 pages ({@code halfKeys}, {@code halfValues}), exactly one of
     * each pair set. Half pages are read widened to floats, value for value.
     */
    public record KvPages(float[][] keys, float[][] values, short[][] halfKeys, short[][] halfValues, int[] pageTable, int pageShift,
                          int kvWidth, boolean keysByDimension) {
        public KvPages {
            if ((keys == null) == (halfKeys == null) || (values == null) == (halfValues == null)) {
                throw new IllegalArgumentException("KV pages need float or half pages for keys and for values, one of each");
            }
            if (halfKeys != null && !keysByDimension) throw new IllegalArgumentException("half keys are stored by dimension");
        }

        /** Float keys and values, keys stored like values, position by position. */
        public KvPages(float[][] keys, float[][] values, int[] pageTable, int pageShift, int kvWidth) {
            this(keys, values, null, null, pageTable, pageShift, kvWidth, false);
        }

        /** Float keys and values. */
        public KvPages(float[][] keys, float[][] values, int[] pageTable, int pageShift, int kvWidth, boolean keysByDimension) {
            this(keys, values, null, null, pageTable, pageShift, kvWidth, keysByDimension);
        }

        int page(int pos) { return pageTable[pos >>> pageShift]; }
        int offset(int pos, int headOffset) { return (pos & ((1 << pageShift) - 1)) * kvWidth + headOffset; }

        /** Element {@code i} of the key of position {@code pos} for the head at {@code headOffset}. */
        public float key(int pos, int headOffset, int i) {
            int slot = pos & ((1 << pageShift) - 1);
            int at = keysByDimension ? ((headOffset + i) << pageShift) + slot : slot * kvWidth + headOffset + i;
            return halfKeys != null ? Float.float16ToFloat(halfKeys[page(pos)][at]) : keys[page(pos)][at];
        }

        /** Element {@code i} of the value of position {@code pos} for the head at {@code headOffset}. */
        public float value(int pos, int headOffset, int i) {
            int at = offset(pos, headOffset) + i;
            return halfValues != null ? Float.float16ToFloat(halfValues[page(pos)][at]) : values[page(pos)][at];
        }
    }

    /** The definition, in double. */
    public static void oracle(float[] q, int qOffset, int headSize, float scale, KvPages kv, int headOffset,
                              int[] ranges, int rangeCount, float[] out, int outOffset) {
        oracle(q, qOffset, headSize, scale, kv, headOffset, ranges, rangeCount, null, 0, 0, out, outOffset);
    }

    /**
     * The definition under a RoPE distance cap (LM-Infinite, {@link dev.squall.graph.AttentionPolicy#distanceCap}),
     * in double: the query sits at position {@code queryPos} and carries the rotation {@code rope}
     * of that position, as cell {@code j}'s key carries position j's; a key with
     * {@code queryPos - j > cap} is scored with the query rotated back by {@code queryPos - j - cap}
     * (closed-form angles, as {@link Rope#oracle}). {@code cap} 0 or {@code rope} null: no cap
     * (without a rotation, scores do not depend on distance).
     */
    public static void oracle(float[] q, int qOffset, int headSize, float scale, KvPages kv, int headOffset,
                              int[] ranges, int rangeCount, RopeSpec rope, int queryPos, int cap, float[] out, int outOffset) {
        int n = 0;
        for (int r = 0; r < rangeCount; r++) n += ranges[2 * r + 1] - ranges[2 * r];
        double[] s = new double[n];
        double max = Double.NEGATIVE_INFINITY;
        int j = 0;
        for (int r = 0; r < rangeCount; r++) {
            for (int p = ranges[2 * r]; p < ranges[2 * r + 1]; p++, j++) {
                boolean capped = rope != null && cap > 0 && queryPos - p > cap;
                double[] query = rotatedBack(q, qOffset, headSize, rope, capped ? queryPos - p - cap : 0);
                double dot = 0;
                for (int i = 0; i < headSize; i++) dot += query[i] * kv.key(p, headOffset, i);
                s[j] = dot * scale;
                max = Math.max(max, s[j]);
            }
        }
        double sum = 0;
        for (int i = 0; i < n; i++) sum += s[i] = Math.exp(s[i] - max);
        double[] acc = new double[headSize];
        j = 0;
        for (int r = 0; r < rangeCount; r++) {
            for (int p = ranges[2 * r]; p < ranges[2 * r + 1]; p++, j++) {
                for (int i = 0; i < headSize; i++) acc[i] += s[j] / sum * kv.value(p, headOffset, i);
            }
        }
        for (int i = 0; i < headSize; i++) out[outOffset + i] = (float) acc[i];
    }

    /** The query rotated by {@code -by} positions in double ({@code by} 0: as given). */
    private static double[] rotatedBack(float[] q, int qOffset, int headSize, RopeSpec rope, int by) {
        double[] x = new double[headSize];
        for (int i = 0; i < headSize; i++) x[i] = q[qOffset + i];
        if (by == 0) return x;
        int half = rope.dims() / 2;
        for (int i = 0; i < half; i++) {
            double theta = -by * (double) rope.freqScale() * Math.pow(rope.base(), -2.0 * i / rope.dims()) / rope.freqFactor(i);
            double c = Math.cos(theta), sn = Math.sin(theta);
            int a = rope.pairing() == RopeSpec.Pairing.ADJACENT ? 2 * i : i;
            int b = rope.pairing() == RopeSpec.Pairing.ADJACENT ? a + 1 : a + half;
            double x0 = x[a], x1 = x[b];
            x[a] = x0 * c - x1 * sn;
            x[b] = x0 * sn + x1 * c;
        }
        return x;
    }

    /**
     * The CPU kernel. {@code scores} is scratch for at least as many floats as there are visible
     * positions. Softmax subtracts the maximum score; exponentials come from {@link VectorMath}.
     */
    public static void cpu(float[] q, int qOffset, int headSize, float scale, KvPages kv, int headOffset,
                           int[] ranges, int rangeCount, float[] scores, float[] out, int outOffset) {
        cpu(q, qOffset, headSize, scale, kv, headOffset, ranges, 0, rangeCount, scores, out, outOffset);
    }

    /** The CPU kernel over ranges {@code firstRange .. firstRange + rangeCount} of {@code ranges}. */
    public static void cpu(float[] q, int qOffset, int headSize, float scale, KvPages kv, int headOffset,
                           int[] ranges, int firstRange, int rangeCount, float[] scores, float[] out, int outOffset) {
        cpu(q, qOffset, headSize, scale, kv, headOffset, ranges, firstRange, rangeCount, null, 0, 0, scores, out, outOffset);
    }

    /**
     * The CPU kernel under a RoPE distance cap (the contract of the capped {@link #oracle}):
     * every visible key is scored as without a cap, then each key with {@code queryPos - j > cap}
     * (with ascending ranges, a prefix of the visible cells: LM-Infinite's sinks) is scored again
     * with a copy of the query rotated by {@code -(queryPos - j - cap)} through {@link Rope#cpu}
     * (rotations compose: R(-d)·R(queryPos) = R(queryPos - d) up to float rounding of the angles),
     * its dot product one fused multiply-add chain over the dimensions in order. The query arrives
     * rotated, so the cap needs only the layer's {@link RopeSpec}, not a second, unrotated copy of
     * the queries. {@code cap} 0 or {@code rope} null: no cap, the same bits as the kernel without one.
     */
    public static void cpu(float[] q, int qOffset, int headSize, float scale, KvPages kv, int headOffset,
                           int[] ranges, int firstRange, int rangeCount, RopeSpec rope, int queryPos, int cap,
                           float[] scores, float[] out, int outOffset) {
        int n = 0;
        float max = Float.NEGATIVE_INFINITY;
        for (int r = firstRange; r < firstRange + rangeCount; r++) {
            int p = ranges[2 * r], end = ranges[2 * r + 1];
            if (kv.keysByDimension()) {
                while (p < end) {
                    int slot = p & ((1 << kv.pageShift()) - 1), count = Math.min(end - p, (1 << kv.pageShift()) - slot);
                    int base = (headOffset << kv.pageShift()) + slot;
                    if (kv.halfKeys() != null) {
                        float[] widened = halfScratch(headSize << kv.pageShift());
                        widen(kv.halfKeys()[kv.page(p)], headOffset << kv.pageShift(), widened, 0, headSize << kv.pageShift());
                        scoresByDimension(q, qOffset, headSize, widened, slot, kv.pageShift(), count, scores, n);
                    } else {
                        scoresByDimension(q, qOffset, headSize, kv.keys()[kv.page(p)], base, kv.pageShift(), count, scores, n);
                    }
                    p += count;
                    n += count;
                }
            } else {
                float[] lanes = new float[F.length()];
                for (; p < end; p++) scores[n++] = dot(q, qOffset, kv.keys()[kv.page(p)], kv.offset(p, headOffset), headSize, lanes);
            }
        }
        if (rope != null && cap > 0) rescoreFarKeys(q, qOffset, headSize, kv, headOffset, ranges, firstRange, rangeCount, rope, queryPos, cap, scores);
        for (int j = 0; j < n; j++) {
            scores[j] *= scale;
            max = Math.max(max, scores[j]);
        }
        float sum = Softmax.expShifted(scores, 0, n, max);
        float inv = 1f / sum;
        for (int j = 0; j < n; j++) scores[j] *= inv;
        if (kv.halfValues() != null) weightedHalfValues(kv, headOffset, headSize, ranges, firstRange, rangeCount, scores, out, outOffset);
        else weightedValues(kv, headOffset, headSize, ranges, firstRange, rangeCount, scores, out, outOffset);
    }

    /** Per thread: the query rotated back, and the angles of the rotation. */
    private static final ThreadLocal<float[]> CAPPED_QUERY = ThreadLocal.withInitial(() -> new float[256]);
    private static final ThreadLocal<Rope.Table> CAP_ROTATION = new ThreadLocal<>();

    /** Replaces the raw scores of the keys beyond the distance cap (see the capped {@link #cpu}). */
    private static void rescoreFarKeys(float[] q, int qOffset, int headSize, KvPages kv, int headOffset, int[] ranges, int firstRange,
                                       int rangeCount, RopeSpec rope, int queryPos, int cap, float[] scores) {
        int farEnd = queryPos - cap;               // cells j < farEnd are further than cap
        float[] query = CAPPED_QUERY.get();
        if (query.length < headSize) CAPPED_QUERY.set(query = new float[headSize]);
        Rope.Table table = CAP_ROTATION.get();
        if (table == null || table.dims != rope.dims()) CAP_ROTATION.set(table = new Rope.Table(rope.dims()));
        int n = 0;
        for (int r = firstRange; r < firstRange + rangeCount; r++) {
            for (int p = ranges[2 * r]; p < ranges[2 * r + 1]; p++, n++) {
                if (p >= farEnd) return;
                System.arraycopy(q, qOffset, query, 0, headSize);
                table.fill(rope, p - farEnd);      // -(queryPos - p - cap)
                Rope.cpu(query, 0, 1, headSize, rope, table);
                float s = 0f;
                for (int i = 0; i < headSize; i++) s = Math.fma(query[i], kv.key(p, headOffset, i), s);
                scores[n] = s;
            }
        }
    }

    /**
     * The dot products of the query with {@code count} keys stored by dimension from
     * {@code page[base]} (position stride 1, dimension stride {@code 2^shift}): each position's sum
     * runs over the dimensions in order, one fused multiply-add each, whether its lane is in a
     * group of four vectors, one vector or the masked tail, so the result does not depend on
     * where the position falls. Four vectors of positions keep four independent chains in flight.
     */
    private static void scoresByDimension(float[] q, int qOffset, int headSize, float[] page, int base, int shift, int count,
                                          float[] scores, int at) {
        int L = F.length(), i = 0;
        for (; i + 4 * L <= count; i += 4 * L) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int c = 0; c < headSize; c++) {
                FloatVector qc = FloatVector.broadcast(F, q[qOffset + c]);
                int o = base + (c << shift) + i;
                a0 = qc.fma(FloatVector.fromArray(F, page, o), a0);
                a1 = qc.fma(FloatVector.fromArray(F, page, o + L), a1);
                a2 = qc.fma(FloatVector.fromArray(F, page, o + 2 * L), a2);
                a3 = qc.fma(FloatVector.fromArray(F, page, o + 3 * L), a3);
            }
            a0.intoArray(scores, at + i);
            a1.intoArray(scores, at + i + L);
            a2.intoArray(scores, at + i + 2 * L);
            a3.intoArray(scores, at + i + 3 * L);
        }
        for (; i + L <= count; i += L) {
            FloatVector a = FloatVector.zero(F);
            for (int c = 0; c < headSize; c++) a = FloatVector.broadcast(F, q[qOffset + c]).fma(FloatVector.fromArray(F, page, base + (c << shift) + i), a);
            a.intoArray(scores, at + i);
        }
        if (i < count) {
            // the tail as one masked vector: each lane's chain is the same fused multiply-adds as a full vector's
            VectorMask<Float> m = F.indexInRange(i, count);
            FloatVector a = FloatVector.zero(F);
            for (int c = 0; c < headSize; c++) a = FloatVector.broadcast(F, q[qOffset + c]).fma(FloatVector.fromArray(F, page, base + (c << shift) + i, m), a);
            a.intoArray(scores, at + i, m);
        }
    }

    /**
     * Scratch for one page of one head widened from binary16 (head size × page size floats), per
     * thread. Half pages are widened here first, then read by the float kernels: widening inside
     * the Vector API loops passed the JIT's inlining limits, which compiled the widening as a call
     * with boxed vectors (it made an F16 cache three times slower).
     */
    private static final ThreadLocal<float[]> HALF_SCRATCH = ThreadLocal.withInitial(() -> new float[256 * 64]);

    private static float[] halfScratch(int floats) {
        float[] s = HALF_SCRATCH.get();
        if (s.length < floats) HALF_SCRATCH.set(s = new float[floats]);
        return s;
    }

    /**
     * {@code n} halves widened, value for value: a plain loop over arrays, which the JIT compiles
     * to the processor's conversion instructions (F16C's vcvtph2ps on x86) when it is long (a whole
     * page of a head's keys); for a head's row of values, a call per row costs more than the
     * integer widening of {@link HalfVectors} in the loop.
     */
    private static void widen(short[] src, int from, float[] dst, int to, int n) {
        for (int i = 0; i < n; i++) dst[to + i] = Float.float16ToFloat(src[from + i]);
    }

    /**
     * {@link #weightedValues} over binary16 values: each page's rows of the head are widened into
     * scratch, then summed in the same order, the accumulators carried across pages in {@code out}
     * (a float stored and loaded is exact), so the result equals the float kernel's over the
     * widened values bit for bit.
     */
    private static void weightedHalfValues(KvPages kv, int headOffset, int headSize, int[] ranges, int firstRange, int rangeCount,
                                           float[] weights, float[] out, int outOffset) {
        int L = F.length(), bound = F.loopBound(headSize), size = 1 << kv.pageShift();
        float[] rows = halfScratch(headSize << kv.pageShift());
        java.util.Arrays.fill(out, outOffset, outOffset + headSize, 0f);
        int j = 0;
        for (int r = firstRange; r < firstRange + rangeCount; r++) {
            int p = ranges[2 * r], end = ranges[2 * r + 1];
            while (p < end) {
                int slot = p & (size - 1), count = Math.min(end - p, size - slot);
                short[] page = kv.halfValues()[kv.page(p)];
                for (int i = 0; i < count; i++) {
                    int from = kv.offset(p + i, headOffset), to = i * headSize, e = 0;
                    for (; e < bound; e += L) HalfVectors.toFloat(ShortVector.fromArray(Lanes.S, page, from + e)).intoArray(rows, to + e);
                    for (; e < headSize; e++) rows[to + e] = Float.float16ToFloat(page[from + e]);
                }
                for (int e = 0; e < bound; e += L) {
                    FloatVector a = FloatVector.fromArray(F, out, outOffset + e);
                    for (int i = 0; i < count; i++) a = FloatVector.fromArray(F, rows, i * headSize + e).fma(FloatVector.broadcast(F, weights[j + i]), a);
                    a.intoArray(out, outOffset + e);
                }
                for (int e = bound; e < headSize; e++) {
                    float a = out[outOffset + e];
                    for (int i = 0; i < count; i++) a = Math.fma(rows[i * headSize + e], weights[j + i], a);
                    out[outOffset + e] = a;
                }
                j += count;
                p += count;
            }
        }
    }

    /**
     * {@code out = Σ_j w_j · v_j} over the visible positions in order, each element one chain of
     * fused multiply-adds from zero; up to four vectors of the head's elements stay in registers
     * over all positions, the tail elements are summed in scalar code in the same order.
     */
    private static void weightedValues(KvPages kv, int headOffset, int headSize, int[] ranges, int firstRange, int rangeCount,
                                       float[] weights, float[] out, int outOffset) {
        int L = F.length(), bound = F.loopBound(headSize), e = 0;
        for (; e < bound; e += 4 * L) {
            int vectors = Math.min(4, (bound - e) / L);
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            int j = 0, size = 1 << kv.pageShift(), width = kv.kvWidth();
            for (int r = firstRange; r < firstRange + rangeCount; r++) {
                for (int p = ranges[2 * r], end = ranges[2 * r + 1]; p < end; ) {
                    // one page at a time: its array and first offset looked up once, not per position
                    int slot = p & (size - 1), count = Math.min(end - p, size - slot);
                    float[] page = kv.values()[kv.page(p)];
                    int o = kv.offset(p, headOffset) + e;
                    for (int i = 0; i < count; i++, j++, o += width) {
                        FloatVector w = FloatVector.broadcast(F, weights[j]);
                        a0 = FloatVector.fromArray(F, page, o).fma(w, a0);
                        if (vectors > 1) a1 = FloatVector.fromArray(F, page, o + L).fma(w, a1);
                        if (vectors > 2) a2 = FloatVector.fromArray(F, page, o + 2 * L).fma(w, a2);
                        if (vectors > 3) a3 = FloatVector.fromArray(F, page, o + 3 * L).fma(w, a3);
                    }
                    p += count;
                }
            }
            a0.intoArray(out, outOffset + e);
            if (vectors > 1) a1.intoArray(out, outOffset + e + L);
            if (vectors > 2) a2.intoArray(out, outOffset + e + 2 * L);
            if (vectors > 3) a3.intoArray(out, outOffset + e + 3 * L);
        }
        for (e = bound; e < headSize; e++) {
            float a = 0f;
            int j = 0;
            for (int r = firstRange; r < firstRange + rangeCount; r++) {
                for (int p = ranges[2 * r]; p < ranges[2 * r + 1]; p++, j++) a = Math.fma(kv.values()[kv.page(p)][kv.offset(p, headOffset) + e], weights[j], a);
            }
            out[outOffset + e] = a;
        }
    }

    private static float dot(float[] a, int aOffset, float[] b, int bOffset, int n, float[] lanes) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            acc = FloatVector.fromArray(F, a, aOffset + i).fma(FloatVector.fromArray(F, b, bOffset + i), acc);
        }
        acc.intoArray(lanes, 0);
        float s = Lanes.sum(lanes, 0);
        for (; i < n; i++) s = Math.fma(a[aOffset + i], b[bOffset + i], s);
        return s;
    }
}
