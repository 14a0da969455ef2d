package dev.squall.validation.quant;

/**
 * How far Squall's logits are from llama.cpp's on an FP4 model, and how far they may be.
 *
 * <p><b>Why they differ.</b> Both decode the same weight bytes to the same values. llama.cpp's CPU
 * backend, however, multiplies MXFP4 and NVFP4 weights by activations rounded to Q8_0
 * ({@code vec_dot_type = GGML_TYPE_Q8_0} in {@code ggml-cpu.c}: blocks of 32 sharing
 * {@code d = amax/127}, stored as F16), while Squall keeps the activations in F32. Rounding x to a
 * grid of step d leaves an error uniform in ±d/2, E e² = d²/12, independent of the weights, so a
 * matmul's output carries the relative error of its input: per block
 * {@code Σe² = 32·amax²/(12·127²) ≤ 32/(12·127²)·Σx²} (the worst block holds all its energy in one
 * value), plus {@code 2^-22} for the F16 scale: NMSE ≤ 1.66e-4 per matmul. Errors of independent
 * matmuls add (RMSNorm is scale-invariant, a branch's error enters the residual without growing),
 * so the logits' NMSE per position is bounded by {@code matmuls × 1.66e-4}: 15 matmuls (7 per layer
 * and the output projection) give 2.5e-3. Typical activations sit well below that worst case; the
 * cases also add up {@code |q8(x) - x|² / |x|²} over the actual matmul inputs, the NMSE expected
 * here.
 *
 * <p><b>Top-1 and greedy.</b> A logit error of RMS σ flips the top token only where the top two are
 * closer than a few σ: positions whose reference margin exceeds {@link #DECISIVE} σ must agree;
 * greedy decoding must agree up to the first step whose margin is below that.
 */
final class LogitGap {

    private LogitGap() {}

    /** The NMSE one matmul's output may carry from Q8_0-rounded inputs. */
    static final double Q8_0_MATMUL_NMSE = 32 / (12.0 * 127 * 127) + Math.scalb(1.0, -22);

    /** Margins (in logit-error RMS) beyond which the top token must agree. */
    static final double DECISIVE = 6;

    /** Σ(a-r)² / Σr² in double. */
    static double nmse(float[] actual, float[] reference) {
        double e = 0, r = 0;
        for (int i = 0; i < reference.length; i++) {
            double d = (double) actual[i] - reference[i];
            e += d * d;
            r += (double) reference[i] * reference[i];
        }
        return r == 0 ? (e == 0 ? 0 : Double.POSITIVE_INFINITY) : e / r;
    }

    /** RMS of the difference. */
    static double rms(float[] actual, float[] reference) {
        double e = 0;
        for (int i = 0; i < reference.length; i++) {
            double d = (double) actual[i] - reference[i];
            e += d * d;
        }
        return Math.sqrt(e / reference.length);
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    /** The largest logit minus the second largest. */
    static double margin(float[] v) {
        int top = argmax(v);
        double second = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v.length; i++) if (i != top) second = Math.max(second, v[i]);
        return v[top] - second;
    }
}
