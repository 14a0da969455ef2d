package dev.squall.generation;

import dev.squall.backend.Plan;
import dev.squall.sampling.Sampler;
import dev.squall.tokenizer.Tokenizer;
import java.util.function.Consumer;

/**
 * A generation: prefill a session with input tokens (in batches), then let a {@link Decoder}
 * commit tokens until an end token, a stop string, the token budget or the context size stops it
 * (the session applies those rules, the same for every decoder).
 */
public final class Generator {

    private final Plan plan;
    private final Tokenizer tokenizer;

    public Generator(Plan plan, Tokenizer tokenizer) {
        this.plan = plan;
        this.tokenizer = tokenizer;
    }

    /** Generates with plain sampling on a new sequence; the sequence is released afterwards. */
    public GenerationResult generate(int[] input, Sampler sampler, GenerateOptions options, Consumer<String> sink) {
        try (Session s = new Session(plan, tokenizer, sampler); Decoder d = Decoder.plain()) {
            return generate(s, input, options, d, sink);
        }
    }

    /**
     * Appends {@code input} to the session and generates from there with {@code decoder}; every
     * piece of shown text goes to {@code sink} as soon as it is final.
     */
    public static GenerationResult generate(Session s, int[] input, GenerateOptions options, Decoder decoder, Consumer<String> sink) {
        if (input.length == 0) throw new IllegalArgumentException("nothing to generate from: the prompt has no tokens");
        long f0 = s.forwards();
        long t0 = System.nanoTime();
        s.append(input, options.batchSize());
        long prefillNanos = System.nanoTime() - t0;
        long f1 = s.forwards();
        s.startOutput(options, sink);
        long d0 = System.nanoTime();
        while (!s.stopped()) decoder.step(s);
        long decodeNanos = System.nanoTime() - d0;
        s.finishOutput();
        int[] produced = s.output();
        return new GenerationResult(produced, s.text(), s.stopReason(), input.length, prefillNanos, (int) (f1 - f0),
                Math.max(0, produced.length - 1), decodeNanos, (int) (s.forwards() - f1), decoder.name(), decoder.stats());
    }
}
