package dev.squall.speculative;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.squall.generation.Decoder;
import dev.squall.generation.DraftTree;
import dev.squall.generation.GenerateOptions;
import dev.squall.generation.Generator;
import dev.squall.generation.Session;
import dev.squall.generation.SpeculationStats;
import dev.squall.sampling.Distribution;
import dev.squall.sampling.Sampler;
import dev.squall.sampling.SamplerConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * With sampling (T > 0) the speculative decoders are lossless in distribution: the first two
 * tokens they produce follow plain sampling's distribution. {@value #DRAWS} seeded draws per
 * decoder; the first token's frequencies must lie within ε of its exact probabilities, the second
 * token's (after the most frequent first token, n₁ draws) within ε₁, where ε = sqrt(ln(2K/δ) / 2n)
 * is Hoeffding's bound made uniform over the K = top-k tokens of the support by a union bound,
 * δ = 1e-6: a correct decoder fails with probability below 1e-6 per check. A decoder that keeps
 * drafts without the acceptance rule must fail the same check.
 */
class SamplingDistributionTest {

    static final int DRAWS = 1500, TOP_K = 12;
    static final double DELTA = 1e-6;
    static final SamplerConfig CONFIG = new SamplerConfig(1.0f, TOP_K, 1f, 0f, 1f, 0, 0f, 0f, 0);
    /** Repeats itself, so that lookup and lookahead draft from the first position on. */
    static final String PROMPT = "        for (int i = 0; i < n; i++) {\n            a[i] = b[i];\n        }\n        for (int i = 0; i <";

    static SamplerConfig seeded(long seed) {
        return new SamplerConfig(CONFIG.temperature(), CONFIG.topK(), CONFIG.topP(), CONFIG.minP(), 1f, 0, 0f, 0f, seed);
    }

    static double epsilon(int n) { return Math.sqrt(Math.log(2 * TOP_K / DELTA) / (2.0 * n)); }

    /** First and second tokens of {@value #DRAWS} generations of two tokens, each from a fork of the prefilled prompt. */
    static int[][] draws(Models m, BiFunction<Models, Integer, Decoder> decoder) {
        int[] prompt = m.prompt(PROMPT);
        int[][] out = new int[DRAWS][];
        try (Session base = new Session(m.plan, m.target.tokenizer(), new Sampler(seeded(0)))) {
            base.append(Arrays.copyOf(prompt, prompt.length - 1), 512);
            for (int i = 0; i < DRAWS; i++) {
                try (Session s = base.fork(new Sampler(seeded(1000 + i))); Decoder d = decoder.apply(m, i)) {
                    out[i] = Generator.generate(s, new int[] {prompt[prompt.length - 1]}, new GenerateOptions(2, seeded(1000 + i), List.of(), 512), d, t -> {}).tokens();
                }
            }
        }
        return out;
    }

    /** The exact distribution after the prompt and {@code extra}. */
    static Distribution exact(Models m, int... extra) {
        try (Session s = new Session(m.plan, m.target.tokenizer(), new Sampler(seeded(0)))) {
            s.append(m.prompt(PROMPT), 512);
            for (int t : extra) s.push(t);
            return s.distribution();
        }
    }

    /** The largest gap between frequencies and probabilities, over the support and outside it. */
    static double gap(Map<Integer, Integer> counts, int n, Distribution p) {
        double worst = 0, inside = 0;
        for (int i = 0; i < p.size(); i++) {
            int c = counts.getOrDefault(p.token(i), 0);
            inside += c;
            worst = Math.max(worst, Math.abs(c / (double) n - p.probabilityAt(i)));
        }
        return Math.max(worst, (n - inside) / n);
    }

    /** Checks both tokens; returns a description of the first failure, or null. */
    static String check(Models m, int[][] draws) {
        Map<Integer, Integer> first = new HashMap<>();
        for (int[] d : draws) first.merge(d[0], 1, Integer::sum);
        double g = gap(first, draws.length, exact(m)), e = epsilon(draws.length);
        if (g > e) return "first token: gap " + g + " > ε " + e;
        int mode = first.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        Map<Integer, Integer> second = new HashMap<>();
        int n1 = 0;
        for (int[] d : draws) {
            if (d[0] == mode && d.length > 1) {
                second.merge(d[1], 1, Integer::sum);
                n1++;
            }
        }
        double g1 = gap(second, n1, exact(m, mode)), e1 = epsilon(n1);
        return g1 > e1 ? "second token after " + mode + " (" + n1 + " draws): gap " + g1 + " > ε " + e1 : null;
    }

    static Map<String, BiFunction<Models, Integer, Decoder>> deterministic() {
        return Map.of("lookup", (x, i) -> new PromptLookup(1, 3, 8), "lookahead", (x, i) -> new Lookahead(4, 6, 16, null),
                "jacobi", (x, i) -> new Jacobi(4, 4, 4, 1), "swift", (x, i) -> new Swift(1, 6, Swift.DEFAULT_CONFIDENCE, 1000 + i),
                "medusa", (x, i) -> LosslessTest.heads(x, dev.squall.heads.DraftHeads.Kind.MEDUSA, false),
                "hydra", (x, i) -> LosslessTest.heads(x, dev.squall.heads.DraftHeads.Kind.HYDRA, false));
    }

    @Test
    void treeDecodersSampleAsPlainSamplingDoes() {
        Path model = Models.shared("jdk-draft-q8_0.gguf");
        assumeTrue(model != null, "the trained models of ../shared/models are not here");
        try (Models m = new Models(model, null, 256)) {
            assertTrue(check(m, draws(m, (x, i) -> Decoder.plain())) == null, "plain sampling itself");
            for (var e : deterministic().entrySet()) {
                String failure = check(m, draws(m, e.getValue()));
                assertTrue(failure == null, e.getKey() + ": " + failure);
            }
        }
    }

    @Test
    void theDraftModelRuleSamplesAsPlainSamplingDoes() {
        Path target = Models.shared("jdk-target-q8_0.gguf"), draft = Models.shared("jdk-draft-q8_0.gguf");
        assumeTrue(target != null && draft != null, "the trained models of ../shared/models are not here");
        try (Models m = new Models(target, draft, 256)) {
            String failure = check(m, draws(m, (x, i) -> x.draftDecoder(seeded(5000 + i), 1, 4, 0)));
            assertTrue(failure == null, "draft: " + failure);
        }
    }

    /** Keeps every lookup draft unverified: its first token is the prompt's continuation far more often than p says. */
    static final class Unverified implements Decoder {
        private final PromptLookup lookup = new PromptLookup(1, 3, 8);
        private final SpeculationStats stats = new SpeculationStats();
        @Override public String name() { return "unverified"; }
        @Override public SpeculationStats stats() { return stats; }
        @Override public void step(Session s) {
            DraftTree t = lookup.propose(s);
            if (t.isEmpty()) s.commit(s.sampler().draw(s.distribution()));
            else s.commit(t.token(0));
        }
    }

    @Test
    void theCheckCatchesADecoderThatSkipsTheAcceptanceRule() {
        Path model = Models.shared("jdk-draft-q8_0.gguf");
        assumeTrue(model != null, "the trained models of ../shared/models are not here");
        try (Models m = new Models(model, null, 256)) {
            assertTrue(check(m, draws(m, (x, i) -> new Unverified())) != null);
        }
    }
}
