package dev.squall.validation.tokenizer;

import java.util.Set;

/**
 * The known ways llama.cpp's {@code llama_detokenize(llama_tokenize(text))} (plain mode) differs
 * from the text, each a predicate on (text, decoded text).
 */
enum RoundTrip {

    /**
     * llama.cpp's {@code clean_up_tokenization_spaces} for the pre-tokenizers that set
     * {@code clean_spaces} (Llama 3's {@code llama-bpe} among ours): the decoded text is the text
     * with some spaces removed, each one directly before {@code ?}, {@code !}, {@code .} or
     * {@code ,} (first pass), before a {@code '} between spaces, taking the space after it too
     * ({@code " ' "} becomes {@code "'"}, second pass), or before {@code 's}, {@code 'm},
     * {@code 're} or {@code 've} (third pass; not {@code 't}, {@code 'd}, {@code 'll}).
     */
    SPACE_CLEANUP("space clean-up") {
        @Override boolean explains(String text, String decoded) {
            int i = 0, j = 0, forcedSpace = -1;
            while (i < text.length()) {
                char c = text.charAt(i);
                if (i == forcedSpace) { // the space after " ' " goes with the one before
                    i++;
                    continue;
                }
                if (j < decoded.length() && decoded.charAt(j) == c) {
                    i++;
                    j++;
                    continue;
                }
                if (c != ' ' || !beforePunctuation(text, i) && !beforeContraction(text, i)) return false;
                if (text.startsWith("' ", i + 1)) forcedSpace = i + 2;
                i++;
            }
            return j == decoded.length() && !text.equals(decoded);
        }
    },

    /**
     * SentencePiece: U+2581 (▁) in the text is the vocabulary's space mark, so it comes back as a
     * space; the decoded text is the text with every ▁ replaced by a space.
     */
    SPACE_MARK("U+2581 decodes as a space") {
        @Override boolean explains(String text, String decoded) {
            return text.indexOf('\u2581') >= 0 && text.replace('\u2581', ' ').equals(decoded);
        }
    };

    private static boolean beforePunctuation(String text, int space) {
        return space + 1 < text.length() && "?!.,".indexOf(text.charAt(space + 1)) >= 0;
    }

    private static boolean beforeContraction(String text, int space) {
        if (!text.startsWith("'", space + 1)) return false;
        String rest = text.substring(space + 2);
        return rest.startsWith("s") || rest.startsWith("m") || rest.startsWith("re") || rest.startsWith("ve") || rest.startsWith(" ");
    }

    private final String description;

    RoundTrip(String description) {
        this.description = description;
    }

    String description() {
        return description;
    }

    abstract boolean explains(String text, String decoded);

    /** The first of {@code allowed} that explains the change, or null. */
    static RoundTrip explain(Set<RoundTrip> allowed, String text, String decoded) {
        for (RoundTrip r : allowed) if (r.explains(text, decoded)) return r;
        return null;
    }
}
