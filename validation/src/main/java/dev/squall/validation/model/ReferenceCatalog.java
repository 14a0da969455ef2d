package dev.squall.validation.model;

import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.model.ModelFamily;
import dev.squall.model.synthetic.ModelSpec;
import dev.squall.model.synthetic.ModelSpec.Llama3Scaling;
import dev.squall.tokenizer.SampleVocabulary;
import dev.squall.tokenizer.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The generated models whose llama.cpp outputs are committed under
 * {@code validation/references/models/<name>/}: tiny (2 layers, dim 128–320) so the whole group runs
 * in seconds, with a 360-token sample vocabulary so each reference stays under 300 KB.
 *
 * <table>
 *   <caption>The catalog: what each model is there to exercise</caption>
 *   <tr><th>model</th><th>dim</th><th>heads:KV</th><th>head</th><th>FFN</th><th>what it covers</th></tr>
 *   <tr><td>llama-h4kv4-hs80-f32</td><td>320</td><td>4:4</td><td>80</td><td>640</td><td>plain multi-head attention, a head size that is no power of two</td></tr>
 *   <tr><td>llama-h4kv2-hs64-{f32,f16,q8_0,q4_0,q4_k,q6_k}</td><td>256</td><td>4:2</td><td>64</td><td>768</td><td>GQA; the same weights in every format (every row length a multiple of 256 for the K-quants)</td></tr>
 *   <tr><td>llama-h8kv1-hs32-tied-f32</td><td>256</td><td>8:1</td><td>32</td><td>512</td><td>multi-query attention, output tied to the embedding</td></tr>
 *   <tr><td>llama-h2kv1-hs64-rope500k-llama3-f32</td><td>128</td><td>2:1</td><td>64</td><td>384</td><td>RoPE base 500000 with Llama 3.1 frequency scaling ({@code rope_freqs.weight})</td></tr>
 *   <tr><td>qwen2-h8kv2-hs32-bias-{f32,q8_0}</td><td>256</td><td>8:2</td><td>32</td><td>512</td><td>Q/K/V biases, NeoX RoPE, base 1000000</td></tr>
 *   <tr><td>qwen3-h4kv2-hs80-qknorm-tied-f32</td><td>256</td><td>4:2</td><td>80</td><td>512</td><td>per-head Q/K RMSNorm, head size ≠ dim/heads (query width 320), tied output</td></tr>
 * </table>
 *
 * Every model reads the same seeded prompt of {@link #PROMPT_LENGTH} tokens ({@link #prompt}).
 * Changing anything here changes the generated GGUF files: run
 * {@code validation/references/regenerate.sh} and commit the new references.
 */
public final class ReferenceCatalog {

    private ReferenceCatalog() {}

    /** Tokens of the prompt whose logits are compared at every position. */
    public static final int PROMPT_LENGTH = 200;

    /** Greedy steps compared after the prompt. */
    public static final int GREEDY_STEPS = 64;

    public static final int VOCABULARY_SIZE = 360;
    public static final long VOCABULARY_SEED = 7L;
    private static final long PROMPT_SEED = 2024L;

    private static final Vocabulary VOCABULARY = SampleVocabulary.generate(VOCABULARY_SIZE, VOCABULARY_SEED);

    /** One catalog entry: the case name is {@code spec.name()}. */
    public record Entry(ModelSpec spec) {
        public String name() { return spec.name(); }

        /** True when llama.cpp rounds this model's matmul inputs (every format but F32). */
        public boolean quantized() { return spec.matrixFormat() != WeightFormats.F32; }
    }

    private static final List<Entry> ENTRIES = build();

    public static List<Entry> entries() { return ENTRIES; }

    private static List<Entry> build() {
        List<Entry> e = new ArrayList<>();
        e.add(new Entry(llama("llama-h4kv4-hs80", 320, 4, 4, 80, 640, false, 10000f, null, 101)));
        ModelSpec gqa = llama("llama-h4kv2-hs64", 256, 4, 2, 64, 768, false, 10000f, null, 102);
        for (WeightFormat f : List.of(WeightFormats.F32, WeightFormats.F16, WeightFormats.Q8_0, WeightFormats.Q4_0,
                WeightFormats.Q4_K, WeightFormats.Q6_K)) {
            e.add(new Entry(named(gqa.withFormat(f))));
        }
        e.add(new Entry(llama("llama-h8kv1-hs32-tied", 256, 8, 1, 32, 512, true, 10000f, null, 103)));
        e.add(new Entry(llama("llama-h2kv1-hs64-rope500k-llama3", 128, 2, 1, 64, 384, false, 500000f,
                new Llama3Scaling(8f, 1f, 4f, 8192), 104)));
        ModelSpec qwen2 = spec(ModelFamily.QWEN2, "qwen2-h8kv2-hs32-bias", 256, 8, 2, 32, 512, false, 1_000_000f, null, 105);
        e.add(new Entry(named(qwen2)));
        e.add(new Entry(named(qwen2.withFormat(WeightFormats.Q8_0))));
        e.add(new Entry(named(spec(ModelFamily.QWEN3, "qwen3-h4kv2-hs80-qknorm-tied", 256, 4, 2, 80, 512, true, 1_000_000f, null, 106))));
        return List.copyOf(e);
    }

    private static ModelSpec llama(String base, int dim, int heads, int kv, int hs, int ffn, boolean tied, float ropeBase,
                                   Llama3Scaling scaling, long seed) {
        return named(spec(ModelFamily.LLAMA, base, dim, heads, kv, hs, ffn, tied, ropeBase, scaling, seed));
    }

    private static ModelSpec spec(ModelFamily family, String base, int dim, int heads, int kv, int hs, int ffn, boolean tied,
                                  float ropeBase, Llama3Scaling scaling, long seed) {
        return new ModelSpec(base, family, dim, 2, heads, kv, hs, ffn, VOCABULARY, tied, ropeBase, scaling, 2048,
                WeightFormats.F32, seed);
    }

    /** The case name: the base name and the format, e.g. {@code llama-h4kv2-hs64-q4_k}. */
    private static ModelSpec named(ModelSpec s) {
        String base = s.name().replaceFirst("-(f32|f16|bf16|q\\d_\\w+)$", "");
        return s.withName(base + "-" + s.matrixFormat().name().toLowerCase(Locale.ROOT));
    }

    /** The entry called {@code name}. */
    public static Entry find(String name) {
        return ENTRIES.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "no reference model '" + name + "' (catalog: " + String.join(", ", ENTRIES.stream().map(Entry::name).toList()) + ")"));
    }

    /** The prompt every model reads: BOS, then seeded ids drawn from the non-control tokens. */
    public static int[] prompt() {
        SplittableRandom r = new SplittableRandom(PROMPT_SEED);
        int[] t = new int[PROMPT_LENGTH];
        t[0] = VOCABULARY.bos();
        for (int i = 1; i < t.length; i++) t[i] = r.nextInt(3, VOCABULARY_SIZE);
        return t;
    }
}
