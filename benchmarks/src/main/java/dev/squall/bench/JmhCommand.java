package dev.squall.bench;

import dev.squall.cli.SquallCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/** The JMH operator benchmarks, results as JMH JSON. */
@Command(name = "jmh", mixinStandardHelpOptions = true,
        description = {"Run the JMH operator benchmarks (matmul per format and shape, attention, element-wise ops)",
                "on the Java backend, or on the devices given (-p device=java,tornado:0:0); JMH options pass through",
                "(e.g. -p format=Q4_0 -p tokens=1, or a benchmark regex).",
                "Results: JMH JSON."})
public final class JmhCommand implements Callable<Integer>, SquallCommand {

    /** Set by the launcher when it started this JVM with TornadoVM's flags: the SDK's argfile. */
    private static final String TORNADO_ARGFILE = "squall.tornado.argfile";

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
        CommandLineOptions options = new CommandLineOptions(args.toArray(String[]::new));
        String argfile = System.getProperty(TORNADO_ARGFILE);
        if (argfile != null && options.getJvmArgsAppend().hasValue()) {
            System.err.println("squall: -jvmArgsAppend given: the forks get only those flags, not TornadoVM's");
        }
        if (argfile == null || options.getJvmArgsAppend().hasValue()) {
            new Runner(options).run();
        } else {
            // A benchmark given -p device=tornado:B:D runs in a forked JVM: it needs TornadoVM's flags as
            // this JVM got them from the launcher (the annotations' own flags are replaced, so repeated).
            new Runner(new OptionsBuilder().parent(options).jvmArgsAppend("--add-modules", "jdk.incubator.vector",
                    "--enable-native-access=ALL-UNNAMED", "-Xmx4g", "@" + argfile, "-Dtornado.recover.bailout=False").build()).run();
        }
        System.out.println("results: " + file);
        return 0;
    }

    /** Whether {@code a} is the value of the option before it (JMH options all take one value, e.g. -p x=1, -f 1). */
    private static boolean isOptionValue(List<String> args, String a) {
        int i = args.indexOf(a);
        return i > 0 && args.get(i - 1).startsWith("-");
    }
}
