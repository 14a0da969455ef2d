package dev.squall.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SequencedSet;

/**
 * Deterministic SentencePiece-style vocabularies ({@code tokenizer.ggml.model = "llama"}) for
 * generated sample models, shaped like Llama 2's:
 * <ul>
 * <li>0 {@code <unk>} (UNKNOWN), 1 {@code <s>} and 2 {@code </s>} (CONTROL), score 0;</li>
 * <li>3..258 the byte tokens {@code <0x00>}..{@code <0xFF>} (BYTE), score 0, so any text can be
 *     tokenized and {@code "\n"} is {@code <0x0A>} as llama.cpp expects;</li>
 * <li>then NORMAL pieces with strictly decreasing scores ({@code -i} for the i-th): ▁, the
 *     printable ASCII letters, digits and punctuation, then pieces of a synthetic syllable language
 *     drawn from the seed: parts of syllables, syllables, ▁-prefixed syllables and words of several
 *     syllables, shorter and more frequent ones first.</li>
 * </ul>
 * A piece is only added when SentencePiece's merge procedure reaches it from its characters with
 * the pieces already chosen, and every later piece scores lower, so every piece is reachable:
 * tokenizing a piece's text alone (▁ as a space, no space prefix) gives exactly that piece. Token
 * strings are unique; the same size and seed give an identical vocabulary.
 */
public final class SampleVocabulary {

    private static final String SPACE = "\u2581";
    private static final String[] ONSETS = {"", "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r",
        "s", "t", "v", "w", "z", "ch", "sh", "th", "tr", "pr", "kr", "st", "bl", "gr", "qu"};
    private static final String[] VOWELS = {"a", "e", "i", "o", "u", "y", "ai", "au", "ei", "ou", "ia", "ea", "oo"};
    private static final String[] CODAS = {"", "", "n", "r", "s", "l", "m", "t", "k", "nd", "st", "ng"};
    private static final int FIXED = 3 + 256;

    private SampleVocabulary() {
    }

    /** The smallest size {@link #generate} accepts: specials, bytes, ▁ and the ASCII characters. */
    public static int minimumSize() {
        return FIXED + 1 + asciiCharacters().size();
    }

    /**
     * A vocabulary of exactly {@code size} tokens for {@code seed}.
     *
     * @throws IllegalArgumentException if {@code size} is below {@link #minimumSize()}
     */
    public static Vocabulary generate(int size, long seed) {
        if (size < minimumSize()) {
            throw new IllegalArgumentException("sample vocabulary size " + size + " is below the minimum "
                    + minimumSize() + " (3 special tokens, 256 byte tokens, ▁ and the printable ASCII characters)");
        }
        Random random = new Random(seed);
        Pieces pieces = new Pieces(size);
        pieces.add(SPACE);
        for (String c : asciiCharacters()) {
            pieces.add(c);
        }
        List<String> syllables = syllables(random);
        for (String syllable : syllables) {
            for (int length = 2; length <= syllable.length() && !pieces.full(); length++) {
                for (int at = 0; at + length <= syllable.length(); at++) {
                    pieces.offer(syllable.substring(at, at + length));
                }
                pieces.offer(SPACE + syllable.substring(0, length - 1));
            }
            pieces.offer(SPACE + syllable);
        }
        while (!pieces.full()) {
            int count = 2 + random.nextInt(3);
            StringBuilder word = new StringBuilder(SPACE);
            String previous = null;
            for (int i = 0; i < count && !pieces.full(); i++) {
                String syllable = syllables.get(zipf(random, syllables.size()));
                if (previous != null) {
                    pieces.offer(previous + syllable);
                }
                word.append(syllable);
                pieces.offer(word.toString());
                previous = syllable;
            }
        }
        return pieces.toVocabulary();
    }

    private static List<String> asciiCharacters() {
        List<String> chars = new ArrayList<>();
        for (char c = '!'; c <= '~'; c++) {
            chars.add(String.valueOf(c));
        }
        return chars;
    }

    /** Every onset-vowel-coda combination, in a seeded order that plays the role of frequency rank. */
    private static List<String> syllables(Random random) {
        SequencedSet<String> unique = new LinkedHashSet<>();
        for (String onset : ONSETS) {
            for (String vowel : VOWELS) {
                for (String coda : CODAS) {
                    unique.add(onset + vowel + coda);
                }
            }
        }
        List<String> list = new ArrayList<>(unique);
        java.util.Collections.shuffle(list, random);
        return list;
    }

    /** An index in [0, n) drawn with probability roughly proportional to 1/(index+1). */
    private static int zipf(Random random, int n) {
        double u = random.nextDouble();
        return Math.min(n - 1, (int) Math.floor(Math.pow(n + 1, u)) - 1);
    }

    /** The growing list of NORMAL pieces and the reachability check against it. */
    private static final class Pieces {
        private final int capacity;
        private final Map<String, Integer> rank = new HashMap<>();
        private final List<String> order = new ArrayList<>();

        Pieces(int size) {
            this.capacity = size - FIXED;
        }

        boolean full() {
            return order.size() >= capacity;
        }

        void add(String piece) {
            rank.put(piece, order.size());
            order.add(piece);
        }

        void offer(String piece) {
            if (!full() && !rank.containsKey(piece) && reachable(piece)) {
                add(piece);
            }
        }

        /**
         * SentencePiece's merging of {@code piece}'s characters with the pieces so far (highest score
         * = lowest rank first, leftmost on ties); the new piece, scoring below all of them, is reached
         * exactly when that merging ends in at most two symbols.
         */
        private boolean reachable(String piece) {
            List<String> symbols = new ArrayList<>();
            piece.codePoints().forEach(cp -> symbols.add(new String(Character.toChars(cp))));
            while (symbols.size() > 2) {
                int best = -1;
                int bestRank = Integer.MAX_VALUE;
                for (int i = 0; i + 1 < symbols.size(); i++) {
                    Integer r = rank.get(symbols.get(i) + symbols.get(i + 1));
                    if (r != null && r < bestRank) {
                        best = i;
                        bestRank = r;
                    }
                }
                if (best < 0) {
                    return false;
                }
                symbols.set(best, symbols.get(best) + symbols.remove(best + 1));
            }
            return true;
        }

        Vocabulary toVocabulary() {
            int size = FIXED + order.size();
            String[] tokens = new String[size];
            float[] scores = new float[size];
            int[] types = new int[size];
            tokens[0] = "<unk>";
            types[0] = TokenType.UNKNOWN;
            tokens[1] = "<s>";
            types[1] = TokenType.CONTROL;
            tokens[2] = "</s>";
            types[2] = TokenType.CONTROL;
            for (int b = 0; b < 256; b++) {
                tokens[3 + b] = String.format("<0x%02X>", b);
                types[3 + b] = TokenType.BYTE;
            }
            for (int i = 0; i < order.size(); i++) {
                tokens[FIXED + i] = order.get(i);
                scores[FIXED + i] = -i;
                types[FIXED + i] = TokenType.NORMAL;
            }
            return Vocabulary.builder(Vocabulary.MODEL_SPM, tokens)
                    .scores(scores)
                    .tokenTypes(types)
                    .bos(1)
                    .eos(2)
                    .unk(0)
                    .addBos(true)
                    .addEos(false)
                    .addSpacePrefix(true)
                    .build();
        }
    }
}
