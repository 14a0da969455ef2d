package dev.squall.tokenizer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The word splitting that byte-level BPE applies before merging, chosen by {@code tokenizer.ggml.pre}
 * exactly as llama.cpp chooses it ({@code llama_vocab::impl::load} and the
 * {@code llm_tokenizer_bpe} constructor), with llama.cpp's per-pre-tokenizer flags.
 *
 * @param name the {@code tokenizer.ggml.pre} value ({@code "default"} when absent)
 * @param stages the passes, applied in order
 * @param cleanSpaces whether detokenizing applies llama.cpp's {@code clean_up_tokenization_spaces}
 *     passes
 * @param ignoreMerges whether a word that is itself a token is emitted whole without merging
 */
record PreTokenizer(String name, List<SplitStage> stages, boolean cleanSpaces, boolean ignoreMerges) {

    /** Pre-tokenizers for which llama.cpp turns {@code add_bos} on by default. */
    private static final Set<String> ADDS_BOS = Set.of(
            "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
            "jina-v5-nano", "tekken", "chameleon");

    private static final Map<String, PreTokenizer> KNOWN = new LinkedHashMap<>();

    static {
        SplitStage llama3 = SplitStage.llama3(3, false);
        SplitStage qwen2 = SplitStage.llama3(1, false);
        SplitStage qwen35 = SplitStage.llama3(1, true);
        SplitStage numbers = SplitStage.runs(cp -> UnicodeCategories.isNumber(UnicodeCategories.flags(cp)));
        SplitStage digitEach = SplitStage.singles(cp -> UnicodeCategories.isNumber(UnicodeCategories.flags(cp)));

        // "[\p{P}\$\+<=>\^~\|]+", then the GPT-2 regex, "\p{N}+", "[0-9][0-9][0-9]"
        register(List.of("default"), true, false,
                SplitStage.runs(cp -> isPunctuationOr(cp, "$+<=>^~|")), SplitStage.GPT2, numbers,
                SplitStage.ASCII_DIGIT_TRIPLES);
        register(List.of("llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0",
                "lfm2", "jina-v5-nano"), true, true, llama3);
        register(List.of("dbrx", "smaug-bpe", "glm4", "chatglm-bpe"), true, false, llama3);
        register(List.of("gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de",
                "a.x-4.0", "mellum", "modern-bert", "mpt", "olmo", "jais", "exaone4"), true, false, SplitStage.GPT2);
        register(List.of("trillion", "granite-docling"), false, false, SplitStage.GPT2);
        register(List.of("qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open", "grok-2"),
                false, false, qwen2);
        register(List.of("megrez", "stablelm2"), true, false, qwen2);
        register(List.of("qwen35"), false, false, qwen35);
        register(List.of("laguna"), false, false, SplitStage.NEWLINE_RUNS, qwen2);
        register(List.of("starcoder", "refact", "codeshell", "exaone", "minerva-7b", "mellum2"), true, false,
                digitEach, SplitStage.GPT2);
        register(List.of("command-r", "smollm"), false, false, digitEach, SplitStage.GPT2);
        // "[\p{P}\$\+<=>\^~\|`]+", then the GPT-2 regex, "[0-9][0-9][0-9]"
        register(List.of("falcon"), true, false,
                SplitStage.runs(cp -> isPunctuationOr(cp, "$+<=>^~|`")), SplitStage.GPT2,
                SplitStage.ASCII_DIGIT_TRIPLES);
    }

    private static void register(List<String> names, boolean cleanSpaces, boolean ignoreMerges, SplitStage... stages) {
        for (String name : names) {
            KNOWN.put(name, new PreTokenizer(name, List.of(stages), cleanSpaces, ignoreMerges));
        }
    }

    private static boolean isPunctuationOr(int cp, String extra) {
        return UnicodeCategories.isPunctuation(UnicodeCategories.flags(cp)) || (cp < 128 && extra.indexOf(cp) >= 0);
    }

    /**
     * The pre-tokenizer for a {@code tokenizer.ggml.pre} value; null or empty means llama.cpp's
     * {@code "default"}.
     *
     * @throws IllegalArgumentException naming the value and the supported ones
     */
    static PreTokenizer forName(String pre) {
        String name = pre == null || pre.isEmpty() ? "default" : pre;
        PreTokenizer found = KNOWN.get(name);
        if (found == null) {
            throw new IllegalArgumentException("tokenizer.ggml.pre = \"" + pre
                    + "\" is not a supported pre-tokenizer; supported: " + String.join(", ", KNOWN.keySet()));
        }
        return found;
    }

    /** Whether llama.cpp adds BOS by default for a byte-level BPE vocabulary with this pre. */
    static boolean addsBosByDefault(String pre) {
        return pre != null && ADDS_BOS.contains(pre);
    }

    /** The names {@link #forName} accepts. */
    static Set<String> supportedNames() {
        return KNOWN.keySet();
    }

    /** Splits {@code text} into words (the pieces BPE merges within), in order. */
    List<String> split(String text) {
        int[] cps = text.codePoints().toArray();
        IntList lengths = new IntList();
        lengths.add(cps.length);
        IntList next = new IntList();
        for (SplitStage stage : stages) {
            next.clear();
            int start = 0;
            for (int i = 0; i < lengths.size(); i++) {
                int end = start + lengths.get(i);
                stage.split(cps, start, end, next);
                start = end;
            }
            IntList swap = lengths;
            lengths = next;
            next = swap;
        }
        List<String> words = new ArrayList<>(lengths.size());
        int start = 0;
        for (int i = 0; i < lengths.size(); i++) {
            int length = lengths.get(i);
            if (length > 0) {
                words.add(new String(cps, start, length));
            }
            start += length;
        }
        return words;
    }
}
