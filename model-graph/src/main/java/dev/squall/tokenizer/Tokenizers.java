package dev.squall.tokenizer;

import java.util.Set;

/** Builds the {@link Tokenizer} for a {@link Vocabulary}. */
public final class Tokenizers {

    private Tokenizers() {
    }

    /**
     * The tokenizer for {@code vocabulary.model()}: {@code "llama"} (SentencePiece BPE) or
     * {@code "gpt2"} (byte-level BPE, with the pre-tokenizer named by {@code vocabulary.pre()}).
     *
     * @throws IllegalArgumentException for another model, an unsupported pre-tokenizer, a
     *     byte-level vocabulary without merges or token strings that are not unique; the message
     *     names the GGUF key and the value
     */
    public static Tokenizer create(Vocabulary vocabulary) {
        return switch (vocabulary.model()) {
            case Vocabulary.MODEL_SPM -> new SentencePieceTokenizer(vocabulary);
            case Vocabulary.MODEL_BYTE_LEVEL_BPE -> new ByteLevelBpeTokenizer(vocabulary);
            default -> throw new IllegalArgumentException("tokenizer.ggml.model = \"" + vocabulary.model()
                    + "\" is not supported; supported: \"llama\" (SentencePiece BPE) and \"gpt2\" (byte-level BPE)");
        };
    }

    /** The {@code tokenizer.ggml.pre} values accepted for byte-level BPE. */
    public static Set<String> supportedPreTokenizers() {
        return PreTokenizer.supportedNames();
    }
}
