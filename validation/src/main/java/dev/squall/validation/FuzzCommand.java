package dev.squall.validation;

import dev.squall.cli.SquallCommand;
import dev.squall.format.WeightFormats;
import dev.squall.fuzz.FuzzReport;
import dev.squall.fuzz.GgufFuzz;
import dev.squall.fuzz.TemplateFuzz;
import dev.squall.model.synthetic.SampleModels;
import dev.squall.validation.tokenizer.FuzzVocabularies;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code squall fuzz}: the long fuzz runs. GGUF files (sample models and the trained pair,
 * mutated) against the reader and the model, random text and ids against every tokenizer, hostile
 * chat templates against the renderer. Prints the counts; exits 1 when any input broke a property,
 * keeping such inputs in {@code --keep}.
 */
@Command(name = "fuzz", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fuzz what Squall reads: mutated GGUF files (reader and model), random text and token ids",
                "(every tokenizer), hostile chat templates. Prints the counts; exits 1 if any input broke a property."})
public final class FuzzCommand implements Callable<Integer>, SquallCommand {

    @Option(names = "--target", defaultValue = "gguf", paramLabel = "T",
            description = "gguf (the reader), model (reader and model), tokenizer, template, or all (default ${DEFAULT-VALUE}).")
    String target;

    @Option(names = "--iterations", defaultValue = "100000", paramLabel = "N",
            description = "Inputs per target (per vocabulary for tokenizer; all: templates get N/200) (default ${DEFAULT-VALUE}).")
    long iterations;

    @Option(names = {"-s", "--seed"}, defaultValue = "1", paramLabel = "N", description = "Seed of the input stream (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--keep", defaultValue = "reports/fuzz", paramLabel = "DIR", description = "Where inputs that broke a property are written (default ${DEFAULT-VALUE}).")
    Path keep;

    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        List<String> targets = switch (target) {
            case "all" -> List.of("gguf", "model", "tokenizer", "template");
            case "gguf", "model", "tokenizer", "template" -> List.of(target);
            default -> throw new IllegalArgumentException("--target " + target + ": expected gguf, model, tokenizer, template or all");
        };
        if (iterations < 1) throw new IllegalArgumentException("--iterations " + iterations + " is out of range (a positive count)");
        Path home = Context.findHome();
        Path shared = home.resolveSibling("shared").resolve("models");
        List<FuzzReport> reports = new ArrayList<>();
        for (String t : targets) {
            switch (t) {
                case "gguf", "model" -> {
                    List<byte[]> seeds = seeds(shared, t.equals("model"));
                    err.printf(Locale.ROOT, "fuzz %s: %d seed files, %d inputs ...%n", t, seeds.size(), iterations);
                    err.flush();
                    reports.add(GgufFuzz.run(seeds, iterations, seed, t.equals("model"), keep, n -> progress(err, t, n, iterations)));
                }
                case "tokenizer" -> {
                    Path nodeModules = home.resolve("validation").resolve("llama-ref").resolve("node_modules");
                    for (FuzzVocabularies.Named v : FuzzVocabularies.all(Files.isDirectory(nodeModules) ? nodeModules : null, shared)) {
                        String name = "tokenizer " + v.name() + (v.fuzz().checksRoundTrips() ? "" : " (no round trips: not every byte has a token)");
                        err.printf(Locale.ROOT, "fuzz %s: %d inputs ...%n", name, iterations);
                        err.flush();
                        reports.add(v.fuzz().run(name, iterations, seed, n -> progress(err, name, n, iterations)));
                        print(out, reports.getLast());
                    }
                    continue;
                }
                case "template" -> {
                    long n = targets.size() > 1 ? Math.max(1, iterations / 200) : iterations;
                    List<String> real = new ArrayList<>();
                    Path dir = home.resolve("model-graph/src/test/resources/dev/squall/tokenizer");
                    for (String name : List.of("llama3", "qwen3", "mistral", "llama2")) {
                        Path f = dir.resolve(name + ".jinja");
                        if (Files.isRegularFile(f)) real.add(Files.readString(f));
                    }
                    err.printf(Locale.ROOT, "fuzz template: %d real templates to mutate, %d inputs ...%n", real.size() + 1, n);
                    err.flush();
                    reports.add(new TemplateFuzz(real).run(n, seed, k -> progress(err, "template", k, n)));
                }
                default -> throw new AssertionError(t);
            }
            print(out, reports.getLast());
        }
        boolean clean = reports.stream().allMatch(FuzzReport::clean);
        if (!clean) out.println("inputs that broke a property: " + keep.toAbsolutePath());
        out.flush();
        return clean ? 0 : 1;
    }

    /** Sample models in several formats, and the trained pair where ../shared/models has it (the model target: small ones only). */
    private static List<byte[]> seeds(Path shared, boolean model) throws Exception {
        Path dir = Files.createTempDirectory("squall-fuzz");
        List<byte[]> seeds = new ArrayList<>();
        try {
            for (String f : model ? List.of("q4_0", "q8_0") : List.of("q4_0", "q8_0", "f16", "mxfp4")) {
                seeds.add(Files.readAllBytes(SampleModels.write("micro", WeightFormats.byName(f), dir, null)));
            }
            Path draft = shared.resolve("jdk-draft-q8_0.gguf");
            if (Files.isRegularFile(draft)) seeds.add(Files.readAllBytes(draft));
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        }
        return seeds;
    }

    private static void print(PrintWriter out, FuzzReport r) {
        out.println(r.summary());
        for (String f : r.findings()) out.println("  " + f);
        out.flush();
    }

    private static void progress(PrintWriter err, String what, long done, long total) {
        if (done % Math.max(1000, total / 10) == 0) {
            err.printf(Locale.ROOT, "  %s: %d / %d%n", what, done, total);
            err.flush();
        }
    }
}
