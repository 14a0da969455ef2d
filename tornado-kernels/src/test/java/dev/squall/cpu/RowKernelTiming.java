package dev.squall.cpu;

import dev.squall.format.Rows;
import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A rough single-thread timing of every kernel's {@code dot} as a matrix-vector product (row
 * after row of 4096 columns), vector and scalar side by side, on a matrix that stays in the L2
 * cache (at most 512 KiB) and on one of 4096 rows that does not. Best of several repetitions, to
 * see past other work on a shared machine. Not a test, and not numbers to quote (benchmarks/ has
 * JMH); it prints nanoseconds per element and weight bytes streamed per second. Run with
 * {@code java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes dev.squall.cpu.RowKernelTiming}.
 */
public final class RowKernelTiming {

    private static final int COLUMNS = 4096;
    private static final int LARGE_ROWS = 4096;
    private static final long CACHED_BYTES = 512 * 1024;

    public static void main(String[] args) {
        float[] x = Rows.gaussian(1, COLUMNS, 1);
        System.out.printf("float lanes %d, %d columns; ns/element (GB/s of weights)%n", Lanes.F.length(), COLUMNS);
        System.out.printf("%-5s %-6s %18s %18s%n", "", "", "L2-resident", LARGE_ROWS + " rows");
        try (Arena arena = Arena.ofConfined()) {
            for (WeightFormat format : WeightFormats.all()) {
                long rowBytes = format.rowBytes(COLUMNS);
                MemorySegment w = arena.allocate(rowBytes * LARGE_ROWS, 64);
                float[] row = Rows.gaussian(2, COLUMNS, 0.02);
                for (int r = 0; r < LARGE_ROWS; r++) format.encode(row, 0, COLUMNS, w, r * rowBytes);
                int cachedRows = (int) Math.max(1, CACHED_BYTES / rowBytes);
                printRow(format, "vector", RowKernels.vector(format).orElse(null), w, rowBytes, cachedRows, x, 400, 12);
                printRow(format, "scalar", RowKernels.scalar(format), w, rowBytes, cachedRows, x, 20, 2);
            }
        }
    }

    private static void printRow(WeightFormat format, String family, RowKernel kernel, MemorySegment w, long rowBytes,
                                 int cachedRows, float[] x, int cachedReps, int largeReps) {
        if (kernel == null) {
            System.out.printf("%-5s %-6s no vector kernel with %d float lanes%n", format, family, Lanes.F.length());
            return;
        }
        double cached = best(kernel, w, rowBytes, cachedRows, x, cachedReps);
        double large = best(kernel, w, rowBytes, LARGE_ROWS, x, largeReps);
        double bytesPerElement = (double) rowBytes / COLUMNS;
        System.out.printf("%-5s %-6s %8.3f (%5.1f)    %8.3f (%5.1f)%n", format, family,
                cached * 1e9, bytesPerElement / cached / 1e9, large * 1e9, bytesPerElement / large / 1e9);
    }

    /** Best seconds per element over {@code reps} matrix-vector products of {@code rows} rows. */
    private static double best(RowKernel kernel, MemorySegment w, long rowBytes, int rows, float[] x, int reps) {
        double best = Double.MAX_VALUE;
        float sink = 0;
        for (int rep = 0; rep < reps; rep++) {
            long start = System.nanoTime();
            for (int r = 0; r < rows; r++) sink += kernel.dot(w, r * rowBytes, x, 0, COLUMNS);
            best = Math.min(best, (System.nanoTime() - start) / 1e9 / ((double) rows * COLUMNS));
        }
        if (sink == 1e-30f) System.out.print("");   // keep the result alive
        return best;
    }
}
