package dev.squall.ops;

import dev.squall.cpu.Lanes;
import jdk.incubator.vector.FloatVector;
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

    /** Where one layer of one sequence keeps its keys and values. */
    public record KvPages(float[][] keys, float[][] values, int[] pageTable, int pageShift, int kvWidth) {
        int page(int pos) { return pageTable[pos >>> pageShift]; }
        int offset(int pos, int headOffset) { return (pos & ((1 << pageShift) - 1)) * kvWidth + headOffset; }
    }

    /** The definition, in double. */
    public static void oracle(float[] q, int qOffset, int headSize, float scale, KvPages kv, int headOffset,
                              int[] ranges, int rangeCount, float[] out, int outOffset) {
        int n = 0;
        for (int r = 0; r < rangeCount; r++) n += ranges[2 * r + 1] - ranges[2 * r];
        double[] s = new double[n];
        double max = Double.NEGATIVE_INFINITY;
        int j = 0;
        for (int r = 0; r < rangeCount; r++) {
            for (int p = ranges[2 * r]; p < ranges[2 * r + 1]; p++, j++) {
                float[] page = kv.keys()[kv.page(p)];
                int o = kv.offset(p, headOffset);
                double dot = 0;
                for (int i = 0; i < headSize; i++) dot += (double) q[qOffset + i] * page[o + i];
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
                float[] page = kv.values()[kv.page(p)];
                int o = kv.offset(p, headOffset);
                for (int i = 0; i < headSize; i++) acc[i] += s[j] / sum * page[o + i];
            }
        }
        for (int i = 0; i < headSize; i++) out[outOffset + i] = (float) acc[i];
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
        int n = 0;
        float max = Float.NEGATIVE_INFINITY;
        float[] lanes = new float[F.length()];
        for (int r = firstRange; r < firstRange + rangeCount; r++) {
            for (int p = ranges[2 * r]; p < ranges[2 * r + 1]; p++) {
                float s = dot(q, qOffset, kv.keys()[kv.page(p)], kv.offset(p, headOffset), headSize, lanes) * scale;
                scores[n++] = s;
                max = Math.max(max, s);
            }
        }
        float sum = Softmax.expShifted(scores, 0, n, max);
        float inv = 1f / sum;
        int bound = F.loopBound(headSize);
        for (int i = 0; i < headSize; i++) out[outOffset + i] = 0f;
        int j = 0;
        for (int r = firstRange; r < firstRange + rangeCount; r++) {
            for (int p = ranges[2 * r]; p < ranges[2 * r + 1]; p++, j++) {
                float weight = scores[j] * inv;
                float[] page = kv.values()[kv.page(p)];
                int o = kv.offset(p, headOffset);
                int i = 0;
                for (; i < bound; i += F.length()) {
                    FloatVector.fromArray(F, page, o + i)
                            .fma(FloatVector.broadcast(F, weight), FloatVector.fromArray(F, out, outOffset + i))
                            .intoArray(out, outOffset + i);
                }
                for (; i < headSize; i++) out[outOffset + i] = Math.fma(page[o + i], weight, out[outOffset + i]);
            }
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
