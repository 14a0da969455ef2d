package dev.squall.validation;

import dev.squall.backend.Backend;
import dev.squall.backend.Backends;
import dev.squall.backend.java.JavaBackend;
import dev.squall.cli.SquallCommand;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "validate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the validation suite: every operator on every device against its oracle, models and",
                "tokenizers against llama.cpp, and the batch/KV-cache/sampling invariants. Prints a table,",
                "writes a JSON report, and exits 1 when any case fails (UNSUPPORTED is not a failure)."})
public final class ValidateCommand implements Callable<Integer>, SquallCommand {

    @Option(names = "--op", paramLabel = "NAME", description = "Only this operator's cases: matmul, embed, rmsnorm, rope, softmax, attention, swiglu, add.")
    String op;

    @Option(names = "--device", paramLabel = "ID", description = "Only this device's cases (default: every device present).")
    String device;

    @Option(names = "--model", paramLabel = "NAME", description = "Only model, tokenizer and invariant cases whose model or vocabulary name contains NAME.")
    String model;

    @Option(names = "--group", paramLabel = "GROUP", description = "Only one group: op, model, tokenizer, invariant, squeezed.")
    String group;

    @Option(names = "--report", paramLabel = "FILE", defaultValue = "reports/validation.json", description = "The JSON report (default ${DEFAULT-VALUE}).")
    Path report;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "CPU threads (default: all cores).")
    Integer threads;

    @Option(names = "--list", description = "List the selected cases without running them.")
    boolean list;

    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (group != null && !List.of("op", "model", "tokenizer", "invariant", "squeezed").contains(group)) {
            throw new IllegalArgumentException("--group " + group + ": expected op, model, tokenizer, invariant or squeezed");
        }
        int t = threads == null ? JavaBackend.defaultThreads() : threads;
        if (t < 1) throw new IllegalArgumentException("--threads " + t + " is out of range (a positive count)");
        List<Backend> backends = device == null ? Backends.all() : List.of(Backends.find(device));
        Path home = Context.findHome();
        Context context = new Context(home, home.resolve("validation").resolve("build").resolve("work"), t);
        Filter filter = new Filter(op, device, model, group);
        List<ValidationCase> cases = Suite.cases(context, backends, filter);
        if (cases.isEmpty()) throw new IllegalArgumentException("no case matches the filters");
        out.println(Report.header());
        if (list) {
            for (ValidationCase c : cases) out.printf("%-11s %-9s %-12s %s%n", "-", c.group(), c.device(), c.name());
            out.flush();
            return 0;
        }
        out.flush();
        List<CaseResult> results = Suite.runAll(cases, context, r -> {
            out.println(Report.line(r));
            out.flush();
        });
        Report.printSummary(out, results);
        Path file = report.isAbsolute() ? report : Path.of("").toAbsolutePath().resolve(report);
        Report.writeJson(file, results, filter, backends.stream().map(Backend::id).toList());
        out.println("report: " + file);
        out.flush();
        return results.stream().anyMatch(r -> r.status() == Status.FAIL) ? 1 : 0;
    }
}
