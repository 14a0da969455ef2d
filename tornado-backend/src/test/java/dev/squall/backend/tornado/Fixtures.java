package dev.squall.backend.tornado;

import dev.squall.backend.Backend;
import dev.squall.backend.BackendProvider;
import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.backend.java.JavaBackend;
import dev.squall.format.WeightFormat;
import dev.squall.graph.Batch;
import dev.squall.model.Model;
import dev.squall.model.ModelFamily;
import dev.squall.model.synthetic.ModelSpec;
import dev.squall.model.synthetic.SyntheticModel;
import dev.squall.tokenizer.SampleVocabulary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Shared fixtures of the TornadoVM tests: the first TornadoVM device, small generated models, seeded tokens. */
final class Fixtures {

    private Fixtures() {}

    static final Backend JAVA = new JavaBackend();

    private static Backend device;
    private static final Map<String, Path> MODELS = new HashMap<>();

    /** The first TornadoVM device (the tests need one: this module builds only where an SDK is installed). */
    static synchronized Backend device() {
        if (device == null) {
            BackendProvider p = new TornadoProvider();
            List<Backend> found = p.backends();
            if (found.isEmpty()) throw new IllegalStateException("no TornadoVM device: " + p.unavailableReason().orElse("?"));
            device = found.get(0);
        }
        return device;
    }

    /** A two-layer llama model of width 256 (every row a multiple of 256, so the K-quants apply) in {@code format}. */
    static ModelSpec llama(WeightFormat format) {
        return new ModelSpec("test-llama-" + format.name().toLowerCase(), ModelFamily.LLAMA, 256, 2, 4, 2, 64, 512,
                SampleVocabulary.generate(360, 7), false, 10000f, null, 1024, format, 11);
    }

    /** The GGUF of {@code spec}, written once per test run. */
    static synchronized Path file(ModelSpec spec) {
        return MODELS.computeIfAbsent(spec.name(), n -> {
            try {
                Path dir = Files.createDirectories(Path.of("target", "test-models"));
                Path p = dir.resolve(n + ".gguf");
                SyntheticModel.write(spec, p, null);
                return p;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static Plan compile(Model m, Backend b, int context) { return m.compile(b, PlanOptions.of(context, 2)); }

    static int[] tokens(int n, int vocab, long seed) { return new SplittableRandom(seed).ints(n, 3, vocab).toArray(); }

    /** Every position's logits of one sequence in one batch. */
    static float[][] logits(Plan p, int[] tokens) {
        int seq = p.cache().newSequence();
        Batch.Builder b = Batch.builder();
        for (int i = 0; i < tokens.length; i++) b.token(seq, i, tokens[i], true);
        var r = p.forward(b.build());
        p.cache().remove(seq);
        float[][] out = new float[tokens.length][];
        for (int i = 0; i < tokens.length; i++) out[i] = r.logits(i);
        return out;
    }

    /** Σ(a − b)² / Σa² over every row. */
    static double nmse(float[][] expected, float[][] actual) {
        double err = 0, ref = 0;
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[i].length; j++) {
                double d = (double) expected[i][j] - actual[i][j];
                err += d * d;
                ref += (double) expected[i][j] * expected[i][j];
            }
        }
        return err / ref;
    }
}
