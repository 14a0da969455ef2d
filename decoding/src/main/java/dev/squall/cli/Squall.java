package dev.squall.cli;

import java.io.PrintWriter;
import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The launcher: {@code squall <command> [flags]}. Errors are one line on stderr and a non-zero
 * exit status (1: the command failed, 2: bad flags); {@code SQUALL_DEBUG=1} adds stack traces.
 */
@Command(name = "squall", mixinStandardHelpOptions = true, versionProvider = Squall.Version.class,
        description = "Run transformer language models (GGUF) on the CPU and on TornadoVM devices.",
        subcommands = {GenerateCommand.class, ChatCommand.class, InfoCommand.class, SampleModelCommand.class,
                DevicesCommand.class, TokenizeCommand.class, LogitsCommand.class, PerplexityCommand.class, QuantizeCommand.class, NgramCommand.class, TrainHeadsCommand.class,
                ContextCommand.class, CommandLine.HelpCommand.class})
public final class Squall implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The launcher with every contributed subcommand, ready to execute. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Squall());
        for (SquallCommand c : ServiceLoader.load(SquallCommand.class)) cl.addSubcommand(c);
        cl.setExecutionExceptionHandler((e, line, parse) -> {
            line.getErr().println(line.getCommandSpec().qualifiedName() + ": error: " + describe(e));
            if (debug()) e.printStackTrace(line.getErr());
            return 1;
        });
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine line = e.getCommandLine();
            PrintWriter err = line.getErr();
            err.println(line.getCommandSpec().qualifiedName() + ": " + e.getMessage());
            err.println("Try '" + line.getCommandSpec().qualifiedName() + " --help' for usage.");
            return 2;
        });
        return cl;
    }

    static boolean debug() { return "1".equals(System.getenv("SQUALL_DEBUG")); }

    /** The message of an error without the exception class, or the class when there is no message. */
    static String describe(Throwable e) {
        if (e instanceof OutOfMemoryError) return "out of memory: " + e.getMessage() + " (raise the heap with SQUALL_HEAP, e.g. SQUALL_HEAP=16g)";
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override public String[] getVersion() {
            String v = Squall.class.getPackage().getImplementationVersion();
            return new String[] {"squall " + (v == null ? "development build" : v) + " on Java " + Runtime.version()};
        }
    }
}
