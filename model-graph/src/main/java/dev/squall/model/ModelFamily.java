package dev.squall.model;

import dev.squall.graph.RopeSpec;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A model architecture ({@code general.architecture}): the names of its weights and the few ways
 * it departs from the shared transformer block that {@link TransformerGraph} builds.
 *
 * <table>
 *   <caption>What each family changes</caption>
 *   <tr><th>family</th><th>RoPE pairing</th><th>Q/K/V bias</th><th>Q/K norm</th></tr>
 *   <tr><td>llama (Llama 2/3, Mistral)</td><td>adjacent</td><td>if present</td><td>no</td></tr>
 *   <tr><td>qwen2</td><td>NeoX</td><td>required</td><td>no</td></tr>
 *   <tr><td>qwen3</td><td>NeoX</td><td>no</td><td>per head</td></tr>
 * </table>
 */
public enum ModelFamily {
    LLAMA("llama", RopeSpec.Pairing.ADJACENT, false, false),
    QWEN2("qwen2", RopeSpec.Pairing.NEOX, true, false),
    QWEN3("qwen3", RopeSpec.Pairing.NEOX, false, true);

    private final String architecture;
    private final RopeSpec.Pairing pairing;
    private final boolean requiresQkvBias;
    private final boolean qkNorm;

    ModelFamily(String architecture, RopeSpec.Pairing pairing, boolean requiresQkvBias, boolean qkNorm) {
        this.architecture = architecture;
        this.pairing = pairing;
        this.requiresQkvBias = requiresQkvBias;
        this.qkNorm = qkNorm;
    }

    public String architecture() { return architecture; }

    public RopeSpec.Pairing ropePairing() { return pairing; }

    public boolean requiresQkvBias() { return requiresQkvBias; }

    public boolean hasQkNorm() { return qkNorm; }

    /** The family of an architecture name; any other name is an error that names it. */
    public static ModelFamily of(String architecture, String file) {
        return find(architecture).orElseThrow(() -> new IllegalArgumentException(file
                + ": general.architecture = \"" + architecture + "\" is not supported (supported: "
                + String.join(", ", List.of(values()).stream().map(ModelFamily::architecture).toList()) + ")"));
    }

    public static Optional<ModelFamily> find(String architecture) {
        for (ModelFamily f : values()) if (f.architecture.equals(architecture.toLowerCase(Locale.ROOT))) return Optional.of(f);
        return Optional.empty();
    }

    /** Names of the weights of layer {@code i}, as llama.cpp's converters write them. */
    public record LayerNames(String attnNorm, String q, String k, String v, String output,
                             String qBias, String kBias, String vBias, String qNorm, String kNorm,
                             String ffnNorm, String gate, String up, String down) {
        static LayerNames of(int i) {
            String p = "blk." + i + ".";
            return new LayerNames(p + "attn_norm.weight", p + "attn_q.weight", p + "attn_k.weight", p + "attn_v.weight",
                    p + "attn_output.weight", p + "attn_q.bias", p + "attn_k.bias", p + "attn_v.bias",
                    p + "attn_q_norm.weight", p + "attn_k_norm.weight",
                    p + "ffn_norm.weight", p + "ffn_gate.weight", p + "ffn_up.weight", p + "ffn_down.weight");
        }
    }

    public LayerNames layer(int i) { return LayerNames.of(i); }

    public static final String TOKEN_EMBEDDING = "token_embd.weight";
    public static final String OUTPUT_NORM = "output_norm.weight";
    public static final String OUTPUT = "output.weight";
    public static final String ROPE_FREQS = "rope_freqs.weight";
}
