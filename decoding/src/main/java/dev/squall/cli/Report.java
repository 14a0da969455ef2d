package dev.squall.cli;

import dev.squall.generation.GenerationResult;
import dev.squall.model.ModelConfig;
import java.io.PrintWriter;
import java.util.Locale;

/** The lines the launcher prints on stderr around a generation. */
final class Report {

    private Report() {}

    static void header(PrintWriter err, ModelOptions.Loaded l, long seed) {
        ModelConfig c = l.model().config();
        err.printf(Locale.ROOT, "squall: %s (%s, %d layers, dim %d, %s) on %s, %d threads, context %d, seed %d%n",
                c.name(), c.architecture(), c.layers(), c.embeddingSize(), l.model().formatSummary(),
                l.plan().backend().id(), l.threads(), l.plan().cache().capacity(), seed);
        err.flush();
    }

    /** Generates, turning a prompt too long for the context into the CLI's advice. */
    static GenerationResult generate(dev.squall.generation.Session s, int[] tokens, dev.squall.generation.GenerateOptions options,
                                     dev.squall.generation.Decoder decoder, java.util.function.Consumer<String> sink) {
        try {
            return dev.squall.generation.Generator.generate(s, tokens, options, decoder, sink);
        } catch (dev.squall.generation.Session.ContextFullException e) {
            throw new IllegalArgumentException(e.getMessage() + " (raise it with -c)", e);
        }
    }

    /** One line on what squeezed attention selected, when it ran. */
    static void squeezed(PrintWriter err, dev.squall.backend.AttentionStats a) {
        if (a.queries() == 0) return;
        err.printf(java.util.Locale.ROOT, "squeezed attention: %d selections (layers × query heads × tokens), %.1f%% of the context's keys read, lookup %.1f µs each%n",
                a.queries(), 100.0 * a.keptCells() / a.fixedCells(), a.lookupNanos() / 1e3 / a.queries());
        err.flush();
    }

    static void footer(PrintWriter err, double loadSeconds, GenerationResult r) {
        if (!r.decoder().equals("plain")) err.println(r.speculation().line(r.decoder()));
        err.printf(Locale.ROOT, "load %.2f s | prefill %d tokens, %.1f tokens/s | decode %d tokens, %.1f tokens/s | stop: %s%n",
                loadSeconds, r.promptTokens(), r.prefillTokensPerSecond(), r.decodeTokens(), r.decodeTokensPerSecond(),
                r.reason().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        err.flush();
    }
}
