package dev.squall.cli;

/** Whether the launcher talks to a person at a terminal (progress bars, prompts) or to a pipe. */
final class Terminal {

    private Terminal() {}

    static boolean isInteractive() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }
}
