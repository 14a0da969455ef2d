package dev.squall.validation.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.squall.tokenizer.TokenType;
import dev.squall.tokenizer.Vocabulary;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * The texts the tokenizer parity cases compare, deterministic: the hand-written lines of
 * {@code corpus.jsonl} (prose, code, CJK and other scripts, emoji, numbers, whitespace, control
 * characters, special-token strings and near misses) and seeded generated ones. Each generated
 * part has its own seed, so changing one leaves the others as they were. No text holds a lone
 * surrogate (llama.cpp receives UTF-8).
 */
final class TokenizerCorpus {

    /** A named group of lines, for the composition reported with the results. */
    record Part(String name, List<String> lines) {}

    private static final String RESOURCE = "corpus.jsonl";
    private static final String DIGITS = "1234567890";
    private static final List<String> WHITESPACE = List.of(" ", "\t", "\n", "\r\n", "\r", "\u00a0");
    private static final List<String> PIECES = List.of(
            "the", "Hello", "world", "naïve", "Über", "don't", "it's", "we're", "I'M", "'s", "'ll", "'VE", "x", "a", "I",
            "camelCase", "snake_case", "HTTP", "JSON", "foo()", "x+=1;", "{}", "[]", "=>", "::", "//", "/*", "#", "@", "$5",
            "0", "7", "42", "123", "2024", "1234567", "3.14", "1,000", "١٢٣", "１２３", "²", "Ⅻ",
            " ", "  ", "   ", "\t", "\t\t", "\n", "\n\n", "\r\n", "\r", " \n", "\n ", "\u00a0", "\u3000", "\u200b", "\ufeff",
            ".", ",", "!", "?", "...", "?!", "---", "''", "\"", "(", ")", "'",
            "中文", "日本語", "ひらがな", "한국어", "Привет", "Ωμέγα", "مرحبا", "שלום", "हिन्दी", "ไทย", "ខ្មែរ",
            "e\u0301", "a\u0308\u0304", "\u0301", "\ufe0f", "\u200d", "\u2581", "Ġ",
            "😀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇫🇷", "🇯🇵", "❤️", "1️⃣", "🦙", "😶‍🌫️",
            "<|eot_id|>", "<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|im_start|>", "<|im_end|>",
            "<|endoftext|>", "<think>", "</think>", "<tool_call>", "<s>", "</s>", "<unk>", "[INST]",
            "<|eot_id", "eot_id|>", "<|im_", "<s", "/s>", "<|", "|>");

    private TokenizerCorpus() {}

    /** Every part that is the same for all vocabularies. */
    static List<Part> common() {
        return List.of(new Part("hand-written", handWritten()), new Part("digit runs", digitRuns()),
                new Part("whitespace runs", whitespaceRuns()), new Part("random code points", randomCodePoints(400, 11)),
                new Part("random mixes", randomMixes(700, 12)), new Part("random ASCII", randomAscii(200, 13)));
    }

    /** Each CONTROL and USER_DEFINED token of {@code v} inside text, doubled, and cut short at either end. */
    static Part addedTokens(Vocabulary v) {
        List<String> lines = new ArrayList<>();
        for (int id = 0; id < v.size(); id++) {
            int type = v.tokenType(id);
            if (type != TokenType.CONTROL && type != TokenType.USER_DEFINED) continue;
            String t = v.tokens()[id];
            String head = t.substring(0, t.offsetByCodePoints(t.length(), -1)), tail = t.substring(t.offsetByCodePoints(0, 1));
            lines.add("a" + t + "b " + t + t + " " + head + "\n" + tail + " " + t);
        }
        return new Part("added tokens in text", lines);
    }

    static List<String> lines(List<Part> parts) {
        return parts.stream().flatMap(p -> p.lines().stream()).toList();
    }

    /** E.g. {@code 484 hand-written + 240 digit runs + ...}. */
    static String composition(List<Part> parts) {
        return parts.stream().map(p -> p.lines().size() + " " + p.name()).collect(Collectors.joining(" + "));
    }

    static List<String> handWritten() {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = new ArrayList<>();
        try (InputStream in = TokenizerCorpus.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("resource " + RESOURCE + " is missing next to " + TokenizerCorpus.class.getName());
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            int number = 0;
            for (String line; (line = r.readLine()) != null; ) {
                number++;
                if (line.isBlank() || line.startsWith("#")) continue;
                try {
                    lines.add(json.readValue(line, String.class));
                } catch (IOException e) {
                    throw new IllegalStateException(RESOURCE + " line " + number + " is not a JSON string literal: " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return lines;
    }

    /** Digit runs of every length from 1 to 80, alone, after a letter and before a decimal part. */
    static List<String> digitRuns() {
        List<String> lines = new ArrayList<>();
        for (int n = 1; n <= 80; n++) {
            String run = DIGITS.repeat(n / DIGITS.length() + 1).substring(0, n);
            lines.add(run);
            lines.add("a" + run + " ");
            lines.add("-" + run + ".5");
        }
        return lines;
    }

    /**
     * Every sequence of one to three of space, tab, {@code \n}, {@code \r\n}, {@code \r} and
     * no-break space between two words; each sequence of one or two at the start and at the end;
     * runs of 1 to 24 spaces, tabs, newlines and {@code \r\n}.
     */
    static List<String> whitespaceRuns() {
        List<String> lines = new ArrayList<>();
        for (String a : WHITESPACE) {
            lines.add("word" + a + "word");
            for (String b : WHITESPACE) {
                lines.add("word" + a + b + "word");
                for (String c : WHITESPACE) lines.add("word" + a + b + c + "word");
            }
        }
        for (String a : WHITESPACE) {
            lines.add(a + "x");
            lines.add("x." + a);
            for (String b : WHITESPACE) {
                lines.add(a + b + "x");
                lines.add("x." + a + b);
            }
        }
        for (String w : List.of(" ", "\t", "\n", "\r\n")) {
            for (int n = 1; n <= 24; n++) lines.add("x" + w.repeat(n) + "y");
        }
        return lines;
    }

    /** Lines of 1 to 24 code points from every plane: ASCII, the rest of the BMP, CJK, planes 1 to 3 and 14 to 16. */
    static List<String> randomCodePoints(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder s = new StringBuilder();
            int n = 1 + random.nextInt(24);
            for (int j = 0; j < n; j++) s.appendCodePoint(codePoint(random));
            lines.add(s.toString());
        }
        return lines;
    }

    /** A code point, never a surrogate: assigned or not, private use and noncharacters included. */
    static int codePoint(SplittableRandom random) {
        while (true) {
            int cp = switch (random.nextInt(20)) {
                case 0, 1, 2 -> 0x20 + random.nextInt(0x5f);
                case 3 -> random.nextInt(0x20);
                case 4, 5, 6, 7, 8, 9, 10 -> 0x80 + random.nextInt(0x10000 - 0x80);
                case 11, 12 -> 0x4e00 + random.nextInt(0x9fff - 0x4e00);
                case 13, 14, 15 -> 0x10000 + random.nextInt(0x10000);
                case 16, 17 -> 0x20000 + random.nextInt(0x20000);
                default -> 0xe0000 + random.nextInt(0x30000);
            };
            if (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE) return cp;
        }
    }

    /** Lines of 1 to 20 pieces: words, numbers, whitespace, punctuation, scripts, emoji, special-token strings, code points. */
    static List<String> randomMixes(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> hand = handWritten();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder s = new StringBuilder();
            int n = 1 + random.nextInt(20);
            for (int j = 0; j < n; j++) {
                switch (random.nextInt(8)) {
                    case 0 -> s.appendCodePoint(codePoint(random));
                    case 1 -> s.append(snippet(hand.get(random.nextInt(hand.size())), random));
                    default -> s.append(PIECES.get(random.nextInt(PIECES.size())));
                }
            }
            lines.add(s.toString());
        }
        return lines;
    }

    /** Up to 12 code points of {@code text} from a random position. */
    private static String snippet(String text, SplittableRandom random) {
        int points = text.codePointCount(0, text.length());
        if (points == 0) return text;
        int from = random.nextInt(points), length = 1 + random.nextInt(12);
        int start = text.offsetByCodePoints(0, from);
        int end = text.offsetByCodePoints(start, Math.min(length, points - from));
        return text.substring(start, end);
    }

    /** Lines of 1 to 60 printable ASCII characters, spaces, tabs and newlines. */
    static List<String> randomAscii(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder s = new StringBuilder();
            int n = 1 + random.nextInt(60);
            for (int j = 0; j < n; j++) {
                int k = random.nextInt(100);
                s.append(k < 90 ? (char) (0x20 + random.nextInt(0x5f)) : k < 95 ? '\n' : k < 98 ? '\t' : '\r');
            }
            lines.add(s.toString());
        }
        return lines;
    }
}
