package dev.squall.bench.jmh;

import dev.squall.backend.Backends;
import dev.squall.backend.OpKernels;
import dev.squall.format.WeightFormats;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Matrix multiplication per device × weight format × shape, at the shapes of the 134M sample
 * (rows × K: attention 768×768, FFN up/gate 2048×768, FFN down 768×2048, output 32000×768), for
 * one token (decode) and 128 tokens (prefill), for every weight format the backends run (the
 * GGUF ones and the FP8/FP4 ones). Inputs are the validation suite's seeded ones.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class MatmulBench {

    @Param({"java"}) public String device;
    @Param({"2"}) public int threads;
    @Param({"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K",
            "MXFP4", "NVFP4", "MXFP8_E4M3", "MXFP8_E5M2", "FP8_E4M3", "FP8_E5M2"}) public String format;
    @Param({"768x768", "2048x768", "768x2048", "32000x768"}) public String shape;
    @Param({"1", "128"}) public int tokens;

    private OpKernels kernels;
    private WeightTensor w;
    private float[] x, out;

    @Setup(Level.Trial)
    public void setUp() {
        String[] rk = shape.split("x");
        int rows = Integer.parseInt(rk[0]), k = Integer.parseInt(rk[1]);
        kernels = Backends.find(device).ops(threads);
        w = OpInputs.weights(WeightFormats.byName(format), rows, k, 1);
        x = OpInputs.uniform(tokens * k, 2);
        out = new float[tokens * rows];
    }

    @Benchmark
    public float[] matmul() {
        kernels.matmul(w, x, tokens, out, 0);
        return out;
    }

    @TearDown(Level.Trial)
    public void tearDown() { kernels.close(); }
}
