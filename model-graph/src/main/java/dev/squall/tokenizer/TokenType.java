package dev.squall.tokenizer;

/**
 * Token types as stored in GGUF {@code tokenizer.ggml.token_type} (llama.cpp's
 * {@code llama_token_type}).
 */
public final class TokenType {

    /** Any value llama.cpp does not know; such a token renders as nothing. */
    public static final int UNDEFINED = 0;
    /** An ordinary piece of text. */
    public static final int NORMAL = 1;
    /** The unknown token ({@code <unk>}). */
    public static final int UNKNOWN = 2;
    /** A control token ({@code <s>}, {@code <|eot_id|>}, ...): invisible in output unless asked. */
    public static final int CONTROL = 3;
    /** An added token that is matched in text before anything else and always printed verbatim. */
    public static final int USER_DEFINED = 4;
    /** A reserved token that is never produced from text and prints as nothing. */
    public static final int UNUSED = 5;
    /** A SentencePiece byte-fallback token {@code <0xNN>}. */
    public static final int BYTE = 6;

    private TokenType() {
    }

    /** The type's name as llama.cpp spells it, for messages. */
    public static String name(int type) {
        return switch (type) {
            case NORMAL -> "NORMAL";
            case UNKNOWN -> "UNKNOWN";
            case CONTROL -> "CONTROL";
            case USER_DEFINED -> "USER_DEFINED";
            case UNUSED -> "UNUSED";
            case BYTE -> "BYTE";
            default -> "UNDEFINED(" + type + ")";
        };
    }
}
