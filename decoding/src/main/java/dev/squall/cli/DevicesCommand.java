package dev.squall.cli;

import dev.squall.backend.Backend;
import dev.squall.backend.Backends;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List the backends and devices Squall can run on (ids for --device).")
final class DevicesCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Override public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (Backend b : Backends.all()) out.printf("%-14s %s%n", b.id(), b.description());
        for (String line : Backends.unavailable()) out.println(line);
        out.flush();
        return 0;
    }
}
