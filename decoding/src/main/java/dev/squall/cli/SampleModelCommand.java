package dev.squall.cli;

import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.model.synthetic.SampleModels;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "sample-model", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write the sample models: Llama-architecture GGUFs with seeded random weights (not trained)",
                "and a generated 32,000-token vocabulary. tiny: ~15M parameters; 134m: dim 768, 12 layers, FFN 2048."})
final class SampleModelCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "NAME", description = "micro, tiny (default) and/or 134m.")
    List<String> names = new ArrayList<>();

    @Option(names = "--type", split = ",", paramLabel = "FORMAT",
            description = "Weight formats, comma-separated: f32 (default), f16, q8_0, q4_0, or all.")
    List<String> types = new ArrayList<>();

    @Option(names = {"-o", "--output-dir"}, defaultValue = "models", paramLabel = "DIR", description = "Where to write (default ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--if-absent", description = "Skip files that already exist.")
    boolean ifAbsent;

    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<String> models = names.isEmpty() ? List.of("tiny") : names;
        for (String n : models) SampleModels.spec(n, WeightFormats.F32);
        List<WeightFormat> formats = formats();
        Files.createDirectories(dir);
        for (String name : models) {
            for (WeightFormat f : formats) {
                Path path = dir.resolve(SampleModels.fileName(name, f));
                if (ifAbsent && Files.isRegularFile(path)) {
                    out.println(path + " exists");
                    continue;
                }
                long t0 = System.nanoTime();
                long bytes = SampleModels.spec(name, f).parameters() * f.blockBytes() / f.blockElements();
                if (Terminal.isInteractive() && bytes > (64L << 20)) {
                    try (ProgressBar bar = ModelOptions.progressBar("writing " + path.getFileName(), bytes)) {
                        SampleModels.write(name, f, dir, bar::stepTo);
                    }
                } else {
                    SampleModels.write(name, f, dir, null);
                }
                out.printf(Locale.ROOT, "%s written: %.1f MiB in %.1f s%n", path, Files.size(path) / 1048576.0, (System.nanoTime() - t0) / 1e9);
                out.flush();
            }
        }
        return 0;
    }

    private List<WeightFormat> formats() {
        if (types.isEmpty()) return List.of(WeightFormats.F32);
        if (types.size() == 1 && types.get(0).equalsIgnoreCase("all")) return SampleModels.FORMATS;
        List<WeightFormat> fs = new ArrayList<>();
        for (String t : types) {
            WeightFormat f = WeightFormats.byName(t);
            if (!SampleModels.FORMATS.contains(f)) {
                throw new IllegalArgumentException("--type " + t + ": sample models are written as f32, f16, q8_0 or q4_0");
            }
            fs.add(f);
        }
        return fs;
    }
}
