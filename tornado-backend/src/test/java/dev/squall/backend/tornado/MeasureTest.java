package dev.squall.backend.tornado;

import dev.squall.backend.Backend;
import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.graph.Batch;
import dev.squall.model.Model;
import dev.squall.model.synthetic.SampleModels;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The figures of the README's TornadoVM section, in one run on the same machine state: prefill and
 * decode tokens/s of the 134M sample (F32, Q8_0) on the Java backend and the first TornadoVM
 * device (medians of {@value #REPS} repetitions after a warm-up that compiles every graph), the
 * graphs and tasks a decoded token runs, and the bytes it moves between host and device, counted
 * by the plan and, with {@code -Dsquall.tornado.profile=true}, by TornadoVM's profiler.
 *
 * <p>Opt-in (minutes of work): {@code mvn -pl tornado-backend test -Dtest=MeasureTest -Dsquall.measure=true}.
 * Writes {@code target/measurements.txt}.
 */
@EnabledIfSystemProperty(named = "squall.measure", matches = "true")
class MeasureTest {

    private static final int PREFILL = 128, DECODE = 64, REPS = 3;

    private static Path sample(WeightFormat f) throws IOException {
        String name = SampleModels.fileName("134m", f);
        Path launchers = Path.of("..", "models", name);
        if (Files.isRegularFile(launchers)) return launchers;
        Path dir = Files.createDirectories(Path.of("target", "test-models"));
        Path p = dir.resolve(name);
        if (!Files.isRegularFile(p)) SampleModels.write("134m", f, dir, null);
        return p;
    }

    private record Speed(double prefill, double decode) {}

    private static Speed measure(Model m, Plan p) {
        int[] prompt = Fixtures.tokens(PREFILL, m.config().vocabSize(), 12);
        run(p, Arrays.copyOf(prompt, 8), 2);   // warm-up: compiles every graph and the JIT's hot paths
        List<Double> pre = new ArrayList<>(), dec = new ArrayList<>();
        for (int r = 0; r < REPS; r++) {
            double[] s = run(p, prompt, DECODE);
            pre.add(s[0]);
            dec.add(s[1]);
        }
        return new Speed(median(pre), median(dec));
    }

    /** Prefill tokens/s and decode tokens/s of one prompt and {@code steps} greedy steps. */
    private static double[] run(Plan p, int[] prompt, int steps) {
        int seq = p.cache().newSequence();
        long t0 = System.nanoTime();
        var r = p.forward(Batch.sequence(seq, 0, prompt));
        long t1 = System.nanoTime();
        for (int i = 0; i < steps; i++) r = p.forward(Batch.sequence(seq, prompt.length + i, new int[] {r.argmax(0)}));
        long t2 = System.nanoTime();
        p.cache().remove(seq);
        return new double[] {prompt.length / ((t1 - t0) / 1e9), steps / ((t2 - t1) / 1e9)};
    }

    private static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(d -> d).sorted().toArray();
        return a[a.length / 2];
    }

    @Test
    void sample134mOnJavaAndTheDevice() throws IOException {
        Backend device = Fixtures.device();
        StringBuilder out = new StringBuilder();
        out.append("device: ").append(device.id()).append(" = ").append(device.description()).append('\n');
        out.append(String.format(Locale.ROOT, "%-6s %-12s %14s %14s%n", "format", "backend", "prefill tok/s", "decode tok/s"));
        for (WeightFormat f : List.of(WeightFormats.F32, WeightFormats.Q8_0)) {
            try (Model m = Model.open(sample(f))) {
                for (Backend b : List.of(Fixtures.JAVA, device)) {
                    try (Plan p = m.compile(b, PlanOptions.of(2048, 2))) {
                        Speed s = measure(m, p);
                        out.append(String.format(Locale.ROOT, "%-6s %-12s %14.1f %14.1f%n", f.name(), b.id(), s.prefill(), s.decode()));
                        if (p instanceof TornadoPlan tp) out.append(perToken(m, tp)).append('\n');
                    }
                }
            }
        }
        System.out.print(out);
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(Path.of("target", "measurements.txt")))) {
            w.print(out);
        }
    }

    /** Graphs, tasks and bytes of one decoded token, and the weights moved once. */
    private static String perToken(Model m, TornadoPlan p) {
        int seq = p.cache().newSequence();
        var r = p.forward(Batch.sequence(seq, 0, Fixtures.tokens(8, m.config().vocabSize(), 13)));
        TornadoPlan.Stats s = p.stats();
        long in = s.bytesIn, out = s.bytesOut, pin = s.profiledBytesIn, pout = s.profiledBytesOut, k = s.kernelNanos, g = s.graphNanos;
        long t0 = System.nanoTime();
        p.forward(Batch.sequence(seq, 8, new int[] {r.argmax(0)}));
        long wall = System.nanoTime() - t0;
        p.cache().remove(seq);
        int[] gt = p.perTokenGraphsAndTasks();
        String profiled = Boolean.getBoolean("squall.tornado.profile")
                ? String.format(Locale.ROOT, "; TornadoVM's profiler: %d bytes in, %d bytes out, kernels %.1f ms of %.1f ms in graphs (wall %.1f ms)",
                        s.profiledBytesIn - pin, s.profiledBytesOut - pout, (s.kernelNanos - k) / 1e6, (s.graphNanos - g) / 1e6, wall / 1e6)
                : "";
        return String.format(Locale.ROOT, "       per decoded token: %d TaskGraphs, %d tasks, %d bytes host→device, %d bytes device→host%s; weights moved once: %.1f MB",
                gt[0], gt[1], s.bytesIn - in, s.bytesOut - out, profiled, p.weightBytes() / 1e6);
    }
}
