package dev.squall.tokenizer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Small hand-built vocabularies whose tokenizations can be derived by hand, shared by the tests.
 * Token texts are given as plain text; the builders spell them the way each vocabulary kind stores
 * them (GPT-2 byte characters, or ▁ for spaces).
 */
final class TestVocabularies {

    private TestVocabularies() {
    }

    /** A copy of {@code v} with other BOS/EOS/space-prefix flags. */
    static Vocabulary withFlags(Vocabulary v, boolean addBos, boolean addEos, boolean addSpacePrefix) {
        return new Vocabulary(v.model(), v.pre(), v.tokens(), v.scores(), v.tokenTypes(), v.merges(), v.bos(),
                v.eos(), v.unk(), v.pad(), v.eot(), v.eom(), addBos, addEos, addSpacePrefix, v.chatTemplate());
    }

    /** A copy of {@code v} with another pre-tokenizer. */
    static Vocabulary withPre(Vocabulary v, String pre) {
        return new Vocabulary(v.model(), pre, v.tokens(), v.scores(), v.tokenTypes(), v.merges(), v.bos(),
                v.eos(), v.unk(), v.pad(), v.eot(), v.eom(), v.addBos(), v.addEos(), v.addSpacePrefix(),
                v.chatTemplate());
    }

    /**
     * The byte-level vocabulary most tests share: the 256 byte tokens (id = byte value), merges for
     * a few common words, and Qwen-like special tokens: {@code <|endoftext|>} (BOS), {@code <|im_start|>},
     * {@code <|im_end|>} (EOS) as CONTROL and {@code <tool_call>} as USER_DEFINED.
     */
    static ByteLevelVocab byteLevelWords() {
        ByteLevelVocab b = new ByteLevelVocab();
        for (String word : List.of(" the", "the", " a", " world", "hello", " hello", "in", "\n\n", "  ", "123",
                "中文", "'s", " is", " 😀")) {
            b.word(word);
        }
        b.special("<|endoftext|>", TokenType.CONTROL);
        b.special("<|im_start|>", TokenType.CONTROL);
        b.special("<|im_end|>", TokenType.CONTROL);
        b.special("<tool_call>", TokenType.USER_DEFINED);
        return b;
    }

    /** Builds a byte-level BPE vocabulary: the 256 byte tokens first (id = byte value), then merges. */
    static final class ByteLevelVocab {
        private final List<String> tokens = new ArrayList<>();
        private final List<Integer> types = new ArrayList<>();
        private final List<String> merges = new ArrayList<>();
        private final Map<String, Integer> ids = new LinkedHashMap<>();

        ByteLevelVocab() {
            for (int b = 0; b < 256; b++) {
                add(String.valueOf(ByteLevel.charOf(b)), TokenType.NORMAL);
            }
        }

        private int add(String stored, int type) {
            Integer existing = ids.get(stored);
            if (existing != null) {
                return existing;
            }
            ids.put(stored, tokens.size());
            tokens.add(stored);
            types.add(type);
            return tokens.size() - 1;
        }

        /** Adds the merge {@code left + right} (plain text) with the next rank, and its result as a token. */
        ByteLevelVocab merge(String left, String right) {
            String l = ByteLevel.encode(left);
            String r = ByteLevel.encode(right);
            merges.add(l + " " + r);
            add(l + r, TokenType.NORMAL);
            return this;
        }

        /** Adds a merge without adding its result to the tokens. */
        ByteLevelVocab mergeOnly(String left, String right) {
            merges.add(ByteLevel.encode(left) + " " + ByteLevel.encode(right));
            return this;
        }

        /** Adds the merges that build {@code text} byte by byte, left to right. */
        ByteLevelVocab word(String text) {
            String encoded = ByteLevel.encode(text);
            String built = encoded.substring(0, 1);
            for (int i = 1; i < encoded.length(); i++) {
                String next = encoded.substring(i, i + 1);
                if (!merges.contains(built + " " + next)) {
                    merges.add(built + " " + next);
                }
                built = built + next;
                add(built, TokenType.NORMAL);
            }
            return this;
        }

        /** Adds a NORMAL token without any merge producing it. */
        ByteLevelVocab token(String text) {
            add(ByteLevel.encode(text), TokenType.NORMAL);
            return this;
        }

        /** Adds a token stored verbatim (special tokens are not byte-encoded in GGUF files). */
        ByteLevelVocab special(String text, int type) {
            add(text, type);
            return this;
        }

        /** The id of the token spelling {@code text} (plain text for normal tokens, verbatim for special ones). */
        int id(String text) {
            Integer id = ids.get(ByteLevel.encode(text));
            if (id == null) {
                id = ids.get(text);
            }
            if (id == null) {
                throw new IllegalArgumentException("no token " + text);
            }
            return id;
        }

        Vocabulary build(String pre) {
            int[] typeArray = types.stream().mapToInt(Integer::intValue).toArray();
            Vocabulary.Builder builder = Vocabulary.builder(Vocabulary.MODEL_BYTE_LEVEL_BPE, tokens.toArray(String[]::new))
                    .pre(pre)
                    .tokenTypes(typeArray)
                    .merges(merges.toArray(String[]::new));
            if (ids.containsKey("<|endoftext|>")) {
                builder.bos(ids.get("<|endoftext|>"));
            }
            if (ids.containsKey("<|im_end|>")) {
                builder.eos(ids.get("<|im_end|>"));
            }
            return builder.build();
        }
    }

    /**
     * Builds a SentencePiece vocabulary: {@code <unk>} 0, {@code <s>} 1, {@code </s>} 2, optionally
     * the 256 byte tokens, then pieces with the scores given.
     */
    static final class SpmVocab {
        private final List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        private final List<Integer> types = new ArrayList<>(List.of(TokenType.UNKNOWN, TokenType.CONTROL,
                TokenType.CONTROL));
        private final List<Float> scores = new ArrayList<>(List.of(0f, 0f, 0f));

        SpmVocab withByteTokens() {
            for (int b = 0; b < 256; b++) {
                tokens.add(String.format("<0x%02X>", b));
                types.add(TokenType.BYTE);
                scores.add(0f);
            }
            return this;
        }

        /** Adds a NORMAL piece; spaces in {@code text} are stored as ▁. */
        SpmVocab piece(String text, float score) {
            return add(text.replace(' ', '\u2581'), TokenType.NORMAL, score);
        }

        SpmVocab add(String stored, int type, float score) {
            tokens.add(stored);
            types.add(type);
            scores.add(score);
            return this;
        }

        /** The id of a piece (spaces as in {@link #piece}) or of a special token. */
        int id(String text) {
            int id = tokens.indexOf(text.replace(' ', '\u2581'));
            if (id < 0) {
                throw new IllegalArgumentException("no piece " + text);
            }
            return id;
        }

        /** The id of the byte token {@code <0xNN>}. */
        int byteId(int b) {
            return id(String.format("<0x%02X>", b));
        }

        Vocabulary build(boolean addSpacePrefix) {
            float[] scoreArray = new float[scores.size()];
            for (int i = 0; i < scoreArray.length; i++) {
                scoreArray[i] = scores.get(i);
            }
            return Vocabulary.builder(Vocabulary.MODEL_SPM, tokens.toArray(String[]::new))
                    .scores(scoreArray)
                    .tokenTypes(types.stream().mapToInt(Integer::intValue).toArray())
                    .addSpacePrefix(addSpacePrefix)
                    .build();
        }
    }
}
