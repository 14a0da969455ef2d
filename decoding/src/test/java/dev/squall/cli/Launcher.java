package dev.squall.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the launcher in-process and keeps what it printed. */
record Launcher(int exitCode, String out, String err) {

    static Launcher run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Squall.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Launcher(code, out.toString(), err.toString());
    }

    /** The lines on stderr. */
    String[] errLines() { return err.strip().split("\n"); }
}
