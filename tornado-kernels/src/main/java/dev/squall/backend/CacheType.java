package dev.squall.backend;

import java.util.Locale;

/** How a KV cache stores keys or values ({@code --cache-type-k}, {@code --cache-type-v}, named as llama.cpp names them). */
public enum CacheType {
    /** 32-bit floats: the activations as computed. */
    F32,
    /** IEEE binary16, rounded to nearest with ties to even as llama.cpp's F16 cache rounds: half the bytes read per token. */
    F16;

    /** The name the command line uses. */
    public String flag() { return name().toLowerCase(Locale.ROOT); }

    /** Parses the value of {@code flag}; the error names the flag, the value and the choices. */
    public static CacheType parse(String flag, String value) {
        for (CacheType t : values()) if (t.flag().equals(value.toLowerCase(Locale.ROOT))) return t;
        String hint = value.equalsIgnoreCase("q8_0") || value.equalsIgnoreCase("q4_0") ? " (a quantized KV cache is not implemented)" : "";
        throw new IllegalArgumentException(flag + " " + value + ": expected f32 or f16" + hint);
    }
}
