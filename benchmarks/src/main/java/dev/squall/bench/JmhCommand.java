package dev.squall.bench;

import dev.squall.cli.SquallCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/** The JMH operator benchmarks, results as JMH JSON. */
@Command(name = "jmh", mixinStandardHelpOptions = true,
        description = {"Run the JMH operator benchmarks (matmul per format and shape, attention, element-wise ops)",
                "on each device; JMH options pass through (e.g. -p format=Q4_0 -p tokens=1, or a benchmark regex).",
                "Results: JMH JSON."})
public final class JmhCommand implements Callable<Integer>, SquallCommand {

    @Option(names = "--json", defaultValue = "reports/jmh.json", paramLabel = "FILE", description = "Where JMH writes its JSON (default ${DEFAULT-VALUE}).")
    Path json;

    /** Everything else goes to JMH (default: every benchmark of dev.squall.bench.jmh). */
    @Unmatched
    List<String> jmhArgs = new ArrayList<>();

    @Override public Integer call() throws Exception {
        Path file = json.toAbsolutePath();
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        List<String> args = new ArrayList<>(jmhArgs);
        if (args.stream().noneMatch(a -> !a.startsWith("-") && !isOptionValue(args, a))) args.add("dev\\.squall\\.bench\\.jmh\\..*");
        args.addAll(List.of("-rf", "json", "-rff", file.toString()));
        new Runner(new CommandLineOptions(args.toArray(String[]::new))).run();
        System.out.println("results: " + file);
        return 0;
    }

    /** Whether {@code a} is the value of the option before it (JMH options all take one value, e.g. -p x=1, -f 1). */
    private static boolean isOptionValue(List<String> args, String a) {
        int i = args.indexOf(a);
        return i > 0 && args.get(i - 1).startsWith("-");
    }
}
