package dev.squall.validation.quant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What llama.cpp computed on one quantized parity model, as committed under
 * {@code validation/references/quant/<model>/}: {@code reference.json} (the quantized file's
 * SHA-256, the prompt, llama.cpp's greedy tokens, the logits' shape and SHA-256, llama-ref's
 * settings and info) and {@code logits.f32} (raw little-endian float32, positions × vocab).
 */
record QuantReference(String model, String ggufSha256, int[] prompt, int[] greedy, int positions, int vocab, float[] logits,
                      JsonNode llamaRef) {

    static final String JSON = "reference.json";
    static final String LOGITS = "logits.f32";
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    float[] row(int p) { return java.util.Arrays.copyOfRange(logits, p * vocab, (p + 1) * vocab); }

    static QuantReference read(Path dir) throws IOException {
        JsonNode j = MAPPER.readTree(dir.resolve(JSON).toFile());
        int positions = j.get("logits").get("positions").asInt(), vocab = j.get("logits").get("vocab").asInt();
        byte[] bytes = Files.readAllBytes(dir.resolve(LOGITS));
        if (bytes.length != positions * vocab * Float.BYTES) {
            throw new IOException(dir.resolve(LOGITS) + ": " + bytes.length + " bytes, expected " + positions + " × " + vocab + " floats");
        }
        float[] logits = new float[positions * vocab];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(logits);
        return new QuantReference(j.get("model").asText(), j.get("ggufSha256").asText(), ints(j.get("prompt")), ints(j.get("greedy")),
                positions, vocab, logits, j.get("llamaRef"));
    }

    void write(Path dir, Map<String, Object> settings) throws IOException {
        Files.createDirectories(dir);
        ByteBuffer b = ByteBuffer.allocate(logits.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(logits);
        Files.write(dir.resolve(LOGITS), b.array());
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("model", model);
        var spec = QuantParityModel.spec();
        Map<String, Object> sp = new LinkedHashMap<>();
        sp.put("family", spec.family().architecture());
        sp.put("embedding", spec.embedding());
        sp.put("layers", spec.layers());
        sp.put("heads", spec.heads());
        sp.put("kvHeads", spec.kvHeads());
        sp.put("headSize", spec.headSize());
        sp.put("ffn", spec.ffn());
        sp.put("vocabularySize", spec.vocabulary().size());
        sp.put("tiedOutput", spec.tiedOutput());
        sp.put("seed", spec.seed());
        j.put("spec", sp);
        j.put("quantizedBy", "Squall (dev.squall.quant.QuantizeFile) from the F32 model written by SyntheticModel");
        j.put("ggufSha256", ggufSha256);
        j.put("prompt", prompt);
        j.put("greedy", greedy);
        Map<String, Object> l = new LinkedHashMap<>();   // ordered, so that a rerun writes the same bytes
        l.put("file", LOGITS);
        l.put("positions", positions);
        l.put("vocab", vocab);
        l.put("sha256", QuantParityModel.sha256(dir.resolve(LOGITS)));
        j.put("logits", l);
        j.put("settings", settings);
        j.put("llamaRef", llamaRef);
        MAPPER.writeValue(dir.resolve(JSON).toFile(), j);
    }

    private static int[] ints(JsonNode a) {
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).asInt();
        return v;
    }
}
