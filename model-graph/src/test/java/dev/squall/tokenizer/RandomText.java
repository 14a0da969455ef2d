package dev.squall.tokenizer;

import java.util.List;
import java.util.Random;

/**
 * Seeded random strings that mix what tokenizers find hard: words and contractions, runs of spaces,
 * tabs, newlines and {@code \r\n}, digit runs, punctuation runs, CJK, emoji with skin tones and ZWJ
 * sequences, combining marks, and code points drawn from every plane (never lone surrogates).
 */
final class RandomText {

    private static final List<String> PIECES = List.of(
            "the", "Hello", "world", "don't", "I'M", "we're", "'s", "'ll", " ", "  ", "   ", "\t", "\t\t", "\n", "\n\n",
            "\r\n", "\r\n\r\n", " \n ", "0", "7", "42", "123", "2024", "1234567", ".", ",", "!?", "...", "---", "(x)",
            "$5", "<|im_start|>", "<tool_call>", "</s>", "中文", "日本語", "한국어", "Ωμέγα", "naïve", "e\u0301", "a\u0308\u0304",
            "😀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇫🇷", "\u00a0", "\u3000", "\u200b", "\ufeff", "٣", "²", "Ⅻ", "１２");

    private final Random random;

    RandomText(long seed) {
        random = new Random(seed);
    }

    /** A string of up to {@code maxPieces} pieces, some of them random code points. */
    String next(int maxPieces) {
        StringBuilder s = new StringBuilder();
        int pieces = 1 + random.nextInt(maxPieces);
        for (int i = 0; i < pieces; i++) {
            if (random.nextInt(4) == 0) {
                s.appendCodePoint(codePoint());
            } else {
                s.append(PIECES.get(random.nextInt(PIECES.size())));
            }
        }
        return s.toString();
    }

    /** A code point from any plane, including unassigned and private-use ones, never a surrogate. */
    int codePoint() {
        while (true) {
            int plane = switch (random.nextInt(6)) {
                case 0, 1, 2 -> 0;
                case 3 -> 1;
                case 4 -> 2 + random.nextInt(2);
                default -> 14 + random.nextInt(3);
            };
            int cp = plane * 0x10000 + random.nextInt(0x10000);
            if (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE) {
                return cp;
            }
        }
    }
}
