package dev.squall.backend.java;

import dev.squall.graph.Act;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where a plan's single-token forward calls (decoding) spend their time, when the system property
 * {@value #PROPERTY} is {@code true}: wall time per step, summed over layers and named by the
 * activations the step writes, the parallel regions handed to the workers and the caller's wait
 * for them. Printed when the plan closes. A development aid: timing every step costs two clock
 * reads per step.
 */
final class StepProfile {

    static final String PROPERTY = "squall.profile";

    static boolean enabled() { return Boolean.getBoolean(PROPERTY); }

    private final Map<String, long[]> steps = new LinkedHashMap<>();
    private long calls, nanos, regions, waitNanos;

    void step(List<Act> outputs, long elapsed) {
        String name = outputs.stream().map(Act::name).collect(Collectors.joining(","));
        long[] s = steps.computeIfAbsent(name, k -> new long[2]);
        s[0] += elapsed;
        s[1]++;
    }

    void call(long elapsed, long regions, long waitNanos) {
        calls++;
        nanos += elapsed;
        this.regions += regions;
        this.waitNanos += waitNanos;
    }

    void print(PrintStream out, int threads) {
        if (calls == 0) return;
        out.printf(Locale.ROOT, "squall profile: %d single-token forward calls, %d threads: %.3f ms per call, %.1f parallel regions per call, caller waiting %.3f ms per call%n",
                calls, threads, nanos / 1e6 / calls, regions / (double) calls, waitNanos / 1e6 / calls);
        long stepped = 0;
        for (long[] s : steps.values()) stepped += s[0];
        for (Map.Entry<String, long[]> e : steps.entrySet()) {
            long[] s = e.getValue();
            out.printf(Locale.ROOT, "  %-24s %8.3f ms per call  %5.1f%%  (%d steps per call)%n", e.getKey(), s[0] / 1e6 / calls,
                    100.0 * s[0] / nanos, s[1] / calls);
        }
        out.printf(Locale.ROOT, "  %-24s %8.3f ms per call  %5.1f%%%n", "(outside steps)", (nanos - stepped) / 1e6 / calls, 100.0 * (nanos - stepped) / nanos);
    }
}
