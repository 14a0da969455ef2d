package dev.squall.cli;

import dev.squall.gguf.GgufFile;
import dev.squall.gguf.GgufMetadata;
import dev.squall.gguf.GgufTensorInfo;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show a GGUF file's header, metadata and tensor table (any architecture).")
final class InfoCommand implements Callable<Integer> {

    @Option(names = {"-m", "--model"}, paramLabel = "FILE", description = "GGUF file.")
    Path modelOption;

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "GGUF file (instead of -m).")
    Path modelParameter;

    @Option(names = "--no-tensors", description = "Leave out the tensor table.")
    boolean noTensors;

    @Spec CommandSpec spec;

    @Override public Integer call() {
        Path path = modelOption != null ? modelOption : modelParameter;
        if (path == null) throw new IllegalArgumentException("no model: give a GGUF file with -m FILE");
        if (!Files.isRegularFile(path)) throw new IllegalArgumentException("--model " + path + ": no such file");
        PrintWriter out = spec.commandLine().getOut();
        try (GgufFile f = GgufFile.open(path)) {
            GgufMetadata md = f.metadata();
            out.printf(Locale.ROOT, "%s: GGUF v%d, %.1f MiB, %d metadata keys, %d tensors, alignment %d%n",
                    path, f.version(), f.fileSize() / 1048576.0, md.size(), f.tensors().size(), f.alignment());
            out.println();
            out.println("metadata:");
            for (String key : md.keys()) out.printf("  %-44s %s%n", key, md.describe(key));
            if (!noTensors) {
                out.println();
                out.printf("tensors:%n  %-36s %-6s %-22s %12s %14s%n", "name", "type", "shape", "bytes", "offset");
                for (GgufTensorInfo t : f.tensors()) {
                    out.printf(Locale.ROOT, "  %-36s %-6s %-22s %12d %14d%n", t.name(), t.type(), Arrays.toString(t.dims()),
                            t.byteSize(), t.fileOffset());
                }
            }
        }
        out.flush();
        return 0;
    }
}
