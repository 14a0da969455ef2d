package dev.squall.bench.jmh;

import dev.squall.backend.Backends;
import dev.squall.backend.OpKernels;
import dev.squall.graph.RopeSpec;
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

/** The small operators at the 134M sample's sizes for a batch of {@code tokens}: RMSNorm, RoPE, softmax over the vocabulary, SwiGLU. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class ElementwiseBench {

    @Param({"java"}) public String device;
    @Param({"1", "128"}) public int tokens;

    private OpKernels kernels;
    private float[] x, w, out, heads, logits, gate, up, ffn;
    private int[] positions;
    private final RopeSpec rope = new RopeSpec(64, 10000f, 1f, null, RopeSpec.Pairing.ADJACENT);

    @Setup(Level.Trial)
    public void setUp() {
        kernels = Backends.find(device).ops(2);
        x = OpInputs.uniform(tokens * 768, 1);
        w = OpInputs.uniform(768, 2);
        out = new float[tokens * 768];
        heads = OpInputs.uniform(tokens * 768, 3);
        logits = OpInputs.uniform(32000, 4);
        gate = OpInputs.uniform(tokens * 2048, 5);
        up = OpInputs.uniform(tokens * 2048, 6);
        ffn = new float[tokens * 2048];
        positions = new int[tokens];
        for (int t = 0; t < tokens; t++) positions[t] = 100 + t;
    }

    @Benchmark public float[] rmsNorm() {
        kernels.rmsNorm(x, tokens, 768, w, 1e-5f, out, 0);
        return out;
    }

    @Benchmark public float[] rope() {
        kernels.rope(heads, 0, tokens, 12, 64, positions, rope);
        return heads;
    }

    @Benchmark public float[] softmaxVocabulary() {
        kernels.softmax(logits, 0, 1, 32000, 1f);
        return logits;
    }

    @Benchmark public float[] swiGlu() {
        kernels.swiGlu(gate, up, tokens * 2048, ffn, 0);
        return ffn;
    }

    @TearDown(Level.Trial)
    public void tearDown() { kernels.close(); }
}
