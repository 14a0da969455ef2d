package dev.squall.cpu;

import dev.squall.format.F16;

/**
 * Activations rounded to 8-bit integers for the exact int8 path ({@code --activations q8}), as
 * llama.cpp rounds a matmul's input for the weight's {@code vec_dot_type}: each token's row of
 * {@code width} floats in blocks, each block a scale {@code d} and integers stored widened to
 * shorts, so that every weight row reuses them without widening again.
 *
 * <ul>
 * <li>{@link Kind#Q8_0} (Q8_0, Q4_0 and MXFP4 weights), llama.cpp's x86 {@code quantize_row_q8_0}:
 *     blocks of 32, {@code amax} the largest magnitude, {@code d = amax / 127} stored as fp16,
 *     {@code q = rint(x · 127 / amax)} (to nearest, ties to even).</li>
 * <li>{@link Kind#Q8_K} (Q4_K and Q6_K weights), {@code quantize_row_q8_K_ref}: blocks of 256,
 *     {@code max} the value of largest magnitude with its sign, {@code iscale = -127 / max},
 *     {@code q = min(127, rint(iscale · x))}, {@code d = 1 / iscale} kept as a float, and the sum
 *     of the integers of every 32 for the weights' minimums.</li>
 * </ul>
 * An all-zero block is all zeros with {@code d = 0}. A token is rounded once per matrix input and
 * then read by every row of every matrix that takes that input.
 */
public final class Q8Activations {

    /** The two roundings, by block size. */
    public enum Kind {
        Q8_0(32), Q8_K(256);

        public final int block;

        Kind(int block) { this.block = block; }
    }

    /** Elements per partial sum of a {@link Kind#Q8_K} block. */
    public static final int SUM = 32;

    private final Kind kind;
    private short[] q = new short[0];
    private float[] d = new float[0];
    private int[] sums = new int[0];
    private short[] paired = new short[0];
    private float[] groupScales = new float[0];
    private int tokens, width;

    public Q8Activations(Kind kind) { this.kind = kind; }

    public Q8Activations() { this(Kind.Q8_0); }

    public Kind kind() { return kind; }

    /** Rounds rows {@code [0, tokens)} of {@code x} (each {@code width} floats, whole blocks, row-major). */
    public void quantize(float[] x, int tokens, int width) {
        if (width % kind.block != 0) {
            throw new IllegalArgumentException(kind + " activations need a width that is a multiple of " + kind.block + ": " + width);
        }
        if (q.length < tokens * width) {
            q = new short[tokens * width];
            d = new float[tokens * width / kind.block];
            sums = new int[tokens * width / SUM];
        }
        this.tokens = tokens;
        this.width = width;
        int blocks = tokens * width / kind.block;
        for (int b = 0; b < blocks; b++) {
            if (kind == Kind.Q8_0) blockQ8_0(x, b * kind.block, b);
            else blockQ8_K(x, b * kind.block, b);
        }
        if (kind == Kind.Q8_0 && Lanes.QUANTIZED) pairHalves();
    }

    /**
     * Blocks per group of the nibble order: as many as one vector of {@link Lanes#F}-many ints
     * sums, eight lanes per block (two on AVX-512, one on AVX2).
     */
    static final int GROUP = Math.max(1, Lanes.F.length() / 8);

    /**
     * {@link #nibbleOrder} and {@link #groupScales} from {@link #q} and {@link #d}: per group of
     * {@link #GROUP} blocks, the first halves (elements 0-15) of its blocks back to back, then
     * their second halves; blocks after the last whole group stay as they are.
     */
    private void pairHalves() {
        int nb = width / 32, groups = nb / GROUP, L = Lanes.F.length();
        if (paired.length < q.length) paired = new short[q.length];
        if (groupScales.length < tokens * groups * L) groupScales = new float[tokens * groups * L];
        for (int t = 0; t < tokens; t++) {
            int x0 = t * width;
            for (int g = 0; g < groups; g++) {
                int base = x0 + g * 32 * GROUP;
                for (int i = 0; i < GROUP; i++) {
                    System.arraycopy(q, base + 32 * i, paired, base + 16 * i, 16);
                    System.arraycopy(q, base + 32 * i + 16, paired, base + 16 * GROUP + 16 * i, 16);
                }
                for (int l = 0; l < L; l++) groupScales[(t * groups + g) * L + l] = d[t * nb + g * GROUP + l / 8];
            }
            int tail = groups * 32 * GROUP;
            System.arraycopy(q, x0 + tail, paired, x0 + tail, width - tail);
        }
    }

    private void blockQ8_0(float[] x, int at, int block) {
        float amax = 0;
        for (int i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(x[at + i]));
        d[block] = F16.toFloat(F16.toBits(amax / 127f));
        float id = amax != 0 ? 127f / amax : 0f;
        for (int i = 0; i < 32; i++) q[at + i] = (short) Math.rint(x[at + i] * id);
    }

    private void blockQ8_K(float[] x, int at, int block) {
        float max = 0, amax = 0;
        for (int i = 0; i < 256; i++) {
            float a = Math.abs(x[at + i]);
            if (a > amax) {
                amax = a;
                max = x[at + i];
            }
        }
        if (amax == 0) {
            d[block] = 0f;
            java.util.Arrays.fill(q, at, at + 256, (short) 0);
        } else {
            float iscale = -127f / max;
            d[block] = 1 / iscale;
            for (int i = 0; i < 256; i++) q[at + i] = (short) Math.min(127, (int) Math.rint(iscale * x[at + i]));
        }
        for (int s = 0; s < 256 / SUM; s++) {
            int sum = 0;
            for (int i = 0; i < SUM; i++) sum += q[at + s * SUM + i];
            sums[at / SUM + s] = sum;
        }
    }

    /** The rounded integers, token t's at {@code [t · width, (t + 1) · width)}. */
    public short[] q() { return q; }

    /** The block scales, token t's at {@code [t · width / block, (t + 1) · width / block)}. */
    public float[] d() { return d; }

    /** {@link Kind#Q8_K}: the sum of every 32 integers, token t's at {@code [t · width / 32, ..)}. */
    public int[] sums() { return sums; }

    /**
     * {@link Kind#Q8_0}: {@link #q} in nibble order, for Q4_0 weights, whose byte {@code j} of a
     * block holds elements {@code j} and {@code j + 16}: per group of {@link #GROUP} blocks, the
     * blocks' elements 0-15 back to back, then their elements 16-31, so that one vector of a
     * group's code bytes meets its activations in two contiguous loads. Token t's at
     * {@code [t · width, (t + 1) · width)}; blocks after the last whole group as in {@link #q}.
     */
    short[] nibbleOrder() { return paired; }

    /**
     * {@link Kind#Q8_0}: per token and group of {@link #GROUP} blocks, {@link Lanes#F}-many floats,
     * lane {@code l} the scale of block {@code l / 8} of the group (the lanes that block's sums
     * land in after {@link IntDots#pairs}); token t's groups from {@code t · (width / 32 / GROUP) · L}.
     */
    float[] groupScales() { return groupScales; }

    public int tokens() { return tokens; }

    public int width() { return width; }
}
