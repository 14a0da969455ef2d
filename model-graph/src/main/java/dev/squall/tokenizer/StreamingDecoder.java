package dev.squall.tokenizer;

import java.util.Arrays;

/**
 * Turns a stream of generated token ids into text. {@link #push} returns the text that is complete
 * so far; a UTF-8 sequence whose bytes are split across tokens (an emoji spelled as four byte
 * tokens) is held back until its last byte arrives. {@link #flush} ends the stream, turning an
 * incomplete sequence into U+FFFD. Invalid bytes become U+FFFD as in {@link Tokenizer#decode} (one
 * per maximal ill-formed subpart), so the concatenated output always equals decoding all the bytes
 * at once. Not thread-safe: one decoder per stream.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private final boolean renderSpecial;
    private byte[] pending = new byte[8];
    private int pendingLength;

    StreamingDecoder(Tokenizer tokenizer, boolean renderSpecial) {
        this.tokenizer = tokenizer;
        this.renderSpecial = renderSpecial;
    }

    /** Adds one token; returns the text it completes (possibly empty). */
    public String push(int id) {
        byte[] piece = tokenizer.tokenBytes(id, renderSpecial);
        if (pendingLength + piece.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + piece.length));
        }
        System.arraycopy(piece, 0, pending, pendingLength, piece.length);
        pendingLength += piece.length;
        int complete = completePrefix(pending, pendingLength);
        return emit(complete);
    }

    /** Ends the stream: returns whatever is held back, an incomplete sequence as U+FFFD. */
    public String flush() {
        return emit(pendingLength);
    }

    private String emit(int length) {
        if (length == 0) {
            return "";
        }
        String text = Utf8.decode(pending, 0, length);
        System.arraycopy(pending, length, pending, 0, pendingLength - length);
        pendingLength -= length;
        return text;
    }

    /**
     * Length of the longest prefix that ends where a UTF-8 decoder would start a new sequence and
     * after which no incomplete sequence remains: when one of the last three bytes leads a
     * multi-byte sequence (0xC2..0xF4) that is not yet complete, the prefix stops before that lead
     * byte. Cutting before a byte that is not a continuation byte never changes how the bytes on
     * either side decode.
     */
    static int completePrefix(byte[] bytes, int length) {
        for (int i = length - 1; i >= Math.max(0, length - 3); i--) {
            int b = bytes[i] & 0xFF;
            if ((b & 0xC0) == 0x80) {
                continue;
            }
            int needed = b >= 0xF5 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 1;
            return length - i < needed ? i : length;
        }
        return length;
    }
}
