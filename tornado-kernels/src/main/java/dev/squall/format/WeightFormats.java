package dev.squall.format;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The weight formats Squall computes with, by GGUF type and by name (for flags such as {@code --type q4_0}). */
public final class WeightFormats {

    public static final WeightFormat F32 = dev.squall.format.F32.INSTANCE;
    public static final WeightFormat F16 = dev.squall.format.F16.INSTANCE;
    public static final WeightFormat BF16 = dev.squall.format.BF16.INSTANCE;
    public static final WeightFormat Q8_0 = dev.squall.format.Q8_0.INSTANCE;
    public static final WeightFormat Q4_0 = dev.squall.format.Q4_0.INSTANCE;
    public static final WeightFormat Q4_K = dev.squall.format.Q4_K.INSTANCE;
    public static final WeightFormat Q6_K = dev.squall.format.Q6_K.INSTANCE;

    private static final List<WeightFormat> ALL = List.of(F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K);

    private WeightFormats() {}

    /** Every supported format, plain floats first. */
    public static List<WeightFormat> all() {
        return ALL;
    }

    /** The format of a GGUF tensor type, or empty when Squall cannot compute with it. */
    public static Optional<WeightFormat> forType(GgmlType type) {
        return ALL.stream().filter(f -> f.ggmlType() == type.id()).findFirst();
    }

    /**
     * The format called {@code name}, ignoring case ({@code q4_k} is {@link #Q4_K}).
     *
     * @throws IllegalArgumentException naming the supported formats when none is called so
     */
    public static WeightFormat byName(String name) {
        for (WeightFormat f : ALL) {
            if (f.name().equalsIgnoreCase(name)) return f;
        }
        throw new IllegalArgumentException("unknown weight format '" + name + "'; supported: "
                + ALL.stream().map(f -> f.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
    }
}
