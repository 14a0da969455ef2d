package dev.squall.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * SentencePiece BPE ({@code tokenizer.ggml.model = "llama"}: Llama 2, Mistral, ...) as llama.cpp's
 * {@code llm_tokenizer_spm_session}:
 * <ol>
 * <li>a text fragment at the start of the text or right after a special token gets a leading
 *     space when {@link Vocabulary#addSpacePrefix()} (so {@code "<s>Hi"} parsed gives
 *     {@code <s> ▁Hi});</li>
 * <li>every space becomes ▁ (U+2581); other whitespace is left as it is;</li>
 * <li>the fragment starts as one symbol per code point; repeatedly, of all adjacent pairs whose
 *     concatenation is a token, the one with the highest score merges (ties: leftmost first);</li>
 * <li>each final symbol is its token, or when its text is not a token, one {@code <0xNN>} token per
 *     UTF-8 byte.</li>
 * </ol>
 * A vocabulary without the needed byte tokens emits one unknown token for such a symbol instead
 * (llama.cpp would fail).
 */
final class SentencePieceTokenizer extends BaseTokenizer {

    private static final char SPACE_MARK = '\u2581';

    private final int[] byteTokens = new int[256];

    SentencePieceTokenizer(Vocabulary vocab) {
        super(vocab, SentencePieceTokenizer::unescape, false);
        for (int b = 0; b < 256; b++) {
            int id = lookup(String.format("<0x%02X>", b));
            if (id < 0 && b < 0x80) {
                id = lookup(String.valueOf((char) b));
            }
            byteTokens[b] = id;
        }
    }

    private static byte[] unescape(String text) {
        return text.replace(SPACE_MARK, ' ').getBytes(StandardCharsets.UTF_8);
    }

    @Override
    void encodeText(String text, boolean afterSpecial, IntList out) {
        String prefixed = vocab.addSpacePrefix() && afterSpecial ? " " + text : text;
        String escaped = prefixed.replace(' ', SPACE_MARK);
        new Session(escaped).tokenize(out);
    }

    /** One fragment's symbols, linked left to right; a symbol absorbed into its left neighbour has length 0. */
    private final class Session {
        private final String text;
        private final int[] start;
        private final int[] length;
        private final int[] prev;
        private final int[] next;
        private final PairQueue queue = new PairQueue();

        Session(String text) {
            this.text = text;
            int n = text.codePointCount(0, text.length());
            start = new int[n];
            length = new int[n];
            prev = new int[n];
            next = new int[n];
            int offset = 0;
            for (int i = 0; i < n; i++) {
                int len = Character.charCount(text.codePointAt(offset));
                start[i] = offset;
                length[i] = len;
                prev[i] = i - 1;
                next[i] = i + 1 < n ? i + 1 : -1;
                offset += len;
            }
        }

        void tokenize(IntList out) {
            int n = start.length;
            for (int i = 1; i < n; i++) {
                offer(i - 1, i);
            }
            while (!queue.isEmpty()) {
                queue.pop();
                int l = queue.poppedLeft;
                int r = queue.poppedRight;
                if (length[l] == 0 || length[r] == 0 || length[l] + length[r] != queue.poppedCheck) {
                    continue;
                }
                length[l] += length[r];
                length[r] = 0;
                next[l] = next[r];
                if (next[r] >= 0) {
                    prev[next[r]] = l;
                }
                offer(prev[l], l);
                offer(l, next[l]);
            }
            for (int i = 0; n > 0 && i != -1; i = next[i]) {
                emit(text.substring(start[i], start[i] + length[i]), out);
            }
        }

        private void offer(int l, int r) {
            if (l < 0 || r < 0) {
                return;
            }
            int merged = lookup(text.substring(start[l], start[l] + length[l] + length[r]));
            if (merged < 0) {
                return;
            }
            queue.push(PairQueue.descending(vocab.score(merged), l), l, r, length[l] + length[r]);
        }

        private void emit(String symbol, IntList out) {
            int id = lookup(symbol);
            if (id >= 0) {
                out.add(id);
                return;
            }
            byte[] bytes = symbol.getBytes(StandardCharsets.UTF_8);
            for (byte b : bytes) {
                if (byteTokens[b & 0xFF] < 0) {
                    unknown(symbol, out);
                    return;
                }
            }
            for (byte b : bytes) {
                out.add(byteTokens[b & 0xFF]);
            }
        }

        private void unknown(String symbol, IntList out) {
            if (vocab.unk() < 0) {
                throw new IllegalArgumentException("cannot tokenize \"" + symbol
                        + "\": it is not a token, the vocabulary lacks its byte tokens and has no unknown token");
            }
            out.add(vocab.unk());
        }
    }
}
