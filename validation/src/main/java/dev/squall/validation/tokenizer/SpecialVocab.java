package dev.squall.validation.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What gguf-py's {@code SpecialVocab} (llama.cpp {@code gguf-py/gguf/vocab.py}) takes from the
 * Hugging Face files: the merges, the special token ids (bos, eos, unk, sep, pad, cls, mask, and
 * eot/eom when a {@code TemplateProcessing} post-processor moves EOS), the {@code add_*_token}
 * flags and the chat template. The same precedence: {@code tokenizer.json}'s post-processor, then
 * {@code tokenizer_config.json} (a token named there gets the id of the first added token with that
 * content; the first id found for a type wins), then the model's {@code config.json}
 * ({@code *_token_id}, also under {@code text_config}).
 *
 * <p>Left out: {@code chat_template.jinja}/{@code chat_template.json} files and
 * {@code merges.txt} (only the three JSON files are read), and the normalizer flags
 * ({@code tokenizer.ggml.normalizer_*}), which no {@link dev.squall.tokenizer.Vocabulary} field
 * holds.
 */
final class SpecialVocab {

    private static final List<String> DEFAULT_TYPES = List.of("bos", "eos", "unk", "sep", "pad", "cls", "mask");

    /** Special token ids by type ({@code bos}, {@code eos}, ...), in the order they were set. */
    final Map<String, Integer> ids = new LinkedHashMap<>();
    /** {@code add_<type>_token} flags that were found. */
    final Map<String, Boolean> add = new LinkedHashMap<>();
    /** The merges as {@code "left right"}, or null when not loaded or absent. */
    String[] merges;
    /** {@code tokenizer_config.json}'s chat template, or null. */
    String chatTemplate;

    private final List<String> types = new ArrayList<>(DEFAULT_TYPES);
    private final int vocabSize;

    private SpecialVocab(int vocabSize) {
        this.vocabSize = vocabSize;
    }

    /**
     * @param loadMerges whether to read {@code model.merges} (byte-level BPE)
     * @param vocabSize  ids at or above it are skipped, as gguf-py's {@code n_vocab}; -1 for no limit
     */
    static SpecialVocab load(HfTokenizerFiles files, boolean loadMerges, int vocabSize) {
        SpecialVocab v = new SpecialVocab(vocabSize);
        if (loadMerges) v.merges = merges(files);
        v.fromTokenizerFiles(files);
        v.fromModelConfig(files.config());
        return v;
    }

    private static String[] merges(HfTokenizerFiles files) {
        JsonNode list = files.tokenizer().path("model").path("merges");
        if (!list.isArray() || list.isEmpty()) return null;
        String[] merges = new String[list.size()];
        for (int i = 0; i < merges.length; i++) {
            JsonNode m = list.get(i);
            if (m.isTextual()) {
                merges[i] = m.asText();
            } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual()) {
                // transformers 4.45+ stores pairs; a space inside a part is written as U+0120 (Ġ), as gguf-py does
                merges[i] = m.get(0).asText().replace(' ', '\u0120') + " " + m.get(1).asText().replace(' ', '\u0120');
            } else {
                throw new IllegalArgumentException(files.source() + ": tokenizer.json model.merges[" + i + "] = " + m
                        + " is neither \"left right\" nor [\"left\", \"right\"]");
            }
        }
        return merges;
    }

    private void fromTokenizerFiles(HfTokenizerFiles files) {
        JsonNode addedTokens = files.tokenizer().path("added_tokens");
        ObjectNode config = files.tokenizerConfig().isObject() ? ((ObjectNode) files.tokenizerConfig()).deepCopy() : null;
        JsonNode bos = get(config, "bos_token"), cls = get(config, "cls_token");
        JsonNode eos = get(config, "eos_token"), sep = get(config, "sep_token");
        if (!truthy(bos) && truthy(cls) && truthy(config)) config.set("bos_token", bos = cls);
        if (!truthy(eos) && truthy(sep) && truthy(config)) config.set("eos_token", eos = sep);
        JsonNode postProcessor = files.tokenizer().path("post_processor");
        if (truthy(postProcessor)) {
            List<JsonNode> processors = postProcessor.has("processors") ? list(postProcessor.get("processors")) : List.of(postProcessor);
            for (JsonNode processor : processors) {
                String type = processor.path("type").asText();
                if (type.equals("RobertaProcessing")) {
                    add.put("bos", true);
                    add.put("eos", true);
                    add.put("sep", true);
                    if (!truthy(cls) && truthy(config)) config.set("cls_token", cls = first(processor.get("cls"), bos));
                    if (!truthy(sep) && truthy(config)) config.set("sep_token", sep = first(processor.get("sep"), eos));
                } else if (type.equals("TemplateProcessing")) {
                    // gguf-py's "crude parsing": a leading special token means add BOS, a trailing one add EOS
                    List<JsonNode> single = list(processor.path("single")), pair = list(processor.path("pair"));
                    JsonNode firstSpecial = null, lastSpecial = null;
                    if (single.size() > 1) {
                        firstSpecial = specialTokenId(single.getFirst());
                        if (truthy(firstSpecial)) {
                            if (!truthy(config)) {
                                bos = firstSpecial;
                            } else if (!firstSpecial.equals(bos) && !firstSpecial.equals(cls)) {
                                if (!truthy(bos)) config.set("bos_token", bos = firstSpecial);
                                if (!truthy(cls)) config.set("cls_token", cls = firstSpecial);
                            }
                            add.put("bos", firstSpecial.equals(bos) || firstSpecial.equals(cls));
                        }
                        lastSpecial = specialTokenId(single.getLast());
                        if (truthy(lastSpecial)) {
                            if (!truthy(config)) {
                                eos = lastSpecial;
                            } else if (!lastSpecial.equals(eos)) {
                                // the old EOS becomes EOT (or EOM), the trailing token EOS
                                if (!types.contains("eot")) {
                                    types.add("eot");
                                    config.set("eot_token", eos);
                                } else if (!types.contains("eom")) {
                                    types.add("eom");
                                    config.set("eom_token", eos);
                                }
                                config.set("eos_token", eos = lastSpecial);
                            }
                            add.put("eos", lastSpecial.equals(eos));
                        }
                    }
                    if (!pair.isEmpty()) sepFromPairTemplate(pair, firstSpecial, lastSpecial, sep, eos, config);
                }
            }
        }
        if (!truthy(config)) return;
        JsonNode template = config.get("chat_template");
        if (template != null && template.isTextual()) {
            chatTemplate = template.asText();
        } else if (template != null && template.isArray()) {
            for (JsonNode named : template) if (named.path("name").asText().equals("default")) chatTemplate = named.path("template").asText();
        }
        for (String type : types) {
            JsonNode addEntry = config.get("add_" + type + "_token");
            if (addEntry != null && addEntry.isBoolean()) add.put(type, addEntry.asBoolean());
            JsonNode entry = config.get(type + "_token");
            String content;
            if (entry != null && entry.isTextual()) {
                content = entry.asText();
            } else if (entry != null && entry.isObject() && entry.path("content").isTextual()) {
                content = entry.path("content").asText();
            } else {
                continue;
            }
            for (JsonNode added : addedTokens) {
                if (content.equals(added.path("content").asText(null))) {
                    set(type, added.path("id"));
                    break;
                }
            }
        }
    }

    /** {@code A [sep] [eos] B} in the pair template means the vocabulary adds a separator. */
    private void sepFromPairTemplate(List<JsonNode> pair, JsonNode firstSpecial, JsonNode lastSpecial, JsonNode sep, JsonNode eos,
                                     ObjectNode config) {
        int start = truthy(firstSpecial) && Objects.equals(specialTokenId(pair.getFirst()), firstSpecial) ? 1 : 0;
        int stop = truthy(lastSpecial) && Objects.equals(specialTokenId(pair.getLast()), lastSpecial) ? pair.size() - 1 : pair.size();
        if (start >= stop) return;
        List<JsonNode> inner = pair.subList(start, stop);
        String a = inner.getFirst().path("Sequence").path("id").asText(null), b = inner.getLast().path("Sequence").path("id").asText(null);
        if (!"A".equals(a) || !"B".equals(b) || inner.size() <= 2) return;
        List<JsonNode> middle = inner.subList(1, inner.size() - 1);
        boolean addSep = false;
        JsonNode entry = specialTokenId(middle.getFirst());
        if (truthy(entry) && (entry.equals(sep) || entry.equals(eos)) && !truthy(lastSpecial)) addSep = true;
        if (middle.size() == 2) {
            entry = specialTokenId(middle.get(1));
            if (truthy(entry) && (entry.equals(sep) || entry.equals(eos))) addSep = true;
        }
        add.put("sep", addSep);
        if (addSep && !truthy(sep) && truthy(config)) config.set("sep_token", eos);
    }

    private void fromModelConfig(JsonNode config) {
        if (!config.isObject()) return;
        for (String type : types) {
            JsonNode id = config.get(type + "_token_id");
            if (id == null && config.has("text_config")) id = config.get("text_config").get(type + "_token_id");
            set(type, id);
        }
    }

    /** gguf-py's {@code _set_special_token}: only an int; the first value for a type wins; ids past the vocabulary are skipped. */
    private void set(String type, JsonNode id) {
        if (id == null || !id.isIntegralNumber()) return;
        int value = id.asInt();
        if (value < 0) throw new IllegalArgumentException("invalid value for special token type " + type + ": " + value);
        if (vocabSize >= 0 && value >= vocabSize) return;
        ids.putIfAbsent(type, value);
    }

    private static JsonNode get(ObjectNode config, String key) {
        return config == null ? null : config.get(key);
    }

    private static JsonNode specialTokenId(JsonNode templatePiece) {
        JsonNode id = templatePiece.path("SpecialToken").path("id");
        return id.isMissingNode() ? null : id;
    }

    private static JsonNode first(JsonNode list, JsonNode orElse) {
        return list != null && list.isArray() && !list.isEmpty() ? list.get(0) : orElse;
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> l = new ArrayList<>();
        array.forEach(l::add);
        return l;
    }

    /** Python's truth value of a JSON value: null, missing, "", [], {}, false and 0 are false. */
    static boolean truthy(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) return false;
        if (n.isTextual()) return !n.asText().isEmpty();
        if (n.isContainerNode()) return !n.isEmpty();
        if (n.isBoolean()) return n.asBoolean();
        if (n.isNumber()) return n.asDouble() != 0;
        return true;
    }
}
