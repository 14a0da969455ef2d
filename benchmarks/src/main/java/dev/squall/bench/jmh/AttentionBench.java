package dev.squall.bench.jmh;

import dev.squall.backend.Backends;
import dev.squall.backend.OpKernels;
import dev.squall.validation.op.OpInputs;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** Attention of one new token (12 heads of 64, as the 134M sample) over 256 and 2048 cached positions. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class AttentionBench {

    @Param({"java"}) public String device;
    @Param({"2"}) public int threads;
    @Param({"256", "2048"}) public int positions;
    @Param({"12"}) public int heads;
    @Param({"12", "4"}) public int kvHeads;

    private static final int HEAD_SIZE = 64;
    private OpKernels kernels;
    private float[] q, keys, values, out;
    private int[] queryPositions;

    @Setup(Level.Trial)
    public void setUp() {
        kernels = Backends.find(device).ops(threads);
        q = OpInputs.uniform(heads * HEAD_SIZE, 1);
        keys = OpInputs.uniform(positions * kvHeads * HEAD_SIZE, 2);
        values = OpInputs.uniform(positions * kvHeads * HEAD_SIZE, 3);
        out = new float[heads * HEAD_SIZE];
        queryPositions = new int[] {positions - 1};
    }

    @Benchmark
    public float[] attention() {
        kernels.attention(q, 1, heads, kvHeads, HEAD_SIZE, keys, values, positions, queryPositions, out, 0);
        return out;
    }

    @TearDown(Level.Trial)
    public void tearDown() { kernels.close(); }
}
