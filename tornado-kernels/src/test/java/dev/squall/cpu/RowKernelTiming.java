package dev.squall.cpu;

import dev.squall.format.Rows;
import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A rough single-thread timing of every kernel's {@code dot} over a matrix too large for the
 * caches (a matrix-vector product, row after row), vector and scalar side by side. Not a test and
 * not a benchmark to quote (see benchmarks/ for JMH); it prints weight bytes streamed per second
 * and nanoseconds per element. Run it with
 * {@code java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes dev.squall.cpu.RowKernelTiming}.
 */
public final class RowKernelTiming {

    private static final int COLUMNS = 4096;
    private static final int ROWS = 4096;

    public static void main(String[] args) {
        float[] x = Rows.gaussian(1, COLUMNS, 1);
        System.out.printf("float lanes %d; %d x %d matrix%n", Lanes.F.length(), ROWS, COLUMNS);
        try (Arena arena = Arena.ofConfined()) {
            for (WeightFormat format : WeightFormats.all()) {
                long rowBytes = format.rowBytes(COLUMNS);
                MemorySegment w = arena.allocate(rowBytes * ROWS, 64);
                float[] row = Rows.gaussian(2, COLUMNS, 0.02);
                for (int r = 0; r < ROWS; r++) format.encode(row, 0, COLUMNS, w, r * rowBytes);
                for (KernelCases.Family family : KernelCases.Family.values()) {
                    RowKernel kernel = family.kernel(format);
                    double best = Double.MAX_VALUE;
                    float sink = 0;
                    for (int rep = 0; rep < (family == KernelCases.Family.VECTOR ? 15 : 3); rep++) {
                        long start = System.nanoTime();
                        for (int r = 0; r < ROWS; r++) sink += kernel.dot(w, r * rowBytes, x, 0, COLUMNS);
                        best = Math.min(best, (System.nanoTime() - start) / 1e9);
                    }
                    double elements = (double) ROWS * COLUMNS;
                    System.out.printf("%-5s %-6s %6.2f GB/s  %6.3f ns/element  (%s)%n", format, family,
                            rowBytes * ROWS / best / 1e9, best / elements * 1e9, sink == 12345 ? "" : "ok");
                }
            }
        }
    }
}
