package dev.squall.validation.op;

import dev.squall.format.WeightFormat;
import dev.squall.tensor.WeightTensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/** Seeded operator inputs, shared by the parity cases and the JMH benchmarks. */
public final class OpInputs {

    private OpInputs() {}

    /** n floats uniform in [-1, 1) from a seeded stream. */
    public static float[] uniform(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    /** A rows × k weight tensor in {@code f}, encoded from seeded uniform values, in native memory. */
    public static WeightTensor weights(WeightFormat f, int rows, int k, long seed) {
        MemorySegment seg = Arena.ofAuto().allocate(f.rowBytes(k) * rows, 64);
        float[] row = new float[k];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < k; j++) row[j] = (float) (r.nextDouble() * 2 - 1);
            f.encode(row, 0, k, seg, i * f.rowBytes(k));
        }
        return new WeightTensor("w", f, new long[] {k, rows}, seg);
    }
}
