package dev.squall.validation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What cases share: the project folder (for the committed references and the llama.cpp tool), a
 * scratch folder for generated models, and the thread count for CPU work.
 */
public final class Context {

    private final Path home;
    private final Path work;
    private final int threads;
    private LlamaRef llamaRef;

    public Context(Path home, Path work, int threads) {
        this.home = home;
        this.work = work;
        this.threads = threads;
        try {
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + work, e);
        }
    }

    /**
     * The project folder: the {@code squall.home} system property (the launcher sets it), else the
     * first folder upwards from the working directory that holds {@code validation/references}.
     */
    public static Path findHome() {
        String prop = System.getProperty("squall.home");
        if (prop != null && !prop.isBlank()) return Path.of(prop).toAbsolutePath();
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("validation").resolve("llama-ref"))) return p;
        }
        throw new IllegalStateException("cannot find the Squall project folder from " + Path.of("").toAbsolutePath()
                + " (set -Dsquall.home)");
    }

    public Path home() { return home; }

    /** Committed reference outputs: {@code validation/references}. */
    public Path references() { return home.resolve("validation").resolve("references"); }

    /**
     * The trained model pair and its held-out files ({@code ../shared/models} beside the project, or
     * the folder {@code SQUALL_SHARED_MODELS} names), or null when absent.
     */
    public Path sharedModels() {
        String env = System.getenv("SQUALL_SHARED_MODELS");
        Path p = env != null && !env.isBlank() ? Path.of(env) : home.resolve("..").resolve("shared").resolve("models").normalize();
        return Files.isRegularFile(p.resolve("heldout_files.txt")) ? p : null;
    }

    /** Scratch space for generated models and tool outputs. */
    public Path work() { return work; }

    public int threads() { return threads; }

    /** The llama.cpp reference tool, built on first use. */
    public synchronized LlamaRef llamaRef() {
        if (llamaRef == null) llamaRef = LlamaRef.build(home.resolve("validation").resolve("llama-ref"));
        return llamaRef;
    }
}
