package dev.squall.format;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The weight formats Squall computes with, by GGUF type and by name (for flags such as
 * {@code --type q4_0}).
 *
 * <p>Names are the ggml type names, in any case, with {@code -} and {@code _} alike:
 * {@code q4_k}, {@code mxfp4}, {@code nvfp4}, {@code mxfp8-e4m3}, {@code mxfp8-e5m2},
 * {@code fp8-e4m3}, {@code fp8-e5m2} (FP8 with one FP32 scale per row); {@code mxfp8} alone is
 * {@code mxfp8-e4m3}, OCP's usual MXFP8.
 */
public final class WeightFormats {

    public static final WeightFormat F32 = dev.squall.format.F32.INSTANCE;
    public static final WeightFormat F16 = dev.squall.format.F16.INSTANCE;
    public static final WeightFormat BF16 = dev.squall.format.BF16.INSTANCE;
    public static final WeightFormat Q8_0 = dev.squall.format.Q8_0.INSTANCE;
    public static final WeightFormat Q4_0 = dev.squall.format.Q4_0.INSTANCE;
    public static final WeightFormat Q4_K = dev.squall.format.Q4_K.INSTANCE;
    public static final WeightFormat Q6_K = dev.squall.format.Q6_K.INSTANCE;
    public static final WeightFormat MXFP4 = dev.squall.format.MXFP4.INSTANCE;
    /** NVFP4 with tensor scale 1; a model's NVFP4 tensors carry their own ({@link NVFP4#withTensorScale}). */
    public static final WeightFormat NVFP4 = dev.squall.format.NVFP4.INSTANCE;
    public static final WeightFormat MXFP8_E4M3 = MXFP8.E4M3;
    public static final WeightFormat MXFP8_E5M2 = MXFP8.E5M2;
    public static final WeightFormat FP8_E4M3 = FP8.E4M3;
    public static final WeightFormat FP8_E5M2 = FP8.E5M2;

    private static final List<WeightFormat> ALL = List.of(F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K,
            MXFP4, NVFP4, MXFP8_E4M3, MXFP8_E5M2, FP8_E4M3, FP8_E5M2);

    private WeightFormats() {}

    /** Every supported format, plain floats first, then ggml's quantized types, then FP4 and FP8. */
    public static List<WeightFormat> all() {
        return ALL;
    }

    /** The format of a GGUF tensor type, or empty when Squall cannot compute with it. */
    public static Optional<WeightFormat> forType(GgmlType type) {
        return ALL.stream().filter(f -> f.ggmlType() == type.id()).findFirst();
    }

    /**
     * The format called {@code name}, ignoring case and taking {@code -} for {@code _}
     * ({@code q4_k} is {@link #Q4_K}, {@code fp8-e4m3} is {@link #FP8_E4M3}); {@code mxfp8} is
     * {@link #MXFP8_E4M3}.
     *
     * @throws IllegalArgumentException naming the supported formats when none is called so
     */
    public static WeightFormat byName(String name) {
        String key = name.replace('-', '_');
        if (key.equalsIgnoreCase("mxfp8")) return MXFP8_E4M3;
        for (WeightFormat f : ALL) {
            if (f.name().equalsIgnoreCase(key)) return f;
        }
        throw new IllegalArgumentException("unknown weight format '" + name + "'; supported: "
                + ALL.stream().map(f -> f.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "))
                + " (mxfp8 = mxfp8_e4m3; '-' and '_' alike)");
    }
}
