package dev.squall.heads;

import dev.squall.cli.Corpus;
import dev.squall.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * The corpus as windows of at most {@code size} tokens, document after document (each document
 * starts with BOS, as a prompt would), in a fixed order, starting over when it runs out. Its
 * position (document, token offset) is what a checkpoint saves, so a resumed run sees the same
 * windows an uninterrupted one would.
 */
final class TrainingWindows {

    /** Windows shorter than this (a document's tail) are skipped: too few positions for the deeper heads. */
    static final int MIN_TOKENS = 16;

    private final List<Corpus.Document> documents;
    private final Tokenizer tokenizer;
    private final int size;
    private int document, offset;
    private int[] tokens;          // the current document's tokens (null: not yet encoded)
    private long consumed;

    TrainingWindows(List<Corpus.Document> documents, Tokenizer tokenizer, int size) {
        if (documents.isEmpty()) throw new IllegalArgumentException("no documents to train on");
        this.documents = documents;
        this.tokenizer = tokenizer;
        this.size = size;
    }

    int document() { return document; }

    int offset() { return offset; }

    /** Tokens handed out so far. */
    long consumed() { return consumed; }

    void seek(int document, int offset, long consumed) {
        this.document = Math.floorMod(document, documents.size());
        this.offset = offset;
        this.consumed = consumed;
        this.tokens = null;
    }

    /** The next window (at least {@link #MIN_TOKENS} tokens); throws when no document has that many. */
    int[] next() {
        for (int tried = 0; tried <= documents.size() * 2; tried++) {
            if (tokens == null) tokens = tokenizer.encode(documents.get(document).text(), true, false);
            if (tokens.length - offset >= MIN_TOKENS) {
                int end = Math.min(tokens.length, offset + size);
                int[] w = Arrays.copyOfRange(tokens, offset, end);
                offset = end;
                consumed += w.length;
                return w;
            }
            document = (document + 1) % documents.size();
            offset = 0;
            tokens = null;
        }
        throw new IllegalArgumentException("no document in the corpus has " + MIN_TOKENS + " tokens or more");
    }
}
