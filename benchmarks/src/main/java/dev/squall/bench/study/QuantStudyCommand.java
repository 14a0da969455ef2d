package dev.squall.bench.study;

import dev.squall.backend.java.JavaBackend;
import dev.squall.cli.ModelOptions;
import dev.squall.cli.SquallCommand;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code squall quant-study}: the FP8/FP4 format study ({@link QuantStudy}). */
@Command(name = "quant-study", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Sweep minifloat weight formats (E5M2, E4M3, E3M4, E2M5; E3M0, E2M1, E1M2) over scale granularities",
                "(E8M0 per 16/32/64/128 elements, FP32 per row): weight NMSE, KL divergence and top-1 agreement with the",
                "unquantized model on a seeded token stream; the formats with kernels (MXFP4, NVFP4, MXFP8, FP8 per row,",
                "Q8_0, Q4_0) also decode tokens/s and bits per weight. Prints tables and whether the paper's findings hold;",
                "writes a JSON report and a PNG chart."})
public final class QuantStudyCommand implements Callable<Integer>, SquallCommand {

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE",
            description = "GGUF model with F32, F16, BF16 or Q8_0 matrices, or sample:NAME (e.g. sample:134m).")
    Path model;

    @Option(names = "--tokens", defaultValue = "128", paramLabel = "N", description = "Length of the seeded token stream (default ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed of the token stream (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--decode", defaultValue = "32", paramLabel = "N", description = "Decode steps per speed run (default ${DEFAULT-VALUE}).")
    int decode;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads (default: all cores).")
    Integer threads;

    @Option(names = "--json", defaultValue = "reports/quant-study.json", paramLabel = "FILE", description = "JSON report (default ${DEFAULT-VALUE}).")
    Path json;

    @Option(names = "--chart", defaultValue = "reports/quant-study.png", paramLabel = "FILE", description = "PNG chart (default ${DEFAULT-VALUE}).")
    Path chart;

    @Spec CommandSpec spec;

    @Override public Integer call() {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (tokens < 2) throw new IllegalArgumentException("--tokens " + tokens + " is out of range (at least 2)");
        if (decode < 1) throw new IllegalArgumentException("--decode " + decode + " is out of range (a positive count)");
        int t = threads == null ? JavaBackend.defaultThreads() : threads;
        if (t < 1) throw new IllegalArgumentException("--threads " + t + " is out of range (a positive count)");
        ModelOptions mo = new ModelOptions();
        mo.model = model;
        mo.check(err);
        QuantStudy.Result r = QuantStudy.run(new QuantStudy.Settings(mo.model, tokens, seed, t, decode), err);
        StudyReport.printTables(out, r);
        StudyReport.writeJson(json, r);
        StudyReport.chart(chart, r);
        out.println("report: " + json.toAbsolutePath());
        out.println("chart:  " + chart.toAbsolutePath());
        out.flush();
        return 0;
    }
}
