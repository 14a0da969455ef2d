package dev.squall.backend.tornado;

import dev.squall.backend.Backend;
import dev.squall.backend.OpKernels;
import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.graph.ModelGraph;
import java.util.Map;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

/**
 * One TornadoVM device as a Squall backend: model graphs compile to a {@link TornadoPlan} (one
 * TornadoExecutionPlan of TaskGraphs per model), operators run one at a time through
 * {@link TornadoOpKernels}.
 */
public final class TornadoBackend implements Backend {

    /**
     * Compiler flags that replace TornadoVM's defaults where those trade IEEE accuracy for speed:
     * OpenCL's default {@code -cl-mad-enable -cl-fast-relaxed-math} computes exp 64 ulp off on PoCL,
     * beyond what the validation suite's thresholds allow for; {@code -w} keeps warnings quiet and
     * the math exact. Keyed by the backend's own name, so other backends keep their defaults.
     */
    private static final Map<String, String> PRECISE_MATH_FLAGS = Map.of("OPENCL", "-w");

    private final String id;
    private final TornadoDevice device;
    private final String description;

    TornadoBackend(String id, TornadoDevice device, String description) {
        this.id = id;
        this.device = device;
        this.description = description;
    }

    @Override public String id() { return id; }

    @Override public String description() { return description; }

    @Override public Plan compile(ModelGraph graph, PlanOptions options) {
        if (options.activations() != dev.squall.backend.Activations.F32) {
            throw new IllegalArgumentException("--activations " + options.activations().flag() + " runs on the Java backend only; "
                    + id() + " multiplies with float activations");
        }
        if (options.cacheTypeK() != dev.squall.backend.CacheType.F32 || options.cacheTypeV() != dev.squall.backend.CacheType.F32) {
            throw new IllegalArgumentException("--cache-type-k " + options.cacheTypeK().flag() + " --cache-type-v " + options.cacheTypeV().flag()
                    + ": " + id() + " keeps an F32 KV cache; other cache types run on the Java backend only");
        }
        return new TornadoPlan(this, graph, options);
    }

    @Override public OpKernels ops(int threads) { return new TornadoOpKernels(this); }

    TornadoDevice device() { return device; }

    /** Places an execution plan on this device, with IEEE math where the backend's default is relaxed. */
    TornadoExecutionPlan configure(TornadoExecutionPlan plan) {
        plan.withDevice(device);
        String flags = PRECISE_MATH_FLAGS.get(device.getTornadoVMBackend().name());
        if (flags != null) plan.withCompilerFlags(device.getTornadoVMBackend(), flags);
        return plan;
    }

    /** The work-group size of this device's reduction kernels. */
    int localSize() {
        return dev.squall.backend.tornado.kernels.Workgroups.forDevice(device.getDeviceType() == uk.ac.manchester.tornado.api.enums.TornadoDeviceType.CPU);
    }

    /** Bytes of global memory the device reports. */
    long globalMemory() { return device.getMaxGlobalMemory(); }

    /** The largest single buffer the device allocates. */
    long maxAllocation() { return device.getMaxAllocMemory(); }

    @Override public String toString() { return id; }
}
