package dev.squall.cli;

/**
 * A subcommand that another module contributes to the launcher (validate, bench, …): a picocli
 * {@code @Command} class listed in {@code META-INF/services/dev.squall.cli.SquallCommand}.
 */
public interface SquallCommand {}
