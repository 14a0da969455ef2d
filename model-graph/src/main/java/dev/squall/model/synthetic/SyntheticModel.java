package dev.squall.model.synthetic;

import dev.squall.format.GgmlType;
import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.gguf.GgufMetadata;
import dev.squall.gguf.GgufWriter;
import dev.squall.model.ModelFamily;
import dev.squall.model.VocabularyKeys;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;
import java.util.stream.IntStream;

/**
 * Writes a {@link ModelSpec} as a GGUF file that llama.cpp and Squall both load: the metadata keys
 * and tensor names of llama.cpp's converters, seeded random weights.
 *
 * <p>Weights: matrices ~ N(0, 0.02²) (GPT-2's initialization, which keeps logits in a few units),
 * norm gains ~ 1 + N(0, 0.1²), biases ~ N(0, 0.02²). Each row draws from its own stream seeded by
 * the model seed, the tensor name and the row, so files are identical whatever the thread count,
 * and the F16/Q8_0/Q4_0 variants of a spec are encodings of the very same F32 values.
 */
public final class SyntheticModel {

    private SyntheticModel() {}

    private static final double MATRIX_STD = 0.02;
    private static final double NORM_STD = 0.1;

    /** Writes the model with GGUF's default alignment of 32 bytes; {@code progress} (may be null) sees the bytes of weights written so far. */
    public static void write(ModelSpec s, Path path, LongConsumer progress) {
        write(s, path, progress, 32);
    }

    /** Writes the model with its tensor data on {@code alignment}-byte boundaries ({@code general.alignment}). */
    public static void write(ModelSpec s, Path path, LongConsumer progress, int alignment) {
        GgufWriter w = new GgufWriter();
        metadata(s, w.metadata());
        if (alignment != 32) w.metadata().putUint32("general.alignment", alignment);
        long[] written = {0};
        String a = s.family().architecture();
        int d = s.embedding(), qw = s.heads() * s.headSize(), kvw = s.kvHeads() * s.headSize(), v = s.vocabulary().size();
        matrix(w, s, ModelFamily.TOKEN_EMBEDDING, d, v, written, progress);
        vector(w, s, ModelFamily.OUTPUT_NORM, d, 1, NORM_STD);
        if (!s.tiedOutput()) matrix(w, s, ModelFamily.OUTPUT, d, v, written, progress);
        if (s.ropeScaling() != null) {
            float[] f = s.ropeScaling().factors(s.headSize(), s.ropeBase());
            w.addTensor(ModelFamily.ROPE_FREQS, GgmlType.F32, new long[] {f.length}, seg -> encodeF32(f, seg));
        }
        for (int i = 0; i < s.layers(); i++) {
            ModelFamily.LayerNames n = s.family().layer(i);
            vector(w, s, n.attnNorm(), d, 1, NORM_STD);
            matrix(w, s, n.q(), d, qw, written, progress);
            matrix(w, s, n.k(), d, kvw, written, progress);
            matrix(w, s, n.v(), d, kvw, written, progress);
            if (s.family() == ModelFamily.QWEN2) {
                vector(w, s, n.qBias(), qw, 0, MATRIX_STD);
                vector(w, s, n.kBias(), kvw, 0, MATRIX_STD);
                vector(w, s, n.vBias(), kvw, 0, MATRIX_STD);
            }
            if (s.family() == ModelFamily.QWEN3) {
                vector(w, s, n.qNorm(), s.headSize(), 1, NORM_STD);
                vector(w, s, n.kNorm(), s.headSize(), 1, NORM_STD);
            }
            matrix(w, s, n.output(), qw, d, written, progress);
            vector(w, s, n.ffnNorm(), d, 1, NORM_STD);
            matrix(w, s, n.gate(), d, s.ffn(), written, progress);
            matrix(w, s, n.up(), d, s.ffn(), written, progress);
            matrix(w, s, n.down(), s.ffn(), d, written, progress);
        }
        w.write(path);
    }

    private static void metadata(ModelSpec s, GgufMetadata.Builder md) {
        String a = s.family().architecture() + ".";
        md.putString("general.architecture", s.family().architecture());
        md.putString("general.name", s.name());
        md.putString("general.description", "Squall synthetic model: seeded random weights (seed " + s.seed() + "), not trained");
        md.putUint32("general.file_type", fileType(s.matrixFormat()));
        md.putUint32(a + "context_length", s.contextLength());
        md.putUint32(a + "embedding_length", s.embedding());
        md.putUint32(a + "block_count", s.layers());
        md.putUint32(a + "feed_forward_length", s.ffn());
        md.putUint32(a + "attention.head_count", s.heads());
        md.putUint32(a + "attention.head_count_kv", s.kvHeads());
        md.putUint32(a + "attention.key_length", s.headSize());
        md.putUint32(a + "attention.value_length", s.headSize());
        md.putUint32(a + "rope.dimension_count", s.headSize());
        md.putFloat32(a + "rope.freq_base", s.ropeBase());
        md.putFloat32(a + "attention.layer_norm_rms_epsilon", 1e-5f);
        md.putUint32(a + "vocab_size", s.vocabulary().size());
        VocabularyKeys.write(s.vocabulary(), md);
    }

    /** llama.cpp's {@code llama_ftype} for a file whose matrices are all in one format. */
    private static int fileType(WeightFormat f) {
        return switch (f.name()) {
            case "F32" -> 0;
            case "F16" -> 1;
            case "Q4_0" -> 2;
            case "Q8_0" -> 7;
            case "Q4_K" -> 15;
            case "Q6_K" -> 18;
            case "BF16" -> 32;
            default -> 0;
        };
    }

    private static void matrix(GgufWriter w, ModelSpec s, String name, int cols, int rows, long[] written, LongConsumer progress) {
        WeightFormat f = s.matrixFormat();
        long rowBytes = f.rowBytes(cols);
        w.addTensor(name, type(f), new long[] {cols, rows}, seg -> {
            IntStream.range(0, rows).parallel().forEach(r -> {
                float[] row = gaussians(s.seed(), name, r, cols, 0, MATRIX_STD);
                f.encode(row, 0, cols, seg, r * rowBytes);
            });
            written[0] += seg.byteSize();
            if (progress != null) progress.accept(written[0]);
        });
    }

    private static void vector(GgufWriter w, ModelSpec s, String name, int n, double mean, double std) {
        float[] values = gaussians(s.seed(), name, 0, n, mean, std);
        w.addTensor(name, GgmlType.F32, new long[] {n}, seg -> encodeF32(values, seg));
    }

    private static void encodeF32(float[] values, MemorySegment seg) {
        WeightFormats.F32.encode(values, 0, values.length, seg, 0);
    }

    private static GgmlType type(WeightFormat f) {
        return GgmlType.fromId(f.ggmlType()).orElseThrow();
    }

    /** Row {@code row} of tensor {@code name}: n draws of N(mean, std²) from its own stream. */
    static float[] gaussians(long seed, String name, int row, int n, double mean, double std) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ name.hashCode() * 0xC2B2AE3D27D4EB4FL ^ row);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) (mean + std * r.nextGaussian());
        return out;
    }
}
