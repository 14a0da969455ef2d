package dev.squall.cli;

import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.gguf.GgufFile;
import dev.squall.quant.QuantizeFile;
import dev.squall.quant.QuantizeOptions;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code squall quantize}: a GGUF model's matrices converted to another weight format, in a new file. */
@Command(name = "quantize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a copy of a GGUF model with its weight matrices in another format",
                "(from F32, F16, BF16 or Q8_0). Norms and other 1-D tensors are copied as they are;",
                "general.file_type is updated and squall.quantization says what was done."})
final class QuantizeCommand implements Callable<Integer> {

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE",
            description = "The GGUF model to quantize, or sample:NAME[:FORMAT].")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Where to write the quantized model.")
    Path output;

    @Option(names = "--type", required = true, paramLabel = "TYPE",
            description = {"The format: mxfp4, nvfp4, mxfp8 (= mxfp8-e4m3), mxfp8-e5m2, fp8-e4m3, fp8-e5m2",
                    "(FP8 with an FP32 scale per row), or q8_0, q4_0, q4_k, q6_k, f16, bf16, f32."})
    String type;

    @Option(names = "--keep-embeddings", description = "Keep token_embd.weight as it is stored.")
    boolean keepEmbeddings;

    @Option(names = "--keep-output", description = "Keep the output projection as it is stored (the embedding table when it is tied).")
    boolean keepOutput;

    @Spec CommandSpec spec;

    @Override public Integer call() {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        WeightFormat target;
        try {
            target = WeightFormats.byName(type);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--type " + e.getMessage());
        }
        if (SampleRef.is(input)) input = SampleRef.resolve(input, err);
        if (!Files.isRegularFile(input)) throw new IllegalArgumentException("--model " + input + ": no such file");
        if (output.toAbsolutePath().normalize().equals(input.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("--output " + output + " is the input file; write the quantized model elsewhere");
        }
        QuantizeOptions options = new QuantizeOptions(target, keepEmbeddings, keepOutput);
        try (GgufFile file = GgufFile.open(input)) {
            QuantizeFile q;
            try {
                q = new QuantizeFile(file, options);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(input + ": " + e.getMessage(), e);
            }
            if (output.toAbsolutePath().getParent() != null) {
                try {
                    Files.createDirectories(output.toAbsolutePath().getParent());
                } catch (java.io.IOException e) {
                    throw new IllegalArgumentException("--output " + output + ": cannot create its folder: " + e.getMessage(), e);
                }
            }
            QuantizeFile.Summary s;
            if (Terminal.isInteractive()) {
                try (ProgressBar bar = new ProgressBarBuilder().setTaskName("quantizing to " + target.name())
                        .setInitialMax(q.totalElements()).setUnit(" M weights", 1_000_000)
                        .setConsumer(new ConsoleProgressBarConsumer(System.err)).hideEta().build()) {
                    s = q.write(output, bar::stepTo);
                }
            } else {
                s = q.write(output, null);
            }
            out.printf(Locale.ROOT, "%s: %d matrices -> %s, %d kept, %d vectors copied; %.1f MiB -> %.1f MiB in %.2f s%n",
                    output, s.matricesConverted(), target.name(), s.matricesKept(), s.vectors(),
                    s.bytesIn() / 1048576.0, s.bytesOut() / 1048576.0, s.seconds());
            out.println(QuantizeFile.KEY + " = " + s.description());
        }
        out.flush();
        return 0;
    }
}
