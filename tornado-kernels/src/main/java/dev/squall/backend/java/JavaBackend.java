package dev.squall.backend.java;

import dev.squall.backend.Backend;
import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.graph.ModelGraph;
import jdk.incubator.vector.FloatVector;

/**
 * The CPU backend: Vector API kernels on a fixed pool of threads; weights stay in the memory-mapped
 * file, activations and the KV cache are F32 Java arrays.
 */
public final class JavaBackend implements Backend {

    @Override public String id() { return "java"; }

    @Override public String description() {
        return "Java Vector API on the CPU: " + Runtime.getRuntime().availableProcessors() + " cores, "
                + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit vectors, "
                + (Runtime.getRuntime().maxMemory() >> 20) + " MiB heap";
    }

    @Override public Plan compile(ModelGraph graph, PlanOptions options) {
        return new JavaPlan(this, graph, options);
    }

    @Override public dev.squall.backend.OpKernels ops(int threads) { return new JavaOpKernels(threads); }

    /** The default thread count: every core the JVM may use. */
    public static int defaultThreads() { return Runtime.getRuntime().availableProcessors(); }
}
