package dev.squall.bench;

import dev.squall.backend.Plan;
import dev.squall.graph.Batch;
import dev.squall.graph.ForwardResult;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One measured run of Squall on a compiled plan, as llama-bench measures llama.cpp: a prefill of
 * {@code prefill} seeded token ids in one batch, then {@code decode} single-token forward calls
 * feeding back the argmax, on a fresh sequence.
 */
public final class SquallRun {

    private SquallRun() {}

    /** Seconds of one prefill and of the decode steps that follow it. */
    public record Timing(double prefillSeconds, double decodeSeconds) {}

    public static Timing run(Plan plan, int prefill, int decode, long seed) {
        int vocab = plan.graph().vocabSize();
        SplittableRandom r = new SplittableRandom(seed);
        int[] prompt = new int[prefill];
        for (int i = 0; i < prefill; i++) prompt[i] = r.nextInt(vocab);
        int seq = plan.cache().newSequence();
        try {
            long t0 = System.nanoTime();
            ForwardResult out = plan.forward(Batch.sequence(seq, 0, prompt));
            long t1 = System.nanoTime();
            int token = out.argmax(0);
            for (int i = 0; i < decode; i++) {
                token = plan.forward(Batch.sequence(seq, prefill + i, new int[] {token})).argmax(0);
            }
            long t2 = System.nanoTime();
            return new Timing((t1 - t0) / 1e9, (t2 - t1) / 1e9);
        } finally {
            plan.cache().remove(seq);
        }
    }

    public static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
