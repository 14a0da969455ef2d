package dev.squall.model;

import dev.squall.gguf.GgufMetadata;
import dev.squall.graph.RopeSpec;
import java.util.Optional;

/**
 * Reads a {@link ModelConfig} from GGUF metadata, with llama.cpp's defaults for optional keys:
 * {@code head_count_kv} = heads, {@code key_length} = embedding / heads,
 * {@code rope.dimension_count} = head size, {@code rope.freq_base} = 10000,
 * {@code attention.layer_norm_rms_epsilon} = 1e-5 (llama) / 1e-6 (qwen).
 */
public final class ModelConfigs {

    private ModelConfigs() {}

    /** The widest activation accepted (heads × head size, embedding, feed-forward): far above any real model, well below int overflow. */
    static final int MAX_WIDTH = 1 << 24;

    public static ModelConfig read(GgufMetadata md, ModelFamily family, int vocabRows, Optional<float[]> ropeFreqs) {
        String a = family.architecture() + ".";
        String file = md.source();
        int d = width(md, a + "embedding_length", md.getInt(a + "embedding_length"));
        int layers = positive(md, a + "block_count", md.getInt(a + "block_count"));
        int ffn = width(md, a + "feed_forward_length", md.getInt(a + "feed_forward_length"));
        int heads = positive(md, a + "attention.head_count", md.getInt(a + "attention.head_count"));
        int kvHeads = positive(md, a + "attention.head_count_kv", md.getInt(a + "attention.head_count_kv", heads));
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(file + ": " + a + "attention.head_count = " + heads
                    + " is not a multiple of " + a + "attention.head_count_kv = " + kvHeads);
        }
        if (d % heads != 0 && !md.contains(a + "attention.key_length")) {
            throw new IllegalArgumentException(file + ": " + a + "embedding_length = " + d + " is not a multiple of "
                    + a + "attention.head_count = " + heads + " and " + a + "attention.key_length is absent");
        }
        int headSize = width(md, a + "attention.key_length", md.getInt(a + "attention.key_length", d / heads));
        if ((long) heads * headSize > MAX_WIDTH) {
            throw new IllegalArgumentException(file + ": " + a + "attention.head_count = " + heads + " × key_length " + headSize
                    + " = " + (long) heads * headSize + " is more than the " + MAX_WIDTH + " query columns Squall supports");
        }
        int valueSize = md.getInt(a + "attention.value_length", headSize);
        if (valueSize != headSize) {
            throw new IllegalArgumentException(file + ": " + a + "attention.value_length = " + valueSize
                    + " differs from key_length = " + headSize + ", which Squall does not support");
        }
        int ropeDims = positive(md, a + "rope.dimension_count", md.getInt(a + "rope.dimension_count", headSize));
        if (ropeDims > headSize || ropeDims % 2 != 0) {
            throw new IllegalArgumentException(file + ": " + a + "rope.dimension_count = " + ropeDims
                    + " must be even and at most the head size " + headSize);
        }
        float base = md.getFloat(a + "rope.freq_base", 10000f);
        float freqScale = ropeFreqScale(md, a, file);
        float eps = md.getFloat(a + "attention.layer_norm_rms_epsilon", family == ModelFamily.LLAMA ? 1e-5f : 1e-6f);
        int context = md.getInt(a + "context_length", 2048);
        float[] factors = ropeFreqs.orElse(null);
        if (factors != null && factors.length != ropeDims / 2) {
            throw new IllegalArgumentException(file + ": tensor '" + ModelFamily.ROPE_FREQS + "' has " + factors.length
                    + " factors, expected " + ropeDims / 2 + " (rope dimension / 2)");
        }
        RopeSpec rope = new RopeSpec(ropeDims, base, freqScale, factors, family.ropePairing());
        String name = md.getString("general.name", family.architecture());
        return new ModelConfig(family.architecture(), name, d, layers, heads, kvHeads, headSize, ffn, vocabRows, context, eps, rope);
    }

    private static float ropeFreqScale(GgufMetadata md, String a, String file) {
        String type = md.getString(a + "rope.scaling.type", "none");
        return switch (type) {
            case "none" -> 1f;
            case "linear" -> 1f / md.getFloat(a + "rope.scaling.factor", 1f);
            default -> throw new IllegalArgumentException(file + ": " + a + "rope.scaling.type = \"" + type
                    + "\" is not supported (supported: none, linear; Llama 3 scaling comes as the tensor "
                    + ModelFamily.ROPE_FREQS + ")");
        };
    }

    private static int width(GgufMetadata md, String key, int value) {
        positive(md, key, value);
        if (value > MAX_WIDTH) throw new IllegalArgumentException(md.source() + ": " + key + " = " + value + " is more than the " + MAX_WIDTH + " Squall supports");
        return value;
    }

    private static int positive(GgufMetadata md, String key, int value) {
        if (value <= 0) throw new IllegalArgumentException(md.source() + ": " + key + " = " + value + " must be positive");
        return value;
    }
}
