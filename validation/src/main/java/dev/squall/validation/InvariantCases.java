package dev.squall.validation;

import dev.squall.backend.Backend;
import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.format.WeightFormats;
import dev.squall.graph.Batch;
import dev.squall.graph.ForwardResult;
import dev.squall.model.Model;
import dev.squall.model.synthetic.SampleModels;
import dev.squall.sampling.Sampler;
import dev.squall.sampling.SamplerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The invariants decoding relies on, per backend, on the micro sample model: a batch gives the same
 * logits as token-by-token feeding and as each sequence alone, a fork or a truncation gives the
 * same logits as recomputation, and seeded sampling repeats itself. Each demands bit-identical
 * results: the Java backend fixes every accumulation order, and a device must too.
 */
final class InvariantCases implements CaseSource {

    @Override public List<ValidationCase> cases(Context context, List<Backend> backends) {
        List<ValidationCase> cases = new ArrayList<>();
        for (Backend b : backends) {
            cases.add(new Invariant("batch equals token by token", b, InvariantCases::batchEqualsTokenByToken));
            cases.add(new Invariant("two sequences in one batch equal each alone", b, InvariantCases::sequencesAreIndependent));
            cases.add(new Invariant("fork and truncate equal recomputation", b, InvariantCases::forkAndTruncate));
            cases.add(new Invariant("seeded sampling repeats", b, InvariantCases::seededSampling));
        }
        return cases;
    }

    private interface Check {
        ValidationCase.Outcome run(Plan plan, int vocab);
    }

    private record Invariant(String name, Backend backend, Check check) implements ValidationCase {
        @Override public String group() { return "invariant"; }
        @Override public String device() { return backend.id(); }
        @Override public String subject() { return "squall-micro"; }

        @Override public Outcome run(Context context) throws Exception {
            Path model = context.work().resolve(SampleModels.fileName("micro", WeightFormats.F32));
            synchronized (InvariantCases.class) {
                if (!Files.isRegularFile(model)) SampleModels.write("micro", WeightFormats.F32, context.work(), null);
            }
            try (Model m = Model.open(model); Plan p = m.compile(backend, PlanOptions.of(512, context.threads()))) {
                return check.run(p, m.config().vocabSize());
            }
        }
    }

    private static int[] tokens(int n, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return r.ints(n, 0, vocab).toArray();
    }

    private static float[][] batched(Plan p, int[] t) {
        int seq = p.cache().newSequence();
        Batch.Builder b = Batch.builder();
        for (int i = 0; i < t.length; i++) b.token(seq, i, t[i], true);
        ForwardResult r = p.forward(b.build());
        p.cache().remove(seq);
        float[][] out = new float[t.length][];
        for (int i = 0; i < t.length; i++) out[i] = r.logits(i);
        return out;
    }

    private static int firstDifference(float[][] a, float[][] b) {
        for (int i = 0; i < a.length; i++) if (!Arrays.equals(a[i], b[i])) return i;
        return -1;
    }

    private static ValidationCase.Outcome batchEqualsTokenByToken(Plan p, int vocab) {
        int[] t = tokens(48, vocab, 1);
        float[][] whole = batched(p, t), single = new float[t.length][];
        int seq = p.cache().newSequence();
        for (int i = 0; i < t.length; i++) single[i] = p.forward(Batch.sequence(seq, i, new int[] {t[i]})).logits(0);
        p.cache().remove(seq);
        int d = firstDifference(whole, single);
        return ValidationCase.Outcome.judge(d < 0, t.length + " positions bit-identical", "position " + d + " differs");
    }

    private static ValidationCase.Outcome sequencesAreIndependent(Plan p, int vocab) {
        int[] a = tokens(21, vocab, 2), b = tokens(13, vocab, 3);
        float[][] aloneA = batched(p, a), aloneB = batched(p, b);
        int sa = p.cache().newSequence(), sb = p.cache().newSequence();
        Batch.Builder batch = Batch.builder();
        for (int i = 0; i < a.length; i++) batch.token(sa, i, a[i], true);
        for (int i = 0; i < b.length; i++) batch.token(sb, i, b[i], true);
        ForwardResult r = p.forward(batch.build());
        p.cache().remove(sa);
        p.cache().remove(sb);
        for (int i = 0; i < a.length; i++) if (!Arrays.equals(aloneA[i], r.logits(i))) return ValidationCase.Outcome.fail("differs", "sequence A position " + i);
        for (int i = 0; i < b.length; i++) if (!Arrays.equals(aloneB[i], r.logits(a.length + i))) return ValidationCase.Outcome.fail("differs", "sequence B position " + i);
        return ValidationCase.Outcome.pass((a.length + b.length) + " positions bit-identical");
    }

    private static ValidationCase.Outcome forkAndTruncate(Plan p, int vocab) {
        int[] prefix = tokens(70, vocab, 4), tailA = tokens(6, vocab, 5), tailB = tokens(5, vocab, 6);
        int parent = p.cache().newSequence();
        p.forward(Batch.sequence(parent, 0, prefix));
        int child = p.cache().fork(parent);
        float[] viaFork = p.forward(Batch.sequence(child, prefix.length, tailB)).logits(0);
        p.forward(Batch.sequence(parent, prefix.length, tailA));
        p.cache().truncate(parent, prefix.length);
        float[] viaTruncate = p.forward(Batch.sequence(parent, prefix.length, tailB)).logits(0);
        p.cache().remove(parent);
        p.cache().remove(child);
        int[] all = Arrays.copyOf(prefix, prefix.length + tailB.length);
        System.arraycopy(tailB, 0, all, prefix.length, tailB.length);
        float[] recomputed = batched(p, all)[all.length - 1];
        boolean ok = Arrays.equals(recomputed, viaFork) && Arrays.equals(recomputed, viaTruncate);
        return ValidationCase.Outcome.judge(ok, "fork and truncate bit-identical to recomputation",
                Arrays.equals(recomputed, viaFork) ? "truncate differs" : "fork differs");
    }

    private static ValidationCase.Outcome seededSampling(Plan p, int vocab) {
        int[] first = sample(p, vocab), second = sample(p, vocab);
        return ValidationCase.Outcome.judge(Arrays.equals(first, second), first.length + " sampled tokens repeat", "the two runs differ");
    }

    private static int[] sample(Plan p, int vocab) {
        Sampler s = new Sampler(SamplerConfig.defaults(99));
        int seq = p.cache().newSequence();
        int[] prompt = tokens(8, vocab, 7);
        float[] logits = p.forward(Batch.sequence(seq, 0, prompt)).logits(0);
        int[] out = new int[32];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.sample(logits);
            s.accept(out[i]);
            logits = p.forward(Batch.sequence(seq, prompt.length + i, new int[] {out[i]})).logits(0);
        }
        p.cache().remove(seq);
        return out;
    }
}
