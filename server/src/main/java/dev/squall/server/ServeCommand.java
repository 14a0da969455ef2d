package dev.squall.server;

import dev.squall.cli.ModelOptions;
import dev.squall.cli.SquallCommand;
import dev.squall.serving.Scheduler;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code squall serve}: the OpenAI-compatible server. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve a model over an OpenAI-compatible HTTP API (/v1/completions, /v1/chat/completions with",
                "streaming, /v1/models, /health, /metrics), many requests batched by the SARATHI scheduler."})
public final class ServeCommand implements Callable<Integer>, SquallCommand {

    @Mixin ModelOptions model;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST", description = "Address to bind (default ${DEFAULT-VALUE}: this machine only).")
    String host;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "N", description = "Port (default ${DEFAULT-VALUE}; 0 = any free one).")
    int port;

    @Option(names = "--parallel", defaultValue = "8", paramLabel = "N",
            description = "Sequences the KV cache holds at once: its cells are N × the context size (default ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--token-budget", defaultValue = "256", paramLabel = "B", description = "Most tokens per forward call: decodes first, then prefill chunks (default ${DEFAULT-VALUE}).")
    int tokenBudget;

    @Option(names = "--queue", defaultValue = "64", paramLabel = "N", description = "Requests that may wait for cells; more get 429 (default ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--policy", defaultValue = "sarathi", paramLabel = "P",
            description = {"How steps are batched: sarathi (running decodes first, then prompt chunks in the token budget; default),",
                    "serial (one request at a time) or prefill-first (whole prompts before decodes go on); the last two are for comparison."})
    String policy;

    @Option(names = "--api-key", paramLabel = "KEY", description = "Require 'Authorization: Bearer KEY' on the /v1 endpoints.")
    String apiKey;

    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--port " + port + " is out of range (0 to 65535)");
        if (parallel < 1 || parallel > 256) throw new IllegalArgumentException("--parallel " + parallel + " is out of range (1 to 256)");
        if (tokenBudget < 1) throw new IllegalArgumentException("--token-budget " + tokenBudget + " is out of range (a positive count)");
        if (queue < 1) throw new IllegalArgumentException("--queue " + queue + " is out of range (a positive count)");
        Scheduler.Policy scheduling;
        try {
            scheduling = Scheduler.Policy.of(policy);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--policy: " + e.getMessage());
        }
        model.cacheSequences = parallel;
        model.requireDense("serve");
        try (ModelOptions.Loaded loaded = model.load(err);
             OpenAiServer server = new OpenAiServer(loaded.model(), loaded.plan(), host, port, tokenBudget, queue, apiKey, scheduling)) {
            err.printf("squall serve: %s on http://%s:%d (context %d, %d sequences, token budget %d, %s scheduling)%n", loaded.model().config().name(), host, server.port(),
                    loaded.plan().cache().capacity(), parallel, tokenBudget, scheduling.label());
            err.flush();
            new CountDownLatch(1).await();
        }
        return 0;
    }
}
