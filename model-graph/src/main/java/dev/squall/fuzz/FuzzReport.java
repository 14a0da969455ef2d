package dev.squall.fuzz;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a fuzz run saw: how many inputs were accepted, rejected with the documented exception, or
 * broke a property (another exception, a message that does not name the input, more time or heap
 * than the bounds allow), with the worst time and allocation seen and the first findings.
 */
public final class FuzzReport {

    /** Findings kept in full; the rest are only counted. */
    static final int MAX_FINDINGS = 20;

    private final String target;
    long inputs, accepted, rejected, unexpected, slow, overAllocated;
    long maxNanos;
    double maxAllocationPerByte;
    long maxAllocatedBytes;
    double seconds;
    final List<String> findings = new ArrayList<>();
    final Map<String, Long> byKind = new LinkedHashMap<>();

    FuzzReport(String target) { this.target = target; }

    public String target() { return target; }
    public long inputs() { return inputs; }
    public long accepted() { return accepted; }
    public long rejected() { return rejected; }
    /** Inputs that broke a property: any other exception, or an error message that does not name the input. */
    public long unexpected() { return unexpected; }
    /** Inputs over the time bound. */
    public long slow() { return slow; }
    /** Inputs over the allocation bound. */
    public long overAllocated() { return overAllocated; }
    public long maxMillis() { return maxNanos / 1_000_000; }
    public double maxMicros() { return maxNanos / 1e3; }
    public double maxAllocationPerByte() { return maxAllocationPerByte; }
    public long maxAllocatedBytes() { return maxAllocatedBytes; }
    public double seconds() { return seconds; }
    public List<String> findings() { return List.copyOf(findings); }
    /** Inputs per kind (mutation, or input generator). */
    public Map<String, Long> byKind() { return Map.copyOf(byKind); }

    /** Whether every input kept every property. */
    public boolean clean() { return unexpected == 0 && slow == 0 && overAllocated == 0; }

    void finding(String s) {
        if (findings.size() < MAX_FINDINGS) findings.add(s);
    }

    void kind(String k) { byKind.merge(k, 1L, Long::sum); }

    /** One line: the counts and bounds. */
    public String summary() {
        String s = String.format(Locale.ROOT, "fuzz %s: %d inputs in %.1f s: %d accepted, %d rejected with the documented error, "
                        + "%d unexpected, %d over the time bound", target, inputs, seconds, accepted, rejected, unexpected, slow);
        if (maxAllocatedBytes > 0) {
            s += String.format(Locale.ROOT, ", %d over the allocation bound; slowest %.0f µs, most allocated %d bytes (%.1f per input byte at most)",
                    overAllocated, maxMicros(), maxAllocatedBytes, maxAllocationPerByte);
        } else {
            s += String.format(Locale.ROOT, "; slowest %.0f µs", maxMicros());
        }
        return s;
    }
}
