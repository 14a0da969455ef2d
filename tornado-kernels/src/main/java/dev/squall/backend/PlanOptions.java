package dev.squall.backend;

/**
 * How to compile a plan: the context size (cells per sequence), the number of threads a CPU
 * backend uses, an optional observer of named activations (debug checkpoints), and the cells the
 * KV cache holds over all sequences ({@code cacheCells}; 0: {@link #DEFAULT_SEQUENCES} full
 * contexts), what the CPU matmuls multiply the weights with ({@link Activations}), and how the KV
 * cache stores keys and values ({@link CacheType}), and the most centroids per layer and KV head of
 * a squeezed fixed context the plan can hold ({@code squeezedClusters}; a device plan reserves
 * its index memory when compiled, 0: none; the Java backend needs no reservation).
 */
public record PlanOptions(int contextSize, int threads, ActivationObserver observer, int cacheCells, Activations activations,
                          CacheType cacheTypeK, CacheType cacheTypeV, int squeezedClusters) {

    /** Full-context sequences the KV cache holds when {@code cacheCells} is 0. */
    public static final int DEFAULT_SEQUENCES = 8;

    public PlanOptions {
        java.util.Objects.requireNonNull(activations, "activations");
        java.util.Objects.requireNonNull(cacheTypeK, "cacheTypeK");
        java.util.Objects.requireNonNull(cacheTypeV, "cacheTypeV");
        if (contextSize < 1) throw new IllegalArgumentException("context size must be at least 1: " + contextSize);
        if (threads < 1) throw new IllegalArgumentException("thread count must be at least 1: " + threads);
        if (squeezedClusters < 0) throw new IllegalArgumentException("squeezed clusters must be 0 or a positive count: " + squeezedClusters);
        if (cacheCells < 0) throw new IllegalArgumentException("KV cache cells must be 0 (the default) or a positive count: " + cacheCells);
        if (cacheCells > 0 && cacheCells < contextSize) {
            throw new IllegalArgumentException("a KV cache of " + cacheCells + " cells cannot hold one sequence of the context size " + contextSize);
        }
    }

    public PlanOptions(int contextSize, int threads, ActivationObserver observer, int cacheCells) {
        this(contextSize, threads, observer, cacheCells, Activations.F32, CacheType.F32, CacheType.F32, 0);
    }

    public PlanOptions(int contextSize, int threads, ActivationObserver observer) { this(contextSize, threads, observer, 0); }

    public static PlanOptions of(int contextSize, int threads) { return new PlanOptions(contextSize, threads, null); }

    public PlanOptions withObserver(ActivationObserver o) { return new PlanOptions(contextSize, threads, o, cacheCells, activations, cacheTypeK, cacheTypeV, squeezedClusters); }

    public PlanOptions withCacheCells(int cells) { return new PlanOptions(contextSize, threads, observer, cells, activations, cacheTypeK, cacheTypeV, squeezedClusters); }

    public PlanOptions withActivations(Activations a) { return new PlanOptions(contextSize, threads, observer, cacheCells, a, cacheTypeK, cacheTypeV, squeezedClusters); }

    public PlanOptions withCacheTypes(CacheType k, CacheType v) { return new PlanOptions(contextSize, threads, observer, cacheCells, activations, k, v, squeezedClusters); }

    /** Room for a squeezed fixed context of up to {@code clusters} fine centroids per layer and KV head. */
    public PlanOptions withSqueezedClusters(int clusters) { return new PlanOptions(contextSize, threads, observer, cacheCells, activations, cacheTypeK, cacheTypeV, clusters); }

    /** The cells the KV cache holds over all sequences. */
    public int totalCacheCells() {
        return cacheCells > 0 ? cacheCells : (int) Math.min(Integer.MAX_VALUE / 2, (long) contextSize * DEFAULT_SEQUENCES);
    }

    /** Sees every activation after the operator that wrote it (rows × width floats, row-major). */
    @FunctionalInterface
    public interface ActivationObserver {
        void observe(String name, int layer, float[] data, int rows, int width);
    }
}
