package dev.squall.backend;

import dev.squall.graph.ModelGraph;

/**
 * A device that runs model graphs: it owns device memory (weights, KV cache, activations) and
 * compiles a {@link ModelGraph} into an executable {@link Plan}.
 *
 * <p>Backends are found by id through {@link Backends}: {@code java} (the Vector API backend,
 * always present) and, where TornadoVM is installed, {@code tornado:D:N} devices.
 */
public interface Backend {

    /** The id users pass to {@code --device}, e.g. {@code java} or {@code tornado:0:0}. */
    String id();

    /** What the device is, for listings: name, cores or compute units, memory, capabilities. */
    String description();

    /** Compiles a graph for this device; weights move to the device here, once. */
    Plan compile(ModelGraph graph, PlanOptions options);

    /** The operators one at a time, for the validation suite ({@code threads} for CPU backends). */
    OpKernels ops(int threads);
}
