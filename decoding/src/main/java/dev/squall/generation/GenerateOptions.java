package dev.squall.generation;

import dev.squall.sampling.SamplerConfig;
import java.util.List;

/**
 * @param maxTokens  the token budget (-1: until the context is full)
 * @param sampling   how tokens are chosen
 * @param stops      stop strings (not shown when hit)
 * @param batchSize  prompt tokens per forward call during prefill
 * @param ignoreEnd  end-of-generation tokens do not stop the output (it runs to the budget, the
 *                   context or a stop string; for load tests with fixed output lengths)
 */
public record GenerateOptions(int maxTokens, SamplerConfig sampling, List<String> stops, int batchSize, boolean ignoreEnd) {

    public GenerateOptions(int maxTokens, SamplerConfig sampling, List<String> stops, int batchSize) {
        this(maxTokens, sampling, stops, batchSize, false);
    }

    public GenerateOptions {
        if (maxTokens < -1) throw new IllegalArgumentException("--n-predict " + maxTokens + " is out of range (-1 = until the context is full, or a count ≥ 0)");
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size " + batchSize + " is out of range (a positive count)");
        stops = List.copyOf(stops);
    }
}
