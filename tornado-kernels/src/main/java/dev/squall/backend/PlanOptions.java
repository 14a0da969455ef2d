package dev.squall.backend;

/**
 * How to compile a plan: the context size (positions per sequence), the number of threads a CPU
 * backend uses, and an optional observer of named activations (debug checkpoints).
 */
public record PlanOptions(int contextSize, int threads, ActivationObserver observer) {

    public PlanOptions {
        if (contextSize < 1) throw new IllegalArgumentException("context size must be at least 1: " + contextSize);
        if (threads < 1) throw new IllegalArgumentException("thread count must be at least 1: " + threads);
    }

    public static PlanOptions of(int contextSize, int threads) { return new PlanOptions(contextSize, threads, null); }

    public PlanOptions withObserver(ActivationObserver o) { return new PlanOptions(contextSize, threads, o); }

    /** Sees every activation after the operator that wrote it (rows × width floats, row-major). */
    @FunctionalInterface
    public interface ActivationObserver {
        void observe(String name, int layer, float[] data, int rows, int width);
    }
}
