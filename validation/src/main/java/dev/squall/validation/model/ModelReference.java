package dev.squall.validation.model;

import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.squall.model.synthetic.ModelSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * llama.cpp's outputs for one catalog model, as committed in
 * {@code validation/references/models/<model>/}: {@code reference.json} (this record) and
 * {@code logits.f32}, the logits of every prompt position as raw little-endian float32,
 * {@code positions × vocab}, row-major.
 *
 * @param model      the catalog name
 * @param spec       the generator's input, to say what changed when the GGUF's hash differs
 * @param ggufSha256 SHA-256 of the GGUF file the generator wrote for {@code spec}
 * @param prompt     the token ids whose logits were taken
 * @param greedy     llama.cpp's greedy continuation of the prompt
 * @param logits     the logits file's name, shape and SHA-256
 * @param settings   how llama-ref was run
 * @param llamaRef   llama-ref {@code info}: the llama.cpp version and CPU backend that produced the outputs
 */
record ModelReference(String model, Spec spec, String ggufSha256, int[] prompt, int[] greedy, LogitsFile logits,
                      Settings settings, Map<String, Object> llamaRef) {

    static final String JSON_FILE = "reference.json";

    /** The generator inputs of a {@link ModelSpec}, the vocabulary by its size and seed. */
    record Spec(String family, int embedding, int layers, int heads, int kvHeads, int headSize, int ffn,
                int vocabularySize, long vocabularySeed, boolean tiedOutput, float ropeBase, ModelSpec.Llama3Scaling ropeScaling,
                int contextLength, String matrixFormat, long seed) {

        static Spec of(ModelSpec s) {
            return new Spec(s.family().architecture(), s.embedding(), s.layers(), s.heads(), s.kvHeads(), s.headSize(), s.ffn(),
                    s.vocabulary().size(), ReferenceCatalog.VOCABULARY_SEED, s.tiedOutput(), s.ropeBase(), s.ropeScaling(),
                    s.contextLength(), s.matrixFormat().name(), s.seed());
        }
    }

    record LogitsFile(String file, int positions, int vocab, String sha256) {}

    /**
     * @param threads        llama-ref {@code -t}
     * @param kvCache        the KV cache type
     * @param flashAttention flash attention on or off
     * @param greedySteps    tokens generated greedily after the prompt
     */
    record Settings(int threads, String kvCache, String flashAttention, int greedySteps) {}

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .setDefaultPrettyPrinter(new DefaultPrettyPrinter().withArrayIndenter(DefaultPrettyPrinter.FixedSpaceIndenter.instance));

    static Path folder(Path references, String model) { return references.resolve("models").resolve(model); }

    /** Reads a committed reference; a missing folder says how to make it. */
    static ModelReference read(Path references, String model) throws IOException {
        Path json = folder(references, model).resolve(JSON_FILE);
        if (!Files.isRegularFile(json)) {
            throw new IllegalStateException("no reference for " + model + " (" + json + "): run validation/references/regenerate.sh");
        }
        ModelReference r = JSON.readValue(json.toFile(), ModelReference.class);
        if (!model.equals(r.model())) throw new IllegalStateException(json + ": model is '" + r.model() + "', expected '" + model + "'");
        if (r.logits().positions() != r.prompt().length) {
            throw new IllegalStateException(json + ": logits.positions = " + r.logits().positions() + ", but the prompt has " + r.prompt().length + " tokens");
        }
        if (r.greedy().length != r.settings().greedySteps()) {
            throw new IllegalStateException(json + ": " + r.greedy().length + " greedy tokens, settings.greedySteps = " + r.settings().greedySteps());
        }
        return r;
    }

    /** The logits, checked against the recorded size and hash. */
    float[] readLogits(Path references) throws IOException {
        Path file = folder(references, model).resolve(logits.file());
        byte[] bytes = Files.readAllBytes(file);
        long expected = (long) logits.positions() * logits.vocab() * Float.BYTES;
        if (bytes.length != expected) {
            throw new IllegalStateException(file + ": " + bytes.length + " bytes, expected " + expected + " (" + logits.positions()
                    + " positions × " + logits.vocab() + " logits × 4)");
        }
        if (!sha256(bytes).equals(logits.sha256())) {
            throw new IllegalStateException(file + ": SHA-256 " + sha256(bytes) + " differs from " + logits.sha256()
                    + " recorded in " + JSON_FILE + " (is git converting it? it must stay binary)");
        }
        float[] v = new float[logits.positions() * logits.vocab()];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    /** Writes {@code reference.json} and the logits file into the model's folder. */
    static ModelReference write(Path references, ModelReference r, float[] logitValues) throws IOException {
        Path dir = folder(references, r.model());
        Files.createDirectories(dir);
        ByteBuffer b = ByteBuffer.allocate(logitValues.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(logitValues);
        byte[] bytes = b.array();
        ModelReference withHash = new ModelReference(r.model(), r.spec(), r.ggufSha256(), r.prompt(), r.greedy(),
                new LogitsFile(r.logits().file(), r.logits().positions(), r.logits().vocab(), sha256(bytes)), r.settings(), r.llamaRef());
        Files.write(dir.resolve(r.logits().file()), bytes);
        Files.writeString(dir.resolve(JSON_FILE), JSON.writeValueAsString(withHash) + "\n");
        return withHash;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(Path file) {
        try {
            return sha256(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
