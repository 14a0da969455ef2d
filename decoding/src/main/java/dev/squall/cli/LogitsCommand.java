package dev.squall.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.squall.graph.Batch;
import dev.squall.graph.ForwardResult;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Raw logits of a token sequence, for checking Squall against another implementation: a file of
 * little-endian float32, positions × vocab, row-major, and beside it FILE.json describing it.
 */
@Command(name = "logits", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write the raw logits of every position of a token sequence (given as ids or text):",
                "FILE holds little-endian float32, positions × vocab, row-major; FILE.json describes it."})
final class LogitsCommand implements Callable<Integer> {

    @Mixin ModelOptions model;

    @Option(names = "--tokens", paramLabel = "IDS", description = "Token ids, comma- or space-separated (e.g. 1,450,4996).")
    String ids;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "Text, tokenized with the model's tokenizer (BOS added as the vocabulary asks).")
    String text;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Where to write the logits.")
    Path output;

    @Option(names = "--last", description = "Only the last position's logits.")
    boolean lastOnly;

    @Spec CommandSpec spec;

    @Override public Integer call() throws IOException {
        if ((ids == null) == (text == null)) throw new IllegalArgumentException("give the sequence with --tokens IDS or -p TEXT");
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        try (ModelOptions.Loaded l = model.load(err)) {
            int[] tokens = ids != null ? parseIds(ids) : l.model().tokenizer().encode(text, true, true);
            if (tokens.length == 0) throw new IllegalArgumentException("the sequence is empty");
            int vocab = l.model().config().vocabSize();
            for (int i = 0; i < tokens.length; i++) {
                if (tokens[i] < 0 || tokens[i] >= vocab) throw new IllegalArgumentException("--tokens: id " + tokens[i] + " (position " + i + ") is out of range [0, " + vocab + ")");
            }
            int seq = l.plan().cache().newSequence();
            Batch.Builder b = Batch.builder();
            for (int i = 0; i < tokens.length; i++) b.token(seq, i, tokens[i], !lastOnly || i == tokens.length - 1);
            b.policy(seq, l.attention());
            ForwardResult r = l.plan().forward(b.build());
            write(r.logits(), output);
            Map<String, Object> header = new LinkedHashMap<>();
            header.put("model", model.model.toString());
            header.put("device", l.plan().backend().id());
            header.put("dtype", "float32");
            header.put("byte_order", "little-endian");
            header.put("layout", "positions × vocab, row-major");
            header.put("positions", r.outputs());
            header.put("vocab", vocab);
            header.put("output_positions", Arrays.stream(r.outputRows()).boxed().toList());
            header.put("tokens", Arrays.stream(tokens).boxed().toList());
            Path json = Path.of(output + ".json");
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), header);
            out.printf("%s: %d positions × %d logits; header %s%n", output, r.outputs(), vocab, json);
        }
        out.flush();
        return 0;
    }

    static int[] parseIds(String s) {
        String[] parts = s.replace("[", " ").replace("]", " ").trim().split("[,\\s]+");
        int[] t = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                t[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--tokens: '" + parts[i] + "' is not a token id");
            }
        }
        return t;
    }

    private static void write(float[] logits, Path file) throws IOException {
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        ByteBuffer buf = ByteBuffer.allocate(logits.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(logits);
        try (OutputStream o = Files.newOutputStream(file)) {
            o.write(buf.array());
        }
    }
}
