package dev.squall.validation.model;

import dev.squall.format.WeightFormat;

/**
 * How llama.cpp's CPU backend rounds the input of a weight matmul, and the logit error that this
 * rounding alone explains: the pass threshold of a quantized model's parity case.
 *
 * <p><b>What llama.cpp does.</b> Before {@code W·x} it converts x to the weight type's
 * {@code vec_dot_type} ({@code ggml-cpu/ggml-cpu.c}, {@code type_traits_cpu}): Q8_0 for Q4_0 and
 * Q8_0 weights, Q8_K for Q4_K and Q6_K, F16 for F16 (the repacked 8×8 kernels that x86 uses for
 * Q4_0 and Q4_K quantize x the same way); F32 weights take x as it is. Squall keeps x in F32 and decodes the weights exactly, so with the same weight
 * bytes on both sides, this rounding is the expected difference (besides F32 summation order).
 *
 * <p><b>Per matmul.</b> Rounding x to a grid of step d leaves an error e uniform in [−d/2, d/2]
 * with E e² = d²/12, independent of the weights; for weight rows drawn independently of e,
 * E|W·e|² / |W·x|² = |e|² / |x|², so a matmul's output carries the NMSE of its rounded input:
 * <ul>
 * <li>Q8_0: blocks of B = 32 share d = amax/127, so Σ_block e² = 32·amax²/(12·127²); since
 *     Σ_block x² ≥ amax² (the worst block shape: one value holds all the energy), NMSE ≤
 *     32/(12·127²) = 1.65e-4. The scale is stored as F16, a relative error ≤ 2⁻¹¹ on every value
 *     of the block: + 2⁻²² in the worst case.</li>
 * <li>Q8_K: blocks of B = 256, d = amax/127 kept in F32: NMSE ≤ 256/(12·127²) = 1.32e-3.</li>
 * <li>F16: the step is at most 2⁻¹⁰·|x| (an F16 ulp, 11 significant bits), so E e² ≤ 2⁻²⁰x²/12:
 *     NMSE ≤ 2⁻²⁰/12 = 7.9e-8.</li>
 * </ul>
 *
 * <p><b>Along the path.</b> Every weight matmul's output carries the error of its rounded input:
 * q, k, v, attention output, gate, up and down per layer, and the output projection, 15 matmuls
 * for two layers. Their errors are independent, so their NMSEs add, as long as no later operator
 * amplifies a relative error: RMSNorm is scale-invariant; a branch's error enters the residual,
 * whose norm is at least the branch's (uncorrelated, they add in quadrature); SwiGLU's product
 * carries the relative errors of its two factors, each counted as a matmul; softmax over the small
 * scores of these random models is close to linear. The threshold per position is therefore
 * {@code matmuls × matmulNmse()}. llama.cpp's roundings also react to each other (a difference
 * upstream flips a rounding downstream, see {@link ReferenceForward}), but that changes which
 * rounding errors occur, not how large they are. The assumptions are checked by experiment, not
 * trusted: each quantized case also runs {@link ReferenceForward} with this very rounding emulated
 * and reports how closely it reproduces llama.cpp and how far it lies from Squall.
 */
enum ActivationRounding {
    /** F32 weights: llama.cpp multiplies by x as it is. */
    NONE("F32", 1, 0),
    F16("F16", 1, Math.scalb(1.0, -20) / 12),
    Q8_0("Q8_0", 32, 32 / (12.0 * 127 * 127) + Math.scalb(1.0, -22)),
    Q8_K("Q8_K", 256, 256 / (12.0 * 127 * 127));

    private final String typeName;
    private final int block;
    private final double matmulNmse;

    ActivationRounding(String typeName, int block, double matmulNmse) {
        this.typeName = typeName;
        this.block = block;
        this.matmulNmse = matmulNmse;
    }

    /** The ggml type llama.cpp converts matmul inputs to, e.g. {@code Q8_K}. */
    String typeName() { return typeName; }

    /** The bound on the NMSE that this rounding adds to one matmul's output. */
    double matmulNmse() { return matmulNmse; }

    /** The bound on the logits' NMSE after {@code matmuls} rounded matmuls on the path. */
    double threshold(int matmuls) { return matmuls * matmulNmse; }

    /** The rounding llama.cpp applies before a matmul with weights in {@code f}. */
    static ActivationRounding forWeights(WeightFormat f) {
        return switch (f.name()) {
            case "F32" -> NONE;
            case "F16" -> F16;
            case "Q8_0", "Q4_0", "MXFP4", "NVFP4" -> Q8_0;
            case "Q4_K", "Q6_K" -> Q8_K;
            default -> throw new IllegalArgumentException("no activation rounding known for weights in " + f.name()
                    + " (known: F32, F16, Q8_0, Q4_0, Q4_K, Q6_K, MXFP4, NVFP4)");
        };
    }

    /**
     * Rounds {@code x[offset..offset+n)} in place to the values llama.cpp's x86 quantizer produces
     * and its dot products then see ({@code quantize_row_q8_0} of {@code arch/x86/quants.c},
     * {@code quantize_row_q8_K_ref}, F16C's round-to-nearest-even).
     */
    void round(float[] x, int offset, int n) {
        if (n % block != 0) throw new IllegalArgumentException(typeName + ": a row of " + n + " values is not a whole number of blocks of " + block);
        switch (this) {
            case NONE -> { }
            case F16 -> {
                for (int i = offset; i < offset + n; i++) x[i] = Float.float16ToFloat(Float.floatToFloat16(x[i]));
            }
            case Q8_0 -> {
                for (int b = offset; b < offset + n; b += block) roundQ8_0(x, b);
            }
            case Q8_K -> {
                for (int b = offset; b < offset + n; b += block) roundQ8_K(x, b);
            }
        }
    }

    /** d = amax/127 stored as F16; q = round-half-even(x · 127/amax). */
    private static void roundQ8_0(float[] x, int b) {
        float amax = 0;
        for (int i = b; i < b + 32; i++) amax = Math.max(amax, Math.abs(x[i]));
        float d = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
        float id = amax != 0 ? 127f / amax : 0f;
        for (int i = b; i < b + 32; i++) x[i] = (int) Math.rint(x[i] * id) * d;
    }

    /** The signed value of largest magnitude m: iscale = −127/m, q = min(127, round(iscale · x)), d = 1/iscale. */
    private static void roundQ8_K(float[] x, int b) {
        float max = 0, amax = 0;
        for (int i = b; i < b + 256; i++) {
            float ax = Math.abs(x[i]);
            if (ax > amax) {
                amax = ax;
                max = x[i];
            }
        }
        if (amax == 0) {
            java.util.Arrays.fill(x, b, b + 256, 0f);
            return;
        }
        float iscale = -127f / max, d = 1 / iscale;
        for (int i = b; i < b + 256; i++) x[i] = Math.min(127, (int) Math.rint(iscale * x[i])) * d;
    }
}
