package dev.squall.validation.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.squall.tokenizer.TokenType;
import dev.squall.tokenizer.Vocabulary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A Hugging Face tokenizer ({@code tokenizer.json}, {@code tokenizer_config.json}, the model's
 * {@code config.json}) as the {@link Vocabulary} that llama.cpp's {@code convert_hf_to_gguf.py}
 * writes for a Llama or Qwen 2/3 model whose folder has no SentencePiece {@code tokenizer.model}.
 * The converter tries, in order:
 *
 * <ol>
 * <li><b>SentencePiece from tokenizer.json</b> (gguf-py's {@code LlamaHfVocab}; Llama 2, Mistral):
 *     a {@code BPE} model with {@code byte_fallback} and a {@code Sequence} decoder. Model
 *     {@code llama}, pre {@code default}. The model vocabulary in id order, then the added tokens
 *     above it in id order. Types: {@code <0xNN>} is BYTE, a special token of
 *     {@code tokenizer_config.json} ({@code bos_token}, ..., {@code additional_special_tokens}) is
 *     CONTROL (so {@code <unk>} is CONTROL, not UNKNOWN), another added token USER_DEFINED, the
 *     rest NORMAL. <em>Every score is -1000</em> (the converter's placeholder), so llama.cpp merges
 *     the leftmost pair first; {@link #withMergeRankScores} restores the merge order. No merges.
 *     {@code add_prefix_space} of {@code tokenizer_config.json}, when given, becomes
 *     {@code add_space_prefix} (Llama's {@code set_vocab}).</li>
 * <li><b>Byte-level BPE</b> (its {@code get_vocab_base}; Llama 3, Qwen): any other {@code BPE}
 *     model. Model {@code gpt2}; ids {@code 0 .. vocab_size-1} where {@code vocab_size} is
 *     {@code config.json}'s, else the number of tokens; an id with no token becomes
 *     {@code [PAD<id>]}, UNUSED. An added token is CONTROL when its {@code special} flag is set or
 *     its text looks special ({@code <|...|>}, {@code <｜...｜>}, {@code <pad>}, {@code <mask>},
 *     {@code <2mass>}, {@code [@BOS@]}, {@code <unused...>}), otherwise USER_DEFINED with ▁
 *     replaced by a space; the rest NORMAL. Merges from {@code model.merges}. The converter names
 *     the pre-tokenizer by hashing the ids of a test text; we recognise the {@code Split} regex
 *     instead ({@link #preTokenizer}).</li>
 * </ol>
 *
 * Special ids, {@code add_bos}/{@code add_eos} and the chat template come from {@link SpecialVocab}.
 * Kept out because {@link Vocabulary} has no field for them (and llama.cpp uses none of them when
 * tokenizing SentencePiece or byte-level BPE text): sep, cls and mask ids and
 * {@code add_sep_token}. An added token that is not normalized is re-encoded and decoded by the
 * Hugging Face tokenizer in the converter; that gives back the token's own text, since every added
 * token is matched whole, so it is taken as it is.
 */
public final class HfVocabularyConverter {

    /** The Llama 3 split regex: digits in groups of up to three. */
    static final String LLAMA3_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** The Qwen 2/3 split regex: each digit alone. */
    static final String QWEN2_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final Map<String, String> PRE_BY_REGEX = Map.of(LLAMA3_REGEX, "llama-bpe", QWEN2_REGEX, "qwen2");
    private static final float PLACEHOLDER_SCORE = -1000f;
    private static final Pattern BYTE_TOKEN = Pattern.compile("<0x[0-9A-Fa-f]{2}>");
    private static final List<String> SPECIAL_TOKEN_KEYS = List.of("bos_token", "eos_token", "unk_token", "sep_token",
            "pad_token", "cls_token", "mask_token");

    private HfVocabularyConverter() {}

    /** The vocabulary {@code convert_hf_to_gguf.py} writes for these files. */
    public static Vocabulary convert(HfTokenizerFiles files) {
        JsonNode model = files.tokenizer().path("model");
        String type = model.path("type").asText("");
        if (!type.equals("BPE")) {
            throw new IllegalArgumentException(files.source() + ": tokenizer.json model.type = \"" + type
                    + "\" is not supported; expected \"BPE\" (SentencePiece BPE or byte-level BPE)");
        }
        boolean llama3 = model.path("ignore_merges").asBoolean(false) && !model.path("byte_fallback").asBoolean(true);
        boolean sentencePiece = !llama3 && model.path("byte_fallback").asBoolean(false)
                && files.tokenizer().path("decoder").path("type").asText("").equals("Sequence");
        return sentencePiece ? sentencePiece(files) : byteLevel(files);
    }

    /**
     * {@code spm} with the score of each NORMAL token replaced by minus the rank of the first
     * merge that produces it (tokens no merge produces, i.e. single characters, rank after all
     * merges, by id), BYTE tokens scored 0. Hugging Face derived those merges from the
     * SentencePiece scores, highest first, so llama.cpp then merges in the order a GGUF converted
     * from the original {@code tokenizer.model} gives (Llama 2's whitespace pieces {@code ▁▁},
     * {@code ▁▁▁▁}, ... last).
     */
    public static Vocabulary withMergeRankScores(Vocabulary spm, HfTokenizerFiles files) {
        if (!spm.model().equals(Vocabulary.MODEL_SPM)) {
            throw new IllegalArgumentException("merge-rank scores are for SentencePiece vocabularies, not tokenizer.ggml.model = " + spm.model());
        }
        String[] merges = SpecialVocab.load(files, true, -1).merges;
        if (merges == null) throw new IllegalArgumentException(files.source() + ": tokenizer.json has no model.merges");
        Map<String, Integer> firstRank = new HashMap<>();
        for (int r = 0; r < merges.length; r++) firstRank.putIfAbsent(merges[r].replace(" ", ""), r);
        float[] scores = new float[spm.size()];
        for (int id = 0; id < scores.length; id++) {
            scores[id] = switch (spm.tokenType(id)) {
                case TokenType.NORMAL -> (float) -firstRank.getOrDefault(spm.tokens()[id], merges.length + id);
                case TokenType.BYTE -> 0f;
                default -> spm.score(id);
            };
        }
        return new Vocabulary(spm.model(), spm.pre(), spm.tokens(), scores, spm.tokenTypes(), spm.merges(), spm.bos(), spm.eos(),
                spm.unk(), spm.pad(), spm.eot(), spm.eom(), spm.addBos(), spm.addEos(), spm.addSpacePrefix(), spm.chatTemplate());
    }

    /**
     * The {@code tokenizer.ggml.pre} for the {@code Split} regex of the pre-tokenizer:
     * {@code llama-bpe} (Llama 3) or {@code qwen2} (Qwen 2/3).
     */
    static String preTokenizer(HfTokenizerFiles files) {
        String regex = splitRegex(files.tokenizer().path("pre_tokenizer"));
        String pre = PRE_BY_REGEX.get(regex);
        if (pre == null) {
            throw new IllegalArgumentException(files.source() + ": tokenizer.json pre_tokenizer Split regex " + regex
                    + " is not one we can name; known: Llama 3's (llama-bpe) and Qwen 2's (qwen2)");
        }
        return pre;
    }

    private static String splitRegex(JsonNode preTokenizer) {
        if (preTokenizer.path("type").asText().equals("Split")) return preTokenizer.path("pattern").path("Regex").asText(null);
        for (JsonNode p : preTokenizer.path("pretokenizers")) {
            String r = splitRegex(p);
            if (r != null) return r;
        }
        return null;
    }

    private static Vocabulary byteLevel(HfTokenizerFiles files) {
        Map<String, Integer> vocab = vocabWithAdded(files);
        Map<Integer, JsonNode> added = addedById(files);
        Set<String> addedTexts = new HashSet<>();
        added.values().forEach(a -> addedTexts.add(a.path("content").asText()));
        int maxId = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
        boolean configured = files.config().path("vocab_size").isIntegralNumber();
        int size = configured ? files.config().path("vocab_size").asInt() : vocab.size();
        if (maxId >= size) { // the converter asserts the same
            throw new IllegalArgumentException(files.source() + ": token id " + maxId + " is not below "
                    + (configured ? "config.json vocab_size " : "the number of tokens (no config.json vocab_size), ") + size);
        }
        String[] reverse = new String[size];
        vocab.forEach((text, id) -> reverse[id] = text);
        String[] tokens = new String[size];
        int[] types = new int[size];
        for (int id = 0; id < size; id++) {
            String token = reverse[id];
            if (token == null) {
                tokens[id] = "[PAD" + id + "]";
                types[id] = TokenType.UNUSED;
            } else if (addedTexts.contains(token)) {
                JsonNode a = added.get(id);
                if (a != null && a.path("special").asBoolean(false) || looksSpecial(token)) {
                    types[id] = TokenType.CONTROL;
                } else {
                    token = token.replace('\u2581', ' ');
                    types[id] = TokenType.USER_DEFINED;
                }
                tokens[id] = token;
            } else {
                tokens[id] = token;
                types[id] = TokenType.NORMAL;
            }
        }
        SpecialVocab special = SpecialVocab.load(files, true, -1);
        Vocabulary.Builder b = Vocabulary.builder(Vocabulary.MODEL_BYTE_LEVEL_BPE, tokens).pre(preTokenizer(files)).tokenTypes(types);
        if (special.merges != null) b.merges(special.merges);
        return finish(b, special, files);
    }

    private static Vocabulary sentencePiece(HfTokenizerFiles files) {
        JsonNode modelVocab = files.tokenizer().path("model").path("vocab");
        int base = modelVocab.size();
        Map<String, Integer> vocab = vocabWithAdded(files);
        Set<Integer> specialIds = new HashSet<>();
        for (String text : specialTokenTexts(files.tokenizerConfig())) {
            Integer id = vocab.get(text);
            if (id == null) throw new IllegalArgumentException(files.source() + ": special token \"" + text + "\" of tokenizer_config.json is not in the vocabulary");
            specialIds.add(id);
        }
        String[] reverse = new String[base];
        vocab.forEach((text, id) -> {
            if (id < base) reverse[id] = text;
        });
        List<String> tokens = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        for (int id = 0; id < base; id++) {
            if (reverse[id] == null) throw new IllegalArgumentException(files.source() + ": no token has id " + id + " (ids below " + base + " must all be used)");
            tokens.add(reverse[id]);
            types.add(BYTE_TOKEN.matcher(reverse[id]).matches() ? TokenType.BYTE : specialIds.contains(id) ? TokenType.CONTROL : TokenType.NORMAL);
        }
        // added tokens above the model vocabulary, in id order (appended: a gap in their ids would shift them, as in the converter)
        TreeMap<Integer, String> above = new TreeMap<>();
        for (JsonNode a : addedById(files).values()) if (a.path("id").asInt() >= base) above.put(a.path("id").asInt(), a.path("content").asText());
        for (var e : above.entrySet()) {
            tokens.add(e.getValue());
            types.add(specialIds.contains(e.getKey()) ? TokenType.CONTROL : TokenType.USER_DEFINED);
        }
        float[] scores = new float[tokens.size()];
        Arrays.fill(scores, PLACEHOLDER_SCORE);
        SpecialVocab special = SpecialVocab.load(files, false, tokens.size());
        Vocabulary.Builder b = Vocabulary.builder(Vocabulary.MODEL_SPM, tokens.toArray(String[]::new)).pre("default")
                .tokenTypes(types.stream().mapToInt(Integer::intValue).toArray()).scores(scores);
        JsonNode addPrefixSpace = files.tokenizerConfig().path("add_prefix_space");
        if (addPrefixSpace.isBoolean()) b.addSpacePrefix(addPrefixSpace.asBoolean());
        return finish(b, special, files);
    }

    private static Vocabulary finish(Vocabulary.Builder b, SpecialVocab special, HfTokenizerFiles files) {
        special.ids.forEach((type, id) -> {
            switch (type) {
                case "bos" -> b.bos(id);
                case "eos" -> b.eos(id);
                case "unk" -> b.unk(id);
                case "pad" -> b.pad(id);
                case "eot" -> b.eot(id);
                case "eom" -> b.eom(id);
                default -> { } // sep, cls, mask: no Vocabulary field
            }
        });
        if (special.add.containsKey("bos")) b.addBos(special.add.get("bos"));
        if (special.add.containsKey("eos")) b.addEos(special.add.get("eos"));
        if (special.chatTemplate != null) b.chatTemplate(special.chatTemplate);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(files.source() + ": " + e.getMessage(), e);
        }
    }

    /** The texts of Hugging Face's {@code all_special_tokens}: the {@code *_token} entries and {@code additional_special_tokens}. */
    private static List<String> specialTokenTexts(JsonNode config) {
        List<String> texts = new ArrayList<>();
        for (String key : SPECIAL_TOKEN_KEYS) {
            String t = tokenText(config.get(key));
            if (t != null && !texts.contains(t)) texts.add(t);
        }
        for (JsonNode extra : config.path("additional_special_tokens")) {
            String t = tokenText(extra);
            if (t != null && !texts.contains(t)) texts.add(t);
        }
        return texts;
    }

    private static String tokenText(JsonNode entry) {
        if (entry == null) return null;
        if (entry.isTextual()) return entry.asText();
        if (entry.isObject() && entry.path("content").isTextual()) return entry.path("content").asText();
        return null;
    }

    /** Hugging Face's {@code get_vocab()}: the model vocabulary with the added tokens over it. */
    private static Map<String, Integer> vocabWithAdded(HfTokenizerFiles files) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        files.tokenizer().path("model").path("vocab").properties().forEach(e -> vocab.put(e.getKey(), e.getValue().asInt()));
        for (JsonNode a : files.tokenizer().path("added_tokens")) vocab.put(a.path("content").asText(), a.path("id").asInt());
        return vocab;
    }

    private static Map<Integer, JsonNode> addedById(HfTokenizerFiles files) {
        Map<Integer, JsonNode> added = new LinkedHashMap<>();
        for (JsonNode a : files.tokenizer().path("added_tokens")) added.put(a.path("id").asInt(), a);
        return added;
    }

    /** The converter's {@code does_token_look_special}: added tokens some models forgot to mark special. */
    static boolean looksSpecial(String token) {
        return token.equals("<pad>") || token.equals("<mask>") || token.equals("<2mass>") || token.equals("[@BOS@]")
                || token.startsWith("<|") && token.endsWith("|>")
                || token.startsWith("<\uff5c") && token.endsWith("\uff5c>")
                || token.startsWith("<unused") && token.endsWith(">");
    }
}
