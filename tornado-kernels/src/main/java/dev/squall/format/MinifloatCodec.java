package dev.squall.format;

/**
 * Any minifloat element format ExMy with a scale per block of {@code block} elements (a power-of-two
 * E8M0 scale, OCP MX style) or one FP32 scale per row ({@link #PER_ROW}): the general codec the
 * format study sweeps. It quantizes and dequantizes ("fake quantization") without a byte layout.
 *
 * <p>The rules are those of the stored formats, from the same two places ({@link E8M0#sharedScale},
 * {@link Minifloat#encode}): E4M3 or E5M2 with {@code block = 32} gives exactly the values of
 * {@link MXFP8}, and with {@link #PER_ROW} those of {@link FP8}. With E2M1 and 32 it is OCP MXFP4,
 * which differs from ggml's {@link MXFP4} encoder only at exact midpoints, in the sign of a
 * negative value that rounds to zero, and for a block whose amax lies a few floats below a power of
 * two (see {@link MXFP4}).
 *
 * @param element the element format
 * @param block   elements per E8M0 scale, or {@link #PER_ROW} for one FP32 scale per row
 */
public record MinifloatCodec(Minifloat element, int block) {

    /** One FP32 scale per row ({@code amax / max}). */
    public static final int PER_ROW = 0;

    public MinifloatCodec {
        if (block < 0) throw new IllegalArgumentException("block size " + block + ": expected a positive size or PER_ROW (0)");
    }

    /**
     * Quantizes {@code src[srcOffset..srcOffset+n)} (one row, or a whole number of blocks) and
     * writes the values it decodes to into {@code dst[dstOffset..)}; {@code dst} may be {@code src}.
     *
     * @throws IllegalArgumentException when n is not a multiple of the block size
     */
    public void roundTrip(float[] src, int srcOffset, int n, float[] dst, int dstOffset) {
        if (block == PER_ROW) {
            scaled(src, srcOffset, n, dst, dstOffset, rowScale(src, srcOffset, n));
            return;
        }
        if (n % block != 0) {
            throw new IllegalArgumentException(this + ": a row of " + n + " elements is not a multiple of the block size " + block);
        }
        for (int b = 0; b < n; b += block) {
            float amax = 0f;
            boolean finite = true;
            for (int i = 0; i < block; i++) {
                float v = src[srcOffset + b + i];
                finite &= Float.isFinite(v);
                amax = Math.max(amax, Math.abs(v));
            }
            int e = finite ? E8M0.sharedScale(amax, element.maxExponent()) : E8M0.NAN;
            scaled(src, srcOffset + b, block, dst, dstOffset + b, E8M0.toFloat(e));
        }
    }

    /** The FP32 row scale of {@link FP8}: amax / max, NaN when the row holds a NaN or an infinity. */
    private float rowScale(float[] src, int offset, int n) {
        float amax = 0f;
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(src[offset + i])) return Float.NaN;
            amax = Math.max(amax, Math.abs(src[offset + i]));
        }
        return amax / element.max();
    }

    private void scaled(float[] src, int srcOffset, int n, float[] dst, int dstOffset, float scale) {
        if (Float.isNaN(scale)) {
            for (int i = 0; i < n; i++) dst[dstOffset + i] = Float.NaN;
        } else if (scale == 0f) {
            for (int i = 0; i < n; i++) dst[dstOffset + i] = 0f;   // an all-zero row: codes 0, scale 0
        } else {
            for (int i = 0; i < n; i++) dst[dstOffset + i] = element.round(src[srcOffset + i] / scale) * scale;
        }
    }

    /** Bits per weight, scales included: element bits + 8 / block, or + 32 / rowLength per row. */
    public double bitsPerWeight(int rowLength) {
        return element.bits() + (block == PER_ROW ? 32.0 / rowLength : 8.0 / block);
    }

    /** E4M3/32, E2M1/row, … */
    public String name() {
        return element.name() + "/" + (block == PER_ROW ? "row" : Integer.toString(block));
    }

    @Override public String toString() { return name(); }
}
