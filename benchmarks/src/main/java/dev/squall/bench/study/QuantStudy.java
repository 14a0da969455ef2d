package dev.squall.bench.study;

import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.backend.java.JavaBackend;
import dev.squall.bench.SquallRun;
import dev.squall.format.Minifloat;
import dev.squall.format.MinifloatCodec;
import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.graph.Batch;
import dev.squall.graph.ForwardResult;
import dev.squall.model.Model;
import dev.squall.quant.OnTheFlyConversion;
import dev.squall.quant.QuantizeOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The FP8/FP4 format study: how the exponent/mantissa split and the scale granularity of a
 * minifloat weight format change a model's weights and outputs.
 *
 * <p>For each element format (8 bits: E5M2, E4M3, E3M4, E2M5; 4 bits: E2M1, E3M0, E1M2) and each
 * granularity (E8M0 power-of-two scales per block of 16, 32, 64, 128, or an FP32 scale per row)
 * every matrix is quantized and dequantized into an F32 copy ({@link FakeQuantization}) and the
 * model runs on a fixed seeded token stream: the weight NMSE over all matrices, and against the
 * unquantized model the KL divergence of the next-token distributions (full vocabulary, mean over
 * positions) and the top-1 agreement. The formats with kernels (MXFP4, NVFP4, MXFP8, FP8 per row,
 * Q8_0, Q4_0) run for real, converted as {@code --weights} converts, which adds decode tokens/s and
 * the bytes they take per weight.
 */
final class QuantStudy {

    /** The element formats of the sweep, 8-bit then 4-bit, most exponent bits first. */
    static final List<Minifloat> ELEMENTS = List.of(Minifloat.E5M2, Minifloat.E4M3, Minifloat.of(3, 4), Minifloat.of(2, 5),
            Minifloat.of(3, 0), Minifloat.E2M1, Minifloat.of(1, 2));

    /** The granularities: elements per E8M0 scale, or one FP32 scale per row. */
    static final int[] BLOCKS = {16, 32, 64, 128, MinifloatCodec.PER_ROW};

    /** The formats that have kernels, and the ggml formats to compare with. */
    static final List<WeightFormat> KERNEL_FORMATS = List.of(WeightFormats.Q8_0, WeightFormats.MXFP8_E4M3, WeightFormats.MXFP8_E5M2,
            WeightFormats.FP8_E4M3, WeightFormats.FP8_E5M2, WeightFormats.Q4_0, WeightFormats.MXFP4, WeightFormats.NVFP4);

    record Settings(Path model, int tokens, long seed, int threads, int decodeTokens) {}

    /** One element format at one granularity. */
    record GridPoint(String element, int bits, int exponentBits, int mantissaBits, String granularity, double bitsPerWeight,
                     double weightNmse, double kl, double top1) {}

    /** One stored format run by its kernel; {@code decodeTokensPerSecond} is the median of the repetitions. */
    record KernelPoint(String format, double bitsPerWeight, double weightNmse, double kl, double top1, double decodeTokensPerSecond,
                       double conversionSeconds) {}

    record Result(Settings settings, String modelName, long matrixElements, int rowLength, int vocab, double referenceDecodeTokensPerSecond,
                  List<GridPoint> grid, List<KernelPoint> kernels, double seconds) {}

    private QuantStudy() {}

    static Result run(Settings s, PrintWriter log) {
        long t0 = System.nanoTime();
        int[] stream;
        double[][] reference;
        String name;
        int vocab, rowLength;
        double referenceTps;
        long elements;
        List<GridPoint> grid = new ArrayList<>();
        List<KernelPoint> kernels = new ArrayList<>();
        try (Model m = Model.open(s.model(), null)) {
            name = m.config().name();
            vocab = m.config().vocabSize();
            rowLength = m.config().embeddingSize();
            stream = tokens(s.tokens(), vocab, s.seed());
            reference = logSoftmax(logits(m, stream, s.threads()));
            log.printf(Locale.ROOT, "reference %s: %d positions, vocab %d%n", name, stream.length, vocab);
            log.flush();
            try (FakeQuantization fq = new FakeQuantization(m.file())) {
                elements = fq.elements();
                for (Minifloat e : ELEMENTS) {
                    for (int block : BLOCKS) {
                        if (skipped(fq, block, e.name() + "/" + block, log)) continue;
                        long c0 = System.nanoTime();
                        MinifloatCodec codec = new MinifloatCodec(e, block);
                        FakeQuantization.Error err = fq.apply(codec);
                        double[] klTop1;
                        try (Model q = Model.open(s.model(), null, fq.conversion(codec.name()))) {
                            klTop1 = compare(reference, logits(q, stream, s.threads()));
                        }
                        GridPoint p = new GridPoint(e.name(), e.bits(), e.exponentBits(), e.mantissaBits(),
                                block == MinifloatCodec.PER_ROW ? "row" : Integer.toString(block), codec.bitsPerWeight(rowLength),
                                err.nmse(), klTop1[0], klTop1[1]);
                        grid.add(p);
                        log.printf(Locale.ROOT, "%-9s %5.2f bits  NMSE %.3e  KL %.3e  top-1 %.1f%%  (%.1f s)%n", codec.name(), p.bitsPerWeight(),
                                p.weightNmse(), p.kl(), 100 * p.top1(), (System.nanoTime() - c0) / 1e9);
                        log.flush();
                    }
                }
                // Quality first, one format at a time; the models stay open so that their decode speeds can be
                // measured round-robin, every format in every round, which a shared machine's load affects alike.
                List<Model> open = new ArrayList<>();
                List<Plan> plans = new ArrayList<>();
                List<String> labels = new ArrayList<>();
                List<double[]> quality = new ArrayList<>();
                List<OnTheFlyConversion> conversions = new ArrayList<>();
                try {
                    plans.add(m.compile(new JavaBackend(), PlanOptions.of(16 + s.decodeTokens() + 8, s.threads())));
                    labels.add(m.formatSummary() + " as stored");
                    for (WeightFormat f : KERNEL_FORMATS) {
                        if (skipped(fq, f.blockElements(), f.name(), log)) continue;
                        FakeQuantization.Error err = fq.errorOf(f);
                        OnTheFlyConversion conversion = new OnTheFlyConversion(QuantizeOptions.to(f));
                        Model q = Model.open(s.model(), null, conversion);
                        open.add(q);
                        double[] klTop1 = compare(reference, logits(q, stream, s.threads()));
                        plans.add(q.compile(new JavaBackend(), PlanOptions.of(16 + s.decodeTokens() + 8, s.threads())));
                        labels.add(f.name());
                        conversions.add(conversion);
                        quality.add(new double[] {8.0 * conversion.bytes() / fq.elements(), err.nmse(), klTop1[0], klTop1[1]});
                        log.printf(Locale.ROOT, "%-10s %5.2f bits  NMSE %.3e  KL %.3e  top-1 %.1f%%%n", f.name(), quality.getLast()[0],
                                err.nmse(), klTop1[0], 100 * klTop1[1]);
                        log.flush();
                    }
                    double[] tps = decodeSpeeds(plans, s, labels, log);
                    referenceTps = tps[0];
                    for (int i = 0; i < quality.size(); i++) {
                        double[] qv = quality.get(i);
                        kernels.add(new KernelPoint(labels.get(i + 1), qv[0], qv[1], qv[2], qv[3], tps[i + 1], conversions.get(i).seconds()));
                    }
                } finally {
                    plans.forEach(Plan::close);
                    open.forEach(Model::close);
                }
            }
        }
        return new Result(s, name, elements, rowLength, vocab, referenceTps, grid, kernels, (System.nanoTime() - t0) / 1e9);
    }

    private static boolean skipped(FakeQuantization fq, int block, String what, PrintWriter log) {
        var misfit = fq.misfit(block);
        misfit.ifPresent(t -> log.printf(Locale.ROOT, "%s skipped: the rows of %s (%d elements) are not whole blocks of %d%n",
                what, t.name(), t.columns(), block));
        return misfit.isPresent();
    }

    /** BOS, then seeded ids of ordinary tokens (past the 3 specials). */
    static int[] tokens(int n, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[n];
        t[0] = 1;
        for (int i = 1; i < n; i++) t[i] = 3 + r.nextInt(vocab - 3);
        return t;
    }

    private static float[][] logits(Model m, int[] stream, int threads) {
        try (Plan p = m.compile(new JavaBackend(), PlanOptions.of(stream.length + 8, threads))) {
            int seq = p.cache().newSequence();
            Batch.Builder b = Batch.builder();
            for (int i = 0; i < stream.length; i++) b.token(seq, i, stream[i], true);
            ForwardResult r = p.forward(b.build());
            float[][] out = new float[stream.length][];
            for (int i = 0; i < stream.length; i++) out[i] = r.logits(i);
            return out;
        }
    }

    /**
     * Decode tokens/s of each plan: 16 prompt tokens then {@code decodeTokens} steps, every plan once
     * per round, 3 warm-up rounds (each format's kernel is compiled by the JIT on first use) then the
     * median of 5 rounds.
     */
    private static double[] decodeSpeeds(List<Plan> plans, Settings s, List<String> labels, PrintWriter log) {
        int rounds = 5;
        double[][] tps = new double[plans.size()][rounds];
        for (int round = -3; round < rounds; round++) {
            for (int i = 0; i < plans.size(); i++) {
                double t = s.decodeTokens() / SquallRun.run(plans.get(i), 16, s.decodeTokens(), 100 + round).decodeSeconds();
                if (round >= 0) tps[i][round] = t;
            }
        }
        double[] median = new double[plans.size()];
        for (int i = 0; i < plans.size(); i++) {
            median[i] = SquallRun.median(tps[i]);
            log.printf(Locale.ROOT, "%-10s decode %.1f tokens/s (median of %d interleaved rounds)%n", labels.get(i), median[i], rounds);
        }
        log.flush();
        return median;
    }

    static double[][] logSoftmax(float[][] logits) {
        double[][] out = new double[logits.length][];
        for (int p = 0; p < logits.length; p++) {
            float[] l = logits[p];
            double max = Double.NEGATIVE_INFINITY;
            for (float v : l) max = Math.max(max, v);
            double sum = 0;
            for (float v : l) sum += Math.exp(v - max);
            double log = max + Math.log(sum);
            double[] o = new double[l.length];
            for (int i = 0; i < l.length; i++) o[i] = l[i] - log;
            out[p] = o;
        }
        return out;
    }

    /** {mean KL(reference ‖ q) over positions, fraction of positions whose top token agrees}. */
    static double[] compare(double[][] reference, float[][] logits) {
        double[][] q = logSoftmax(logits);
        double kl = 0;
        int agree = 0;
        for (int p = 0; p < reference.length; p++) {
            double k = 0;
            int top = 0, topQ = 0;
            for (int i = 0; i < reference[p].length; i++) {
                k += Math.exp(reference[p][i]) * (reference[p][i] - q[p][i]);
                if (reference[p][i] > reference[p][top]) top = i;
                if (q[p][i] > q[p][topQ]) topQ = i;
            }
            kl += k;
            if (top == topQ) agree++;
        }
        return new double[] {kl / reference.length, (double) agree / reference.length};
    }
}
