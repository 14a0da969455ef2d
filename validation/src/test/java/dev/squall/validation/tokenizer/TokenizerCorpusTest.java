package dev.squall.validation.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.tokenizer.TokenType;
import dev.squall.tokenizer.Vocabulary;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TokenizerCorpusTest {

    private static final List<String> LINES = TokenizerCorpus.lines(TokenizerCorpus.common());

    @Test
    void theCorpusHasAtLeastTwoThousandLines() {
        assertTrue(LINES.size() >= 2000, LINES.size() + " lines");
    }

    @Test
    void theCorpusIsTheSameEveryTime() {
        assertEquals(LINES, TokenizerCorpus.lines(TokenizerCorpus.common()));
    }

    @Test
    void noLineHoldsALoneSurrogate() {
        for (String line : LINES) {
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                boolean paired = Character.isHighSurrogate(c) ? i + 1 < line.length() && Character.isLowSurrogate(line.charAt(++i))
                        : !Character.isLowSurrogate(c);
                assertTrue(paired, () -> "lone surrogate in " + Printable.text(line));
            }
        }
    }

    @Test
    void handWrittenLinesCoverSpecialTokensAndTheirNearMisses() {
        List<String> hand = TokenizerCorpus.handWritten();
        for (String s : List.of("<|eot_id|>", "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n", "<s>", "</s>", "<|eot_id",
                "crlf\r\nline\r\n\r\nend\r\n", "👨‍👩‍👧‍👦 family")) {
            assertTrue(hand.contains(s), () -> "missing " + Printable.text(s));
        }
    }

    @Test
    void digitRunsHaveEveryLengthUpToEighty() {
        List<String> runs = TokenizerCorpus.digitRuns();
        IntStream.rangeClosed(1, 80).forEach(n -> assertTrue(runs.stream().anyMatch(r -> r.length() == n && r.chars().allMatch(Character::isDigit)),
                "no run of " + n));
    }

    @Test
    void addedTokensAppearInTextWholeAndCutShort() {
        Vocabulary v = Vocabulary.builder(Vocabulary.MODEL_SPM, new String[] {"<unk>", "<s>", "a", "<x>"})
                .tokenTypes(new int[] {TokenType.UNKNOWN, TokenType.CONTROL, TokenType.NORMAL, TokenType.USER_DEFINED}).build();
        assertEquals(List.of("a<s>b <s><s> <s\ns> <s>", "a<x>b <x><x> <x\nx> <x>"), TokenizerCorpus.addedTokens(v).lines());
    }

    @Test
    void randomLinesDependOnTheSeed() {
        assertFalse(TokenizerCorpus.randomMixes(5, 1).equals(TokenizerCorpus.randomMixes(5, 2)));
    }
}
