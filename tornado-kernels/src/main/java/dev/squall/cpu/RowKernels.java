package dev.squall.cpu;

import dev.squall.format.BF16;
import dev.squall.format.F16;
import dev.squall.format.F32;
import dev.squall.format.FP8;
import dev.squall.format.MXFP4;
import dev.squall.format.MXFP8;
import dev.squall.format.NVFP4;
import dev.squall.format.Q4_0;
import dev.squall.format.Q4_K;
import dev.squall.format.Q6_K;
import dev.squall.format.Q8_0;
import dev.squall.format.WeightFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * Chooses the {@link RowKernel} of a weight format, once, when a plan is built.
 *
 * <p>The system property {@value #PROPERTY} picks the family: {@code vector} (the default) runs the
 * Vector API kernels, {@code scalar} runs {@link ScalarRowKernel} for every format, to tell a
 * kernel bug from a model bug. A format without a vector kernel (or quantized formats on a machine
 * whose float vectors have fewer than 8 lanes) gets the scalar kernel either way.
 *
 * <p>Each vector kernel is its own final class with its own loops, even where two look alike
 * (F16 and BF16): the JIT must inline the widening into the loop for the Vector API to compile to
 * vector instructions, which a loop shared behind a virtual call would prevent.
 */
public final class RowKernels {

    public static final String PROPERTY = "squall.kernels";

    private RowKernels() {}

    /**
     * The kernel to use for {@code format}, as {@value #PROPERTY} asks.
     *
     * @throws IllegalArgumentException when the property is neither {@code vector} nor {@code scalar}
     */
    public static RowKernel forFormat(WeightFormat format) {
        String family = System.getProperty(PROPERTY, "vector").toLowerCase(Locale.ROOT);
        return switch (family) {
            case "vector" -> vector(format).orElseGet(() -> scalar(format));
            case "scalar" -> scalar(format);
            default -> throw new IllegalArgumentException(
                    "-D" + PROPERTY + "=" + family + ": expected 'vector' or 'scalar'");
        };
    }

    /** The Vector API kernel of {@code format}, or empty when it has none on this machine. */
    public static Optional<RowKernel> vector(WeightFormat format) {
        RowKernel kernel = switch (format) {
            case F32 _ -> F32RowKernel.INSTANCE;
            case F16 _ -> F16RowKernel.INSTANCE;
            case BF16 _ -> BF16RowKernel.INSTANCE;
            case Q8_0 _ -> Lanes.QUANTIZED ? Q8_0RowKernel.INSTANCE : null;
            case Q4_0 _ -> Lanes.QUANTIZED ? Q4_0RowKernel.INSTANCE : null;
            case Q4_K _ -> Lanes.QUANTIZED ? Q4_KRowKernel.INSTANCE : null;
            case Q6_K _ -> Lanes.QUANTIZED ? Q6_KRowKernel.INSTANCE : null;
            case MXFP4 _ -> Lanes.QUANTIZED ? MXFP4RowKernel.INSTANCE : null;
            case NVFP4 f -> Lanes.QUANTIZED ? NVFP4RowKernel.of(f) : null;
            case MXFP8 f -> !Lanes.QUANTIZED ? null : f == MXFP8.E4M3 ? MXFP8_E4M3RowKernel.INSTANCE : MXFP8_E5M2RowKernel.INSTANCE;
            case FP8 f -> !Lanes.QUANTIZED ? null : f == FP8.E4M3 ? FP8_E4M3RowKernel.INSTANCE : FP8_E5M2RowKernel.INSTANCE;
            default -> null;
        };
        return Optional.ofNullable(kernel);
    }

    /** The scalar kernel of {@code format}: its oracle decode, streamed (works for any format). */
    public static RowKernel scalar(WeightFormat format) {
        return new ScalarRowKernel(format);
    }
}
