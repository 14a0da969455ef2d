package dev.squall.tokenizer;

import java.util.OptionalInt;

/**
 * Text ↔ token ids for one vocabulary, matching llama.cpp's {@code llama_tokenize},
 * {@code llama_token_to_piece} and {@code llama_detokenize} token for token. Create one with
 * {@link Tokenizers#create}. Implementations are thread-safe.
 *
 * <p>Text is handled as its UTF-8 encoding (a lone surrogate in a Java string becomes {@code '?'},
 * as {@link String#getBytes} does).
 */
public interface Tokenizer {

    /**
     * Tokenizes {@code text} as {@code llama_tokenize(vocab, text, add_special, parse_special)}.
     *
     * @param addSpecial add BOS before and EOS after the text when the vocabulary says so
     *     ({@link Vocabulary#addBos()}, {@link Vocabulary#addEos()})
     * @param parseSpecial match the text of control tokens (e.g. {@code <|eot_id|>}) as those
     *     tokens; when false they are tokenized as plain text. User-defined tokens are matched
     *     either way, as in llama.cpp.
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /**
     * The bytes token {@code id} contributes to output text ({@code llama_token_to_piece} with
     * {@code special = false}): control and unknown tokens contribute nothing.
     */
    default byte[] tokenBytes(int id) {
        return tokenBytes(id, false);
    }

    /**
     * The bytes token {@code id} contributes to output text: the byte-level decoding of its string
     * (byte-level BPE) or its string with ▁ as a space and {@code <0xNN>} as that byte
     * (SentencePiece); user-defined tokens verbatim; control and unknown tokens verbatim when
     * {@code renderSpecial}, otherwise nothing; unused tokens nothing.
     */
    byte[] tokenBytes(int id, boolean renderSpecial);

    /**
     * Detokenizes as {@code llama_detokenize(vocab, ids, remove_special = false, unparse_special =
     * renderSpecial)}: the pieces concatenated, one leading space dropped from the first piece when
     * the vocabulary adds a space prefix, then (for the pre-tokenizers where llama.cpp sets
     * {@code clean_spaces}, e.g. Llama 3's) llama.cpp's clean-up of spaces before punctuation and
     * contractions. Bytes that are not valid UTF-8 become U+FFFD, one per maximal ill-formed
     * subpart (the Unicode Standard's recommended practice, as Python's and browsers' decoders).
     */
    String decode(int[] ids, boolean renderSpecial);

    /** A decoder for generated tokens that does not render control tokens. */
    default StreamingDecoder streamingDecoder() {
        return streamingDecoder(false);
    }

    /**
     * A decoder that turns generated tokens into text as they arrive: the concatenated
     * {@link #tokenBytes(int, boolean)}, holding back a UTF-8 sequence split across tokens until it
     * is complete. No space is stripped and no clean-up applies (as llama.cpp prints generated
     * tokens one piece at a time).
     */
    StreamingDecoder streamingDecoder(boolean renderSpecial);

    /** Number of tokens in the vocabulary. */
    int vocabSize();

    /** The beginning-of-sequence token, or -1 if none. */
    int bos();

    /** The end-of-sequence token, or -1 if none. */
    int eos();

    /**
     * Whether generating {@code id} ends generation ({@code llama_vocab_is_eog}): EOS, EOT, EOM and
     * the tokens llama.cpp recognizes by text ({@code <|eot_id|>}, {@code <|im_end|>},
     * {@code <|endoftext|>}, {@code </s>}, FIM pad/repo/file-separator tokens, ...).
     */
    boolean isEndOfGeneration(int id);

    /** Whether {@code id} is a control token (after llama.cpp's corrections by token text). */
    boolean isControl(int id);

    /** The id of the token whose vocabulary string is exactly {@code piece}. */
    OptionalInt tokenId(String piece);

    /** The vocabulary string of token {@code id} (as stored: ▁ and byte characters unconverted). */
    String tokenText(int id);

    /** The vocabulary this tokenizer was built from. */
    Vocabulary vocabulary();
}
