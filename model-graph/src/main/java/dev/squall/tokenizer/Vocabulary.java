package dev.squall.tokenizer;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tokenizer vocabulary as a GGUF file stores it, in plain Java values. Each component mirrors one
 * GGUF key; {@link #builder} fills the keys a file leaves out with llama.cpp's defaults
 * ({@code llama_vocab::impl::load}), so a reader of GGUF metadata sets only what it finds.
 *
 * <table>
 * <caption>Components, their GGUF keys and llama.cpp's defaults when the key is absent</caption>
 * <tr><th>component</th><th>GGUF key</th><th>default when absent</th></tr>
 * <tr><td>model</td><td>tokenizer.ggml.model</td><td>required: {@code "llama"} (SentencePiece BPE) or
 *     {@code "gpt2"} (byte-level BPE)</td></tr>
 * <tr><td>pre</td><td>tokenizer.ggml.pre</td><td>null: byte-level BPE then uses llama.cpp's
 *     {@code "default"} pre-tokenizer; ignored by SentencePiece</td></tr>
 * <tr><td>tokens</td><td>tokenizer.ggml.tokens</td><td>required; an empty string becomes
 *     {@code [EMPTY_<id>]} when the tokenizer is built, as in llama.cpp</td></tr>
 * <tr><td>scores</td><td>tokenizer.ggml.scores</td><td>null: every score 0</td></tr>
 * <tr><td>tokenTypes</td><td>tokenizer.ggml.token_type</td><td>null: every token
 *     {@link TokenType#NORMAL}</td></tr>
 * <tr><td>merges</td><td>tokenizer.ggml.merges</td><td>required for {@code gpt2}; unused by
 *     {@code llama}; each entry is {@code "left right"}, rank = index</td></tr>
 * <tr><td>bos</td><td>tokenizer.ggml.bos_token_id</td><td>llama: 1; gpt2: 11 (none for pre
 *     {@code glm4}/{@code chatglm-bpe})</td></tr>
 * <tr><td>eos</td><td>tokenizer.ggml.eos_token_id</td><td>llama: 2; gpt2: 11</td></tr>
 * <tr><td>unk</td><td>tokenizer.ggml.unknown_token_id</td><td>llama: 0; gpt2: none</td></tr>
 * <tr><td>pad</td><td>tokenizer.ggml.padding_token_id</td><td>none</td></tr>
 * <tr><td>eot</td><td>tokenizer.ggml.eot_token_id</td><td>none (the tokenizer still finds
 *     {@code <|eot_id|>}, {@code <|im_end|>}, ... by text, as llama.cpp does)</td></tr>
 * <tr><td>eom</td><td>tokenizer.ggml.eom_token_id</td><td>none ({@code <|eom_id|>} found by text)</td></tr>
 * <tr><td>addBos</td><td>tokenizer.ggml.add_bos_token</td><td>llama: true; gpt2: true for the
 *     Llama 3 pre-tokenizers ({@code llama3}, {@code llama-v3}, {@code llama-bpe}, {@code falcon3},
 *     {@code falcon-h1}, {@code pixtral}, {@code midm-2.0}, {@code lfm2}, {@code jina-v5-nano}),
 *     {@code tekken} and {@code chameleon}, false otherwise</td></tr>
 * <tr><td>addEos</td><td>tokenizer.ggml.add_eos_token</td><td>false</td></tr>
 * <tr><td>addSpacePrefix</td><td>tokenizer.ggml.add_space_prefix</td><td>llama: true; gpt2: false</td></tr>
 * <tr><td>chatTemplate</td><td>tokenizer.chat_template</td><td>null (see {@link ChatTemplate})</td></tr>
 * </table>
 *
 * <p>A special id is a token index or {@code -1} for none. As llama.cpp does, the builder ignores a
 * file's id that is out of range (keeping the default), and drops a default that is out of range.
 */
public record Vocabulary(
        String model,
        String pre,
        String[] tokens,
        float[] scores,
        int[] tokenTypes,
        String[] merges,
        int bos,
        int eos,
        int unk,
        int pad,
        int eot,
        int eom,
        boolean addBos,
        boolean addEos,
        boolean addSpacePrefix,
        String chatTemplate) {

    /** {@code tokenizer.ggml.model} of SentencePiece BPE vocabularies (Llama 2, Mistral). */
    public static final String MODEL_SPM = "llama";
    /** {@code tokenizer.ggml.model} of byte-level BPE vocabularies (GPT-2, Llama 3, Qwen). */
    public static final String MODEL_BYTE_LEVEL_BPE = "gpt2";

    public Vocabulary {
        Objects.requireNonNull(model, "tokenizer.ggml.model");
        Objects.requireNonNull(tokens, "tokenizer.ggml.tokens");
        if (tokens.length == 0) {
            throw new IllegalArgumentException("tokenizer.ggml.tokens is empty");
        }
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] == null) {
                throw new IllegalArgumentException("tokenizer.ggml.tokens[" + i + "] is null");
            }
        }
        if (scores != null && scores.length < tokens.length) {
            throw new IllegalArgumentException("tokenizer.ggml.scores has " + scores.length
                    + " entries, expected at least " + tokens.length + " (one per token)");
        }
        if (tokenTypes != null && tokenTypes.length < tokens.length) {
            throw new IllegalArgumentException("tokenizer.ggml.token_type has " + tokenTypes.length
                    + " entries, expected at least " + tokens.length + " (one per token)");
        }
        checkId("tokenizer.ggml.bos_token_id", bos, tokens.length);
        checkId("tokenizer.ggml.eos_token_id", eos, tokens.length);
        checkId("tokenizer.ggml.unknown_token_id", unk, tokens.length);
        checkId("tokenizer.ggml.padding_token_id", pad, tokens.length);
        checkId("tokenizer.ggml.eot_token_id", eot, tokens.length);
        checkId("tokenizer.ggml.eom_token_id", eom, tokens.length);
        if (addBos && bos < 0) {
            throw new IllegalArgumentException(
                    "tokenizer.ggml.add_bos_token is true but the vocabulary has no BOS token");
        }
        if (addEos && eos < 0) {
            throw new IllegalArgumentException(
                    "tokenizer.ggml.add_eos_token is true but the vocabulary has no EOS token");
        }
    }

    private static void checkId(String key, int id, int size) {
        if (id < -1 || id >= size) {
            throw new IllegalArgumentException(key + " = " + id + " is outside the vocabulary [0, " + size
                    + ") and is not -1 (none)");
        }
    }

    /** Number of tokens. */
    public int size() {
        return tokens.length;
    }

    /** The GGUF token type of {@code id} ({@link TokenType#NORMAL} when the file has none). */
    public int tokenType(int id) {
        return tokenTypes == null ? TokenType.NORMAL : tokenTypes[id];
    }

    /** The score of {@code id} (0 when the file has none). */
    public float score(int id) {
        return scores == null ? 0f : scores[id];
    }

    /** A builder for the two required keys; the others default as llama.cpp does. */
    public static Builder builder(String model, String[] tokens) {
        return new Builder(model, tokens);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vocabulary v
                && model.equals(v.model) && Objects.equals(pre, v.pre)
                && Arrays.equals(tokens, v.tokens) && Arrays.equals(scores, v.scores)
                && Arrays.equals(tokenTypes, v.tokenTypes) && Arrays.equals(merges, v.merges)
                && bos == v.bos && eos == v.eos && unk == v.unk && pad == v.pad && eot == v.eot && eom == v.eom
                && addBos == v.addBos && addEos == v.addEos && addSpacePrefix == v.addSpacePrefix
                && Objects.equals(chatTemplate, v.chatTemplate);
    }

    @Override
    public int hashCode() {
        return Objects.hash(model, pre, Arrays.hashCode(tokens), Arrays.hashCode(scores),
                Arrays.hashCode(tokenTypes), Arrays.hashCode(merges), bos, eos, unk, pad, eot, eom,
                addBos, addEos, addSpacePrefix, chatTemplate);
    }

    @Override
    public String toString() {
        return "Vocabulary[model=" + model + ", pre=" + pre + ", tokens=" + tokens.length
                + ", merges=" + (merges == null ? 0 : merges.length) + ", bos=" + bos + ", eos=" + eos
                + ", unk=" + unk + ", pad=" + pad + ", eot=" + eot + ", eom=" + eom + ", addBos=" + addBos
                + ", addEos=" + addEos + ", addSpacePrefix=" + addSpacePrefix
                + ", chatTemplate=" + (chatTemplate == null ? "none" : chatTemplate.length() + " chars") + "]";
    }

    /**
     * Collects the GGUF keys a file has; {@link #build()} applies llama.cpp's defaults for the rest.
     */
    public static final class Builder {
        private final String model;
        private final String[] tokens;
        private String pre;
        private float[] scores;
        private int[] tokenTypes;
        private String[] merges;
        private Integer bos;
        private Integer eos;
        private Integer unk;
        private Integer pad;
        private Integer eot;
        private Integer eom;
        private Boolean addBos;
        private Boolean addEos;
        private Boolean addSpacePrefix;
        private String chatTemplate;

        private Builder(String model, String[] tokens) {
            this.model = Objects.requireNonNull(model, "tokenizer.ggml.model");
            this.tokens = Objects.requireNonNull(tokens, "tokenizer.ggml.tokens");
        }

        public Builder pre(String value) { pre = value; return this; }
        public Builder scores(float[] value) { scores = value; return this; }
        public Builder tokenTypes(int[] value) { tokenTypes = value; return this; }
        public Builder merges(String[] value) { merges = value; return this; }
        public Builder bos(int id) { bos = id; return this; }
        public Builder eos(int id) { eos = id; return this; }
        public Builder unk(int id) { unk = id; return this; }
        public Builder pad(int id) { pad = id; return this; }
        public Builder eot(int id) { eot = id; return this; }
        public Builder eom(int id) { eom = id; return this; }
        public Builder addBos(boolean value) { addBos = value; return this; }
        public Builder addEos(boolean value) { addEos = value; return this; }
        public Builder addSpacePrefix(boolean value) { addSpacePrefix = value; return this; }
        public Builder chatTemplate(String value) { chatTemplate = value; return this; }

        public Vocabulary build() {
            boolean spm = MODEL_SPM.equals(model);
            boolean bpe = MODEL_BYTE_LEVEL_BPE.equals(model);
            int n = tokens.length;
            boolean glm = bpe && ("glm4".equals(pre) || "chatglm-bpe".equals(pre));
            int bosId = special(bos, spm ? 1 : bpe && !glm ? 11 : -1, n);
            int eosId = special(eos, spm ? 2 : bpe ? 11 : -1, n);
            int unkId = special(unk, spm ? 0 : -1, n);
            boolean bosByDefault = spm || (bpe && PreTokenizer.addsBosByDefault(pre));
            return new Vocabulary(model, pre, tokens, scores, tokenTypes, merges,
                    bosId, eosId, unkId, special(pad, -1, n), special(eot, -1, n), special(eom, -1, n),
                    addBos != null ? addBos : bosByDefault,
                    addEos != null && addEos,
                    addSpacePrefix != null ? addSpacePrefix : spm,
                    chatTemplate);
        }

        private static int special(Integer fromFile, int fallback, int size) {
            int def = fallback < size ? fallback : -1;
            return fromFile != null && fromFile >= 0 && fromFile < size ? fromFile : def;
        }
    }
}
