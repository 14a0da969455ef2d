package dev.squall.cli;

import dev.squall.sampling.SamplerConfig;
import picocli.CommandLine.Option;

/** Sampling flags with llama.cpp's names and defaults. */
public final class SamplingOptions {

    @Option(names = "--temp", defaultValue = "0.8", paramLabel = "T", description = "Temperature; 0 = greedy (default ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "40", paramLabel = "K", description = "Keep the K most likely tokens; 0 = off (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.95", paramLabel = "P", description = "Nucleus sampling threshold in (0, 1]; 1 = off (default ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--min-p", defaultValue = "0.05", paramLabel = "P", description = "Drop tokens below P × the best one's probability; 0 = off (default ${DEFAULT-VALUE}).")
    float minP;

    @Option(names = "--repeat-penalty", defaultValue = "1.0", paramLabel = "X", description = "Penalize repeated tokens; 1 = off (default ${DEFAULT-VALUE}).")
    float repeatPenalty;

    @Option(names = "--repeat-last-n", defaultValue = "64", paramLabel = "N", description = "Tokens the penalties look back over; -1 = all (default ${DEFAULT-VALUE}).")
    int repeatLastN;

    @Option(names = "--presence-penalty", defaultValue = "0", paramLabel = "X", description = "Subtract X from the logits of recent tokens (default ${DEFAULT-VALUE}).")
    float presencePenalty;

    @Option(names = "--frequency-penalty", defaultValue = "0", paramLabel = "X", description = "Subtract X × count from the logits of recent tokens (default ${DEFAULT-VALUE}).")
    float frequencyPenalty;

    @Option(names = {"-s", "--seed"}, paramLabel = "N", description = "Random seed (default: a fresh one, printed).")
    Long seed;

    long seed() {
        if (seed == null) seed = System.nanoTime() & 0xffffffffL;
        return seed;
    }

    SamplerConfig config() {
        return new SamplerConfig(temperature, topK, topP, minP, repeatPenalty, repeatLastN, presencePenalty, frequencyPenalty, seed());
    }
}
