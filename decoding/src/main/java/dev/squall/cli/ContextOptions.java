package dev.squall.cli;

import dev.squall.context.ContextFile;
import dev.squall.context.FixedContext;
import dev.squall.generation.Session;
import dev.squall.gguf.GgufFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code --context FILE [--sparsity S]}: a long fixed context in front of the prompt or the
 * conversation. A context file ({@code squall context build}) is loaded into the cache as it was
 * computed, with its squeezed index; a text file is prefilled once and attended densely. Either
 * way nothing of the context is computed again for later prompts or chat turns.
 */
final class ContextOptions {

    @Option(names = "--context", paramLabel = "FILE",
            description = {"A fixed context before the prompt: a context file from 'squall context build' (Squeezed Attention:",
                    "each query reads only the context keys its centroids select; lossy unless the sparsity is 0), or a text file (dense)."})
    Path file;

    @Option(names = "--sparsity", paramLabel = "S",
            description = "With a context file: recalibrate its threshold to skip this fraction of the context's keys (0 to 0.99; 0 = dense, exact).")
    Double sparsity;

    /** The most centroids per head of the context file (a device plan reserves room for them), once {@link #check} ran. */
    int clusters;

    /** The tokens of the context once {@link #load} ran. */
    private int[] tokens = new int[0];

    boolean given() { return file != null; }

    /** Checks the flags; returns the context's length in tokens (a text file: at most its bytes + 1), to size the context; -1 without one. */
    int check() throws IOException {
        if (sparsity != null && file == null) throw new IllegalArgumentException("--sparsity " + sparsity + " needs --context FILE");
        if (sparsity != null && !(sparsity >= 0 && sparsity < 1)) throw new IllegalArgumentException("--sparsity " + sparsity + " is out of range (0 to 0.99)");
        if (file == null) return -1;
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("--context " + file + ": no such file");
        if (!isGguf(file)) {
            if (sparsity != null) throw new IllegalArgumentException("--sparsity needs a context file; --context " + file + " is text (dense attention)");
            return (int) Math.min(1 << 28, Files.size(file) + 1);         // a token is at least one byte: room for all of them
        }
        try (GgufFile f = GgufFile.open(file)) {
            clusters = f.metadata().getInt("squall.context.max_clusters", 0);
            return f.metadata().getInt("squall.context.length", -1);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--context " + file + ": not a context file: " + e.getMessage(), e);
        }
    }

    static boolean isGguf(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] magic = in.readNBytes(4);
            return Arrays.equals(magic, new byte[] {'G', 'G', 'U', 'F'});
        }
    }

    /**
     * Puts the context at the start of {@code session}: loads a context file, or prefills a text
     * file in calls of {@code batchSize}; reports what it did on {@code err}.
     */
    void load(ModelOptions.Loaded loaded, Session session, int batchSize, PrintWriter err) throws IOException {
        if (file == null) return;
        long t0 = System.nanoTime();
        if (isGguf(file)) {
            try (ContextFile.Opened opened = ContextFile.open(file, loaded.model())) {
                FixedContext ctx = opened.context();
                if (sparsity != null) ctx = ctx.withSparsity(sparsity);
                session.loadFixedContext(ctx.tokens(), ctx.rows(), ctx.index(), ctx.lastLogits());
                tokens = ctx.tokens();
                String how = ctx.index() == null ? "dense"
                        : String.format(Locale.ROOT, "squeezed (%s, %d clusters per head), sparsity %.2f%s", ctx.index().hierarchical() ? "2 levels" : "1 level",
                                ctx.index().head(0, 0).clusters(), ctx.index().thresholds().sparsity(), sparsity == null ? " (calibrated at build)" : " (recalibrated)");
                err.printf(Locale.ROOT, "context: %s, %d tokens, %s, loaded in %.2f s%n", file, tokens.length, how, (System.nanoTime() - t0) / 1e9);
            }
        } else {
            String text = TextFiles.read(file, "--context");
            tokens = loaded.model().tokenizer().encode(text, true, true);
            session.append(tokens, batchSize);
            err.printf(Locale.ROOT, "context: %s, %d tokens, dense, prefilled in %.2f s%n", file, tokens.length, (System.nanoTime() - t0) / 1e9);
        }
        err.flush();
    }

    /** The context's tokens (empty before {@link #load} or without a context). */
    int[] tokens() { return tokens.clone(); }

    /** The context size a run needs when {@code -c} was not given: the context plus room for prompts and replies. */
    static int contextSizeFor(int contextTokens) { return contextTokens + 2048; }
}
