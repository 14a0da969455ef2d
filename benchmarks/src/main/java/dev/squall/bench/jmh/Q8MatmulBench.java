package dev.squall.bench.jmh;

import dev.squall.cpu.Q8Activations;
import dev.squall.cpu.RowKernel;
import dev.squall.cpu.RowKernels;
import dev.squall.format.WeightFormats;
import dev.squall.ops.Matmul;
import dev.squall.tensor.WeightTensor;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * One thread's matrix-vector product of the block formats with float activations against the
 * int8 path ({@code --activations q8}: the input rounded once, then integer block sums), at the
 * 134M sample's FFN and output shapes. The rounding of the input is part of the q8 measurement.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class Q8MatmulBench {

    @Param({"Q8_0", "Q4_0", "MXFP4", "Q4_K", "Q6_K"}) public String format;
    @Param({"f32", "q8"}) public String activations;
    @Param({"2048x768", "32000x768"}) public String shape;

    private WeightTensor w;
    private RowKernel kernel;
    private Q8Activations rounded;
    private float[] x, out, scratch;

    @Setup(Level.Trial)
    public void setUp() {
        String[] rk = shape.split("x");
        int rows = Integer.parseInt(rk[0]), k = Integer.parseInt(rk[1]);
        w = OpInputs.weights(WeightFormats.byName(format), rows, k, 1);
        kernel = RowKernels.forFormat(w.format());
        x = OpInputs.uniform(k, 2);
        out = new float[rows];
        scratch = new float[Matmul.scratchFloats(w)];
        rounded = new Q8Activations(kernel.q8Kind());
    }

    @Benchmark
    public float[] matvec() {
        if (activations.equals("q8")) {
            rounded.quantize(x, 1, w.columns());
            Matmul.cpuRowsQ8(w, kernel, rounded, out, 0, 0, w.rows(), scratch);
        } else {
            Matmul.cpuRows(w, kernel, x, 1, out, 0, 0, w.rows(), scratch);
        }
        return out;
    }
}
