package dev.squall.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Per-token attributes after llama.cpp's load-time corrections ({@code llama_vocab::impl::load}):
 * the GGUF token types, then control-looking tokens found by their text ({@code <|eot_id|>},
 * {@code <|im_end|>}, FIM tokens, ...) forced to CONTROL, the end-of-generation set, and the
 * order in which special tokens are matched in text (longest first).
 *
 * <p>Where llama.cpp takes the first match while walking a hash map (choosing one EOT or FIM token
 * among several candidates), this class takes the lowest id; it only matters for vocabularies that
 * contain several candidates of the same role.
 */
final class TokenAttributes {

    static final int UNKNOWN = 1;
    static final int UNUSED = 1 << 1;
    static final int NORMAL = 1 << 2;
    static final int CONTROL = 1 << 3;
    static final int USER_DEFINED = 1 << 4;
    static final int BYTE = 1 << 5;

    private static final List<String> EOT_NAMES = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>",
            "<end_of_utterance>");
    private static final List<String> FIM_PRE = List.of("<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>",
            "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>");
    private static final List<String> FIM_SUF = List.of("<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>",
            "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>");
    private static final List<String> FIM_MID = List.of("<|fim_middle|>", "<fim-middle>", "<fim_middle>",
            "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>");
    private static final List<String> FIM_PAD = List.of("<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]");
    private static final List<String> FIM_REP = List.of("<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>",
            "<reponame>");
    private static final List<String> FIM_SEP = List.of("<|file_sep|>");
    private static final Set<String> EOG_NAMES = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>",
            "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>",
            "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>",
            "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~[");
    /** gpt-oss tokens that llama.cpp always renders. */
    private static final Set<String> ALWAYS_RENDERED = Set.of("<|channel|>", "<|message|>", "<|start|>",
            "<|constrain|>");

    private final int[] attrs;
    private final BitSet endOfGeneration = new BitSet();
    private final int[] matchOrder;

    TokenAttributes(Vocabulary vocab, String[] texts) {
        int n = texts.length;
        attrs = new int[n];
        for (int id = 0; id < n; id++) {
            attrs[id] = fromType(vocab.tokenType(id));
        }
        int eot = vocab.eot() >= 0 ? vocab.eot() : firstNamed(texts, EOT_NAMES, true);
        int eom = vocab.eom() >= 0 ? vocab.eom() : firstNamed(texts, List.of("<|eom_id|>"), true);
        firstNamed(texts, FIM_PRE, true);
        firstNamed(texts, FIM_SUF, true);
        firstNamed(texts, FIM_MID, true);
        for (List<String> names : List.of(FIM_PAD, FIM_REP, FIM_SEP)) {
            int id = firstNamed(texts, names, true);
            if (id >= 0) {
                endOfGeneration.set(id);
            }
        }
        for (int id = 0; id < n; id++) {
            if (EOG_NAMES.contains(texts[id])) {
                endOfGeneration.set(id);
                attrs[id] |= CONTROL;
            }
        }
        for (int id = 0; id < n; id++) {
            if (ALWAYS_RENDERED.contains(texts[id])) {
                attrs[id] = USER_DEFINED;
            }
        }
        for (int id : new int[] {vocab.eos(), eot, eom}) {
            if (id >= 0) {
                endOfGeneration.set(id);
            }
        }
        applyEndOfGenerationWorkarounds(texts);
        matchOrder = IntStream.range(0, n)
                .filter(id -> (attrs[id] & (CONTROL | USER_DEFINED | UNKNOWN)) != 0)
                .boxed()
                .sorted(Comparator.<Integer>comparingInt(id -> -texts[id].getBytes(StandardCharsets.UTF_8).length)
                        .thenComparingInt(id -> id))
                .mapToInt(Integer::intValue)
                .toArray();
    }

    /**
     * llama.cpp's two exceptions: with gpt-oss style {@code <|return|>}/{@code <|call|>} (or
     * {@code <|calls|>}/{@code <|flush|>}) tokens, {@code <|end|>} is not end of generation; with
     * {@code <|tool_response>}, {@code </s>} is not.
     */
    private void applyEndOfGenerationWorkarounds(String[] texts) {
        boolean hasReturn = false;
        boolean hasCall = false;
        boolean hasFlush = false;
        int end = -1;
        boolean hasToolResponse = false;
        int closingS = -1;
        for (int id = endOfGeneration.nextSetBit(0); id >= 0; id = endOfGeneration.nextSetBit(id + 1)) {
            switch (texts[id]) {
                case "<|return|>" -> hasReturn = true;
                case "<|call|>", "<|calls|>" -> hasCall = true;
                case "<|flush|>" -> hasFlush = true;
                case "<|end|>" -> end = id;
                case "<|tool_response>" -> hasToolResponse = true;
                case "</s>" -> closingS = id;
                default -> { }
            }
        }
        if (end >= 0 && hasCall && (hasReturn || hasFlush)) {
            endOfGeneration.clear(end);
            attrs[end] = USER_DEFINED;
        }
        if (hasToolResponse && closingS >= 0) {
            endOfGeneration.clear(closingS);
            attrs[closingS] = NORMAL;
        }
    }

    private int firstNamed(String[] texts, List<String> names, boolean makeControl) {
        for (int id = 0; id < texts.length; id++) {
            if (names.contains(texts[id])) {
                if (makeControl) {
                    attrs[id] |= CONTROL;
                }
                return id;
            }
        }
        return -1;
    }

    private static int fromType(int type) {
        return switch (type) {
            case TokenType.NORMAL -> NORMAL;
            case TokenType.UNKNOWN -> UNKNOWN;
            case TokenType.CONTROL -> CONTROL;
            case TokenType.USER_DEFINED -> USER_DEFINED;
            case TokenType.UNUSED -> UNUSED;
            case TokenType.BYTE -> BYTE;
            default -> 0;
        };
    }

    int of(int id) {
        return attrs[id];
    }

    boolean has(int id, int attr) {
        return (attrs[id] & attr) != 0;
    }

    boolean isEndOfGeneration(int id) {
        return id >= 0 && endOfGeneration.get(id);
    }

    /** Ids of the tokens matched in text before tokenizing, longest text (in UTF-8 bytes) first. */
    int[] matchOrder() {
        return matchOrder;
    }
}
