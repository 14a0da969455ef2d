package dev.squall.sampling;

/**
 * How the next token is chosen, with llama.cpp's meanings and defaults.
 *
 * @param temperature       0 or less: greedy (argmax); otherwise logits are divided by it
 * @param topK              keep the k most likely tokens (0: all)
 * @param topP              keep the smallest set whose probability reaches p (1: all)
 * @param minP              drop tokens less likely than minP × the most likely one (0: none)
 * @param repeatPenalty     divide positive / multiply negative logits of recent tokens (1: off)
 * @param repeatLastN       how many recent tokens the penalties look at (-1: all, 0: none)
 * @param presencePenalty   subtract from the logit of every recent token (0: off)
 * @param frequencyPenalty  subtract this × the count of each recent token (0: off)
 * @param seed              the random stream; same seed, same logits → same tokens
 */
public record SamplerConfig(float temperature, int topK, float topP, float minP, float repeatPenalty, int repeatLastN,
                            float presencePenalty, float frequencyPenalty, long seed) {

    public SamplerConfig {
        check(topK >= 0, "top-k", topK);
        check(topP > 0 && topP <= 1, "top-p", topP);
        check(minP >= 0 && minP <= 1, "min-p", minP);
        check(repeatPenalty > 0, "repeat-penalty", repeatPenalty);
        check(repeatLastN >= -1, "repeat-last-n", repeatLastN);
        check(Float.isFinite(presencePenalty), "presence-penalty", presencePenalty);
        check(Float.isFinite(frequencyPenalty), "frequency-penalty", frequencyPenalty);
        check(Float.isFinite(temperature), "temp", temperature);
    }

    private static void check(boolean ok, String flag, Object value) {
        if (!ok) throw new IllegalArgumentException("--" + flag + " " + value + " is out of range (" + range(flag) + ")");
    }

    private static String range(String flag) {
        return switch (flag) {
            case "top-k" -> "0 = off, or a positive count";
            case "top-p" -> "(0, 1]";
            case "min-p" -> "[0, 1]";
            case "repeat-penalty" -> "> 0, 1 = off";
            case "repeat-last-n" -> "-1 = all, 0 = none, or a positive count";
            default -> "a finite number";
        };
    }

    /** llama.cpp's defaults: temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, no penalties. */
    public static SamplerConfig defaults(long seed) {
        return new SamplerConfig(0.8f, 40, 0.95f, 0.05f, 1.0f, 64, 0f, 0f, seed);
    }

    public static SamplerConfig greedy() {
        return new SamplerConfig(0f, 0, 1f, 0f, 1f, 0, 0f, 0f, 0);
    }

    public boolean isGreedy() { return temperature <= 0; }
}
