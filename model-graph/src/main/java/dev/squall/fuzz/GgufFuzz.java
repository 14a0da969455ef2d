package dev.squall.fuzz;

import dev.squall.gguf.GgufException;
import dev.squall.gguf.GgufFile;
import dev.squall.model.Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongConsumer;

/**
 * Mutated GGUF files against the reader ({@code gguf}) or the reader and the model built on it
 * ({@code model}: architecture, hyper-parameters, vocabulary, tokenizer, graph).
 *
 * <p>The properties, for every input: the reader either loads it or throws {@link GgufException}
 * whose message starts with the input's name (and goes on to name the field); the model level may
 * also throw {@link IllegalArgumentException} naming the input, for a well-formed file that is not
 * a model Squall can run. Never another exception; at most {@link #TIME_BOUND_NANOS} per input;
 * at most {@link #allocationBound} bytes allocated while reading it.
 */
public final class GgufFuzz {

    /** Per-input time bound: a parse is linear in the file, so far below this on any input. */
    public static final long TIME_BOUND_NANOS = 2_000_000_000L;

    /**
     * Heap a read may allocate, from the input's size: every structure the reader builds takes at
     * most a few dozen bytes per byte it was read from (a 14-byte metadata entry becomes a key
     * string, a value object and two hash-map entries), plus a fixed allowance; a model also
     * builds its tokenizer's tables.
     */
    public static long allocationBound(int inputBytes, boolean model) {
        return (model ? 96L : 32L) * inputBytes + (model ? 64L : 4L) * 1024 * 1024;
    }

    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private GgufFuzz() {}

    /** What happened to one input. */
    public enum Verdict { ACCEPTED, REJECTED, UNEXPECTED }

    /** One input's outcome: its verdict, the exception if any, its time and allocation. */
    public record Outcome(Verdict verdict, Throwable error, long nanos, long allocated) {}

    /** Reads {@code bytes} as the file {@code name} (and builds the model when {@code model}), classifying the outcome. */
    public static Outcome check(byte[] bytes, String name, boolean model) {
        long a0 = THREADS.getCurrentThreadAllocatedBytes(), t0 = System.nanoTime();
        Verdict v;
        Throwable error = null;
        try {
            GgufFile file = GgufFile.read(bytes, name);
            if (model) {
                Model.of(file).close();
            } else {
                file.close();
            }
            v = Verdict.ACCEPTED;
        } catch (GgufException e) {
            error = e;
            v = e.getMessage() != null && e.getMessage().startsWith(name + ": ") ? Verdict.REJECTED : Verdict.UNEXPECTED;
        } catch (IllegalArgumentException e) {
            error = e;
            v = model && e.getMessage() != null && e.getMessage().contains(name) ? Verdict.REJECTED : Verdict.UNEXPECTED;
        } catch (Throwable e) {
            error = e;
            v = Verdict.UNEXPECTED;
        }
        long nanos = System.nanoTime() - t0, allocated = THREADS.getCurrentThreadAllocatedBytes() - a0;
        return new Outcome(v, error, nanos, allocated);
    }

    /**
     * {@code iterations} mutated inputs, drawn from {@code seeds} in turn with the random stream of
     * {@code seed}. Inputs that break a property are written to {@code keep} (when not null) as
     * {@code <target>-<iteration>.gguf}, with the exception in a {@code .txt} beside it.
     */
    public static FuzzReport run(List<byte[]> seeds, long iterations, long seed, boolean model, Path keep, LongConsumer progress) {
        String target = model ? "model" : "gguf";
        FuzzReport report = new FuzzReport(target);
        List<GgufMutator> mutators = new ArrayList<>();
        for (byte[] s : seeds) mutators.add(new GgufMutator(s));
        Random random = new Random(seed);
        long start = System.nanoTime();
        List<GgufMutator.Mutation> applied = new ArrayList<>(4);
        for (long i = 0; i < iterations; i++) {
            applied.clear();
            GgufMutator m = mutators.get((int) (i % mutators.size()));
            byte[] input = m.next(random, applied);
            for (GgufMutator.Mutation x : applied) report.kind(x.name());
            String name = "input-" + i + ".gguf";
            Outcome o = check(input, name, model);
            record(report, o, input.length, model, i, applied.toString(), input, keep, target);
            if (progress != null && (i + 1) % 1000 == 0) progress.accept(i + 1);
        }
        report.seconds = (System.nanoTime() - start) / 1e9;
        return report;
    }

    static void record(FuzzReport report, Outcome o, int inputBytes, boolean model, long i, String what, byte[] input, Path keep, String target) {
        report.inputs++;
        switch (o.verdict()) {
            case ACCEPTED -> report.accepted++;
            case REJECTED -> report.rejected++;
            case UNEXPECTED -> {
                report.unexpected++;
                report.finding("input " + i + " (" + what + "): " + o.error());
                save(keep, target, i, input, o.error());
            }
        }
        report.maxNanos = Math.max(report.maxNanos, o.nanos());
        report.maxAllocatedBytes = Math.max(report.maxAllocatedBytes, o.allocated());
        report.maxAllocationPerByte = Math.max(report.maxAllocationPerByte, o.allocated() / (double) Math.max(1, inputBytes));
        if (o.nanos() > TIME_BOUND_NANOS) {
            report.slow++;
            report.finding("input " + i + " (" + what + "): " + o.nanos() / 1_000_000 + " ms");
            save(keep, target, i, input, null);
        }
        if (o.allocated() > allocationBound(inputBytes, model)) {
            report.overAllocated++;
            report.finding("input " + i + " (" + what + "): allocated " + o.allocated() + " bytes for " + inputBytes + " input bytes");
            save(keep, target, i, input, null);
        }
    }

    private static void save(Path keep, String target, long i, byte[] input, Throwable error) {
        if (keep == null) return;
        try {
            Files.createDirectories(keep);
            Files.write(keep.resolve(target + "-" + i + ".gguf"), input);
            if (error != null) {
                java.io.StringWriter w = new java.io.StringWriter();
                error.printStackTrace(new java.io.PrintWriter(w));
                Files.writeString(keep.resolve(target + "-" + i + ".txt"), w.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing a fuzz finding to " + keep, e);
        }
    }
}
