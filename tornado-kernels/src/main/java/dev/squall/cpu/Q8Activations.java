package dev.squall.cpu;

import dev.squall.format.F16;

/**
 * Activations rounded to Q8_0 for the exact int8 path ({@code --activations q8}): each token's row
 * of {@code k} floats in blocks of 32, each block an fp16 scale {@code d} and 32 integers in
 * [-127, 127], stored widened to shorts so that every weight row reuses them without widening again.
 *
 * <p>The rounding is llama.cpp's x86 {@code quantize_row_q8_0}: {@code amax} the largest magnitude
 * of the block, {@code d = amax / 127} stored as fp16, {@code q = rint(x · 127 / amax)} (to
 * nearest, ties to even), an all-zero block all zeros. A token is quantized once per matrix input
 * and then read by every row of every matrix that takes that input.
 */
public final class Q8Activations {

    public static final int BLOCK = 32;

    private short[] q = new short[0];
    private float[] d = new float[0];
    private int tokens, width;

    /** Rounds rows {@code [0, tokens)} of {@code x} (each {@code width} floats, a multiple of 32, row-major). */
    public void quantize(float[] x, int tokens, int width) {
        if (width % BLOCK != 0) throw new IllegalArgumentException("q8 activations need a width that is a multiple of " + BLOCK + ": " + width);
        if (q.length < tokens * width) {
            q = new short[tokens * width];
            d = new float[tokens * width / BLOCK];
        }
        this.tokens = tokens;
        this.width = width;
        for (int b = 0; b < tokens * width / BLOCK; b++) block(x, b * BLOCK, q, d, b);
    }

    /** One block: {@code q[at ..+32)} and {@code d[block]} from {@code x[at ..+32)}. */
    static void block(float[] x, int at, short[] q, float[] d, int block) {
        float amax = 0;
        for (int i = 0; i < BLOCK; i++) amax = Math.max(amax, Math.abs(x[at + i]));
        d[block] = F16.toFloat(F16.toBits(amax / 127f));
        float id = amax != 0 ? 127f / amax : 0f;
        for (int i = 0; i < BLOCK; i++) q[at + i] = (short) Math.rint(x[at + i] * id);
    }

    /** The rounded integers, token t's at {@code [t · width, (t + 1) · width)}. */
    public short[] q() { return q; }

    /** The block scales, token t's at {@code [t · width / 32, (t + 1) · width / 32)}. */
    public float[] d() { return d; }

    public int tokens() { return tokens; }

    public int width() { return width; }
}
