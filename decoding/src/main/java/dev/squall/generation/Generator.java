package dev.squall.generation;

import dev.squall.backend.Plan;
import dev.squall.graph.Batch;
import dev.squall.graph.ForwardResult;
import dev.squall.sampling.Sampler;
import dev.squall.tokenizer.StreamingDecoder;
import dev.squall.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The generation loop: prefill a sequence with input tokens (in batches), then sample one token at
 * a time, streaming text as it becomes complete, until an end token, a stop string, the token
 * budget or the context size stops it.
 */
public final class Generator {

    private final Plan plan;
    private final Tokenizer tokenizer;

    public Generator(Plan plan, Tokenizer tokenizer) {
        this.plan = plan;
        this.tokenizer = tokenizer;
    }

    /**
     * Appends {@code input} to sequence {@code seq} (after the positions it already holds) and
     * generates from there; every piece of shown text goes to {@code sink} as soon as it is final.
     */
    public GenerationResult generate(int seq, int[] input, Sampler sampler, GenerateOptions options, Consumer<String> sink) {
        if (input.length == 0) throw new IllegalArgumentException("nothing to generate from: the prompt has no tokens");
        int capacity = plan.cache().capacity();
        int start = plan.cache().length(seq);
        if (start + input.length > capacity) {
            throw new IllegalArgumentException("the prompt needs " + (start + input.length) + " positions, the context size is "
                    + capacity + " (raise it with -c)");
        }
        for (int t : input) sampler.accept(t);

        long t0 = System.nanoTime();
        float[] logits = prefill(seq, start, input, options.batchSize());
        long prefillNanos = System.nanoTime() - t0;

        StreamingDecoder decoder = tokenizer.streamingDecoder();
        StopStrings stops = new StopStrings(options.stops());
        StringBuilder shown = new StringBuilder();
        int[] produced = new int[16];
        int count = 0, decodeSteps = 0;
        long decodeNanos = 0;
        int pos = start + input.length;
        StopReason reason;
        while (true) {
            if (options.maxTokens() >= 0 && count == options.maxTokens()) { reason = StopReason.TOKEN_BUDGET; break; }
            int token = sampler.sample(logits);
            sampler.accept(token);
            if (count == produced.length) produced = Arrays.copyOf(produced, count * 2);
            produced[count++] = token;
            if (tokenizer.isEndOfGeneration(token)) { reason = StopReason.END_OF_GENERATION; break; }
            emit(stops.push(decoder.push(token)), sink, shown);
            if (stops.stopped()) { reason = StopReason.STOP_STRING; break; }
            if (options.maxTokens() >= 0 && count == options.maxTokens()) { reason = StopReason.TOKEN_BUDGET; break; }
            if (pos >= capacity) { reason = StopReason.CONTEXT_FULL; break; }
            long s = System.nanoTime();
            ForwardResult r = plan.forward(Batch.sequence(seq, pos, new int[] {token}));
            logits = r.logits(0);
            decodeNanos += System.nanoTime() - s;
            decodeSteps++;
            pos++;
        }
        if (!stops.stopped()) {
            emit(stops.push(decoder.flush()), sink, shown);
            emit(stops.flush(), sink, shown);
        }
        return new GenerationResult(Arrays.copyOf(produced, count), shown.toString(), reason, input.length,
                prefillNanos, decodeSteps, decodeNanos);
    }

    /** Feeds the input in batches; returns the logits after its last token. */
    private float[] prefill(int seq, int start, int[] input, int batchSize) {
        ForwardResult last = null;
        for (int i = 0; i < input.length; i += batchSize) {
            int n = Math.min(batchSize, input.length - i);
            last = plan.forward(Batch.sequence(seq, start + i, Arrays.copyOfRange(input, i, i + n)));
        }
        return last.logits(0);
    }

    private static void emit(String text, Consumer<String> sink, StringBuilder shown) {
        if (text.isEmpty()) return;
        shown.append(text);
        sink.accept(text);
    }
}
