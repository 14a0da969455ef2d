package dev.squall.validation.squeezed;

import dev.squall.backend.Backend;
import dev.squall.format.WeightFormats;
import dev.squall.model.Model;
import dev.squall.model.synthetic.SampleModels;
import dev.squall.validation.CaseSource;
import dev.squall.validation.Context;
import dev.squall.validation.ValidationCase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.ZipFile;

/**
 * {@code validate --group squeezed}: Squeezed Attention against dense attention.
 *
 * <ul>
 *   <li>sparsity 0 equals dense (NMSE ≤ 1e-10: only the summation order of the keys differs), one and
 *       two levels, on the tiny sample (seeded random tokens) and on the trained model;</li>
 *   <li>on the trained model ({@code ../shared/models}), over {@value #CONTEXTS} held-out files
 *       (context {@value #CONTEXT} tokens, question the {@value #QUESTION} after it), per level count
 *       and sparsity 50/70/80/90%: KL(dense ‖ squeezed) of the next-token distributions, top-1
 *       agreement, the sparsity reached, the recall of each query's top-8 keys, and the KL of a
 *       random subset of the context's keys of the same size. With one level, up to 70% a case passes
 *       at KL ≤ 0.01 nats (the paper's "no accuracy loss" regime); every case must beat the random
 *       subset's KL, which is what the index adds. The index has {@value #CENTROIDS} of the context's
 *       keys as centroids: at 5% (the build default) the 70% case is at 0.012 nats.</li>
 * </ul>
 * On a TornadoVM device: sparsity 0 equals dense and 80% equals the Java backend (NMSE ≤ 1e-6), one
 * level (two-level indexes and the fidelity sweep report unsupported there).
 */
public final class SqueezedCases implements CaseSource {

    static final int CONTEXTS = 3, CONTEXT = 768, QUESTION = 64;
    static final double[] SPARSITIES = {0.5, 0.7, 0.8, 0.9};
    static final double CENTROIDS = 0.10, EXACT = 1e-10, KL_TARGET = 0.01;

    @Override public List<ValidationCase> cases(Context context, List<Backend> backends) {
        List<ValidationCase> cases = new ArrayList<>();
        for (Backend b : backends) {
            for (int levels = 1; levels <= 2; levels++) {
                int lv = levels;
                cases.add(new Case("sparsity 0 equals dense, " + levelName(lv) + ", tiny sample", b, "squall-tiny", c -> tinyDense(c, b, lv)));
                if (!b.id().equals("java")) cases.add(new Case("sparsity 80% equals the Java backend, " + levelName(lv) + ", tiny sample", b, "squall-tiny", c -> tinyAgainstJava(c, b, lv)));
                if (b.id().equals("java")) cases.add(new Case("sparsity 0 equals dense, " + levelName(lv) + ", trained model", b, "jdk-target", c -> {
                    Table t = trained(c);
                    double nmse = t.denseNmse[lv];
                    return ValidationCase.Outcome.judge(nmse <= EXACT, String.format(Locale.ROOT, "NMSE %.1e ≤ %.0e", nmse, EXACT),
                            "squeezed attention at sparsity 0 is not dense attention");
                }));
                for (double s : SPARSITIES) {
                    cases.add(new Case(String.format(Locale.ROOT, "fidelity %s, sparsity %.0f%%, trained model", levelName(lv), s * 100), b, "jdk-target",
                            c -> fidelity(trained(c), lv, s)));
                }
            }
        }
        return cases;
    }

    static String levelName(int levels) { return levels == 1 ? "1 level" : "2 levels"; }

    private interface Check {
        ValidationCase.Outcome run(Context c) throws Exception;
    }

    private record Case(String name, Backend backend, String subject, Check check) implements ValidationCase {
        @Override public String group() { return "squeezed"; }
        @Override public String device() { return backend.id(); }

        @Override public Outcome run(Context context) throws Exception {
            if (!backend.id().equals("java") && name.startsWith("fidelity")) return Outcome.unsupported("the fidelity sweep runs on the Java backend; devices check sparsity 0 against dense");
            if (!backend.id().equals("java") && name.contains("2 levels")) return Outcome.unsupported("two-level indexes run on the Java backend only");
            if (subject.equals("jdk-target") && context.sharedModels() == null) {
                return Outcome.unsupported("the trained model pair (../shared/models, or SQUALL_SHARED_MODELS) is absent");
            }
            return check.run(context);
        }
    }

    private interface OnTiny {
        ValidationCase.Outcome run(Model m, int[] context, int[] question) throws Exception;
    }

    /** The tiny sample with a seeded random context of 300 tokens (BOS first) and a 16-token question. */
    private static ValidationCase.Outcome onTiny(Context context, OnTiny check) throws Exception {
        Path file = context.work().resolve(SampleModels.fileName("tiny", WeightFormats.F32));
        synchronized (SqueezedCases.class) {
            if (!Files.isRegularFile(file)) SampleModels.write("tiny", WeightFormats.F32, context.work(), null);
        }
        try (Model m = Model.open(file)) {
            SplittableRandom r = new SplittableRandom(12);
            int[] ctx = new int[300], q = new int[16];
            for (int i = 0; i < ctx.length; i++) ctx[i] = 3 + r.nextInt(m.config().vocabSize() - 3);
            for (int i = 0; i < q.length; i++) q[i] = 3 + r.nextInt(m.config().vocabSize() - 3);
            ctx[0] = 1;
            return check.run(m, ctx, q);
        }
    }

    private static ValidationCase.Outcome tinyDense(Context context, Backend backend, int levels) throws Exception {
        return onTiny(context, (m, ctx, q) -> {
            try (SqueezedFidelity f = new SqueezedFidelity(m, backend, context.threads(), ctx, q, CENTROIDS, 7)) {
                double nmse = f.denseNmse(levels);
                return ValidationCase.Outcome.judge(nmse <= EXACT, String.format(Locale.ROOT, "NMSE %.1e ≤ %.0e", nmse, EXACT),
                        "squeezed attention at sparsity 0 is not dense attention");
            }
        });
    }

    /** The device's squeezed logits at 80% against the Java backend's: the same selection, the same exact attention. */
    private static ValidationCase.Outcome tinyAgainstJava(Context context, Backend backend, int levels) throws Exception {
        return onTiny(context, (m, ctx, q) -> {
            float[] device, java;
            try (SqueezedFidelity f = new SqueezedFidelity(m, backend, context.threads(), ctx, q, CENTROIDS, 7)) {
                device = f.squeezedLogits(levels, 0.8);
            }
            try (SqueezedFidelity f = new SqueezedFidelity(m, new dev.squall.backend.java.JavaBackend(), context.threads(), ctx, q, CENTROIDS, 7)) {
                java = f.squeezedLogits(levels, 0.8);
            }
            double nmse = SqueezedFidelity.nmse(java, device);
            return ValidationCase.Outcome.judge(nmse <= DEVICE, String.format(Locale.ROOT, "NMSE %.1e ≤ %.0e", nmse, DEVICE),
                    "the device's squeezed attention differs from the Java backend's");
        });
    }

    /** Device against Java: F32 sums in another order (1e-10 would hold with the same selection; 1e-6 leaves room for a cluster at the threshold). */
    static final double DEVICE = 1e-6;

    private static ValidationCase.Outcome fidelity(Table t, int levels, double s) {
        SqueezedFidelity.Result r = t.results.get(levels + "@" + s);
        String measure = String.format(Locale.ROOT, "KL %.4f (random keys %.4f), top-1 %.1f%%, sparsity %.1f%%, top-8 recall %.1f%%",
                r.kl(), r.randomKl(), 100 * r.top1(), 100 * r.sparsity(), 100 * r.recall());
        if (r.kl() >= r.randomKl()) return ValidationCase.Outcome.fail(measure, "the index does no better than a random subset of the context's keys");
        if (levels == 1 && s <= 0.7 + 1e-9 && r.kl() > KL_TARGET) return ValidationCase.Outcome.fail(measure, "KL above " + KL_TARGET + " nats at " + s + " sparsity");
        return ValidationCase.Outcome.pass(measure);
    }

    /** Every trained-model measurement, averaged over the contexts: computed once per run. */
    static final class Table {
        final double[] denseNmse = new double[3];
        final Map<String, SqueezedFidelity.Result> results = new LinkedHashMap<>();
    }

    private static Table table;

    static synchronized Table trained(Context context) throws IOException {
        if (table != null) return table;
        Path dir = context.sharedModels();
        Table t = new Table();
        try (Model m = Model.open(dir.resolve("jdk-target-f16.gguf"))) {
            List<int[]> texts = heldOut(dir, m);
            double[][] sums = new double[3 * SPARSITIES.length][5];
            for (int[] tokens : texts) {
                int[] ctx = java.util.Arrays.copyOf(tokens, CONTEXT), q = java.util.Arrays.copyOfRange(tokens, CONTEXT, CONTEXT + QUESTION);
                try (SqueezedFidelity f = new SqueezedFidelity(m, new dev.squall.backend.java.JavaBackend(), context.threads(), ctx, q, CENTROIDS, 7)) {
                    for (int levels = 1; levels <= 2; levels++) {
                        t.denseNmse[levels] = Math.max(t.denseNmse[levels], f.denseNmse(levels));
                        for (int i = 0; i < SPARSITIES.length; i++) {
                            SqueezedFidelity.Result r = f.measure(levels, SPARSITIES[i], 99);
                            double[] acc = sums[levels * SPARSITIES.length + i];
                            acc[0] += r.kl();
                            acc[1] += r.top1();
                            acc[2] += r.sparsity();
                            acc[3] += r.recall();
                            acc[4] += r.randomKl();
                        }
                    }
                }
            }
            for (int levels = 1; levels <= 2; levels++) {
                for (int i = 0; i < SPARSITIES.length; i++) {
                    double[] a = sums[levels * SPARSITIES.length + i];
                    int n = texts.size();
                    t.results.put(levels + "@" + SPARSITIES[i], new SqueezedFidelity.Result(a[0] / n, a[1] / n, a[2] / n, a[3] / n, a[4] / n));
                }
            }
        }
        table = t;
        return t;
    }

    /**
     * The first {@value #CONTEXTS} held-out files (in {@code heldout_files.txt} order) long enough
     * for a context and a question, read from the JDK's {@code lib/src.zip} with the license header
     * stripped as the model's training data was, tokenized with BOS.
     */
    static List<int[]> heldOut(Path dir, Model m) throws IOException {
        Path zip = Path.of(System.getProperty("java.home"), "lib", "src.zip");
        if (!Files.isRegularFile(zip)) throw new IOException("the held-out files are read from " + zip + ", which is absent");
        List<int[]> out = new ArrayList<>();
        try (ZipFile z = new ZipFile(zip.toFile())) {
            for (String name : Files.readAllLines(dir.resolve("heldout_files.txt"))) {
                if (name.isBlank() || z.getEntry(name.strip()) == null) continue;
                String text;
                try (InputStream in = z.getInputStream(z.getEntry(name.strip()))) {
                    text = stripLicense(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
                int[] tokens = m.tokenizer().encode(text, true, true);
                if (tokens.length >= CONTEXT + QUESTION) out.add(tokens);
                if (out.size() == CONTEXTS) break;
            }
        }
        if (out.size() < CONTEXTS) throw new IOException("only " + out.size() + " held-out files hold " + (CONTEXT + QUESTION) + " tokens");
        return out;
    }

    /** The text after a leading block comment that holds a copyright notice. */
    static String stripLicense(String text) {
        String t = text.stripLeading();
        if (t.startsWith("/*")) {
            int end = t.indexOf("*/");
            if (end > 0 && t.substring(0, end).contains("Copyright")) return t.substring(end + 2).stripLeading();
        }
        return text;
    }
}
