package dev.squall.validation.quant;

import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.gguf.GgufFile;
import dev.squall.model.ModelFamily;
import dev.squall.model.synthetic.ModelSpec;
import dev.squall.model.synthetic.SyntheticModel;
import dev.squall.quant.QuantizeFile;
import dev.squall.quant.QuantizeOptions;
import dev.squall.tokenizer.SampleVocabulary;
import dev.squall.tokenizer.Vocabulary;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The model of the FP4 parity cases: a generated llama (dim 256, 2 layers, 4 query heads over 2 KV
 * heads of 64, FFN 768, a 384-token sample vocabulary, untied output), written in F32 and then
 * quantized by Squall ({@link QuantizeFile}) to each target; the prompt is 224 seeded token ids
 * after BOS. Everything depends only on the seeds, so the quantized file is the same bytes on every
 * machine, which its SHA-256 in the reference checks.
 */
final class QuantParityModel {

    private QuantParityModel() {}

    /** A quantization target of the parity cases. */
    record Target(String name, WeightFormat format) {}

    /** MXFP4 (ggml type 39) and NVFP4 (ggml type 40 with tensor scales as {@code .scale} tensors). */
    static final List<Target> TARGETS = List.of(new Target("mxfp4", WeightFormats.MXFP4), new Target("nvfp4", WeightFormats.NVFP4));

    static final int PROMPT_TOKENS = 224;
    static final int GREEDY_STEPS = 64;
    private static final long PROMPT_SEED = 20261127L;

    private static final Vocabulary VOCABULARY = SampleVocabulary.generate(384, 17);

    static ModelSpec spec() {
        return new ModelSpec("quant-llama-d256", ModelFamily.LLAMA, 256, 2, 4, 2, 64, 768, VOCABULARY, false,
                10000f, null, 2048, WeightFormats.F32, 31);
    }

    /** The case name, e.g. {@code quant-llama-d256-mxfp4}. */
    static String modelName(Target t) {
        return spec().name() + "-" + t.name();
    }

    /** BOS then seeded ids of ordinary tokens (past the 3 specials). */
    static int[] prompt() {
        SplittableRandom r = new SplittableRandom(PROMPT_SEED);
        int[] ids = new int[PROMPT_TOKENS];
        ids[0] = 1;
        for (int i = 1; i < ids.length; i++) ids[i] = 3 + r.nextInt(VOCABULARY.size() - 3);
        return ids;
    }

    /** Writes the F32 model (once) and its quantization to {@code t} in {@code dir}; returns the quantized file. */
    static Path write(Path dir, Target t) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        Path f32 = dir.resolve(spec().name() + "-f32.gguf");
        if (!Files.isRegularFile(f32)) SyntheticModel.write(spec(), f32, null);
        Path out = dir.resolve(modelName(t) + ".gguf");
        try (GgufFile in = GgufFile.open(f32)) {
            new QuantizeFile(in, QuantizeOptions.to(t.format())).write(out, null);
        }
        return out;
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
