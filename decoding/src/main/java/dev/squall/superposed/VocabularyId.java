package dev.squall.superposed;

import dev.squall.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Which vocabulary token ids belong to: its size and a fingerprint of its token strings, with the
 * file it was read from (for messages). An n-gram file records the one it was counted in, so that
 * scoring another model's tokens with it is refused instead of silently wrong.
 *
 * @param size        tokens in the vocabulary
 * @param fingerprint 64-bit FNV-1a over every token's vocabulary string (UTF-8, each followed by 0xFF)
 * @param source      the model file the vocabulary came from
 */
public record VocabularyId(int size, long fingerprint, String source) {

    public VocabularyId {
        if (size < 1) throw new IllegalArgumentException("a vocabulary of " + size + " tokens");
    }

    public static VocabularyId of(Tokenizer tokenizer, String source) {
        long h = 0xcbf29ce484222325L;
        for (int id = 0; id < tokenizer.vocabSize(); id++) {
            for (byte b : tokenizer.tokenText(id).getBytes(StandardCharsets.UTF_8)) h = (h ^ (b & 0xFF)) * 0x100000001b3L;
            h = (h ^ 0xFF) * 0x100000001b3L;
        }
        return new VocabularyId(tokenizer.vocabSize(), h, source);
    }

    /** Whether token ids of {@code other} mean the same tokens (the source does not matter). */
    public boolean sameAs(VocabularyId other) { return size == other.size && fingerprint == other.fingerprint; }

    @Override public String toString() {
        return String.format(Locale.ROOT, "%s (%d tokens, fingerprint %016x)", source, size, fingerprint);
    }
}
