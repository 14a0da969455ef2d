package dev.squall.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Word splits of the pre-tokenizers, derived from llama.cpp's splitting code for each regex
 * (Llama 3: {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
 * ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+}; Qwen 2 the same with single digits; GPT-2
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)}).
 */
class PreTokenizerTest {

    private static List<String> split(String pre, String text) {
        return PreTokenizer.forName(pre).split(text);
    }

    @Test
    void llama3ContractionsIgnoreCase() {
        assertEquals(List.of("I", "'M", " you", "'RE", " it", "'s"), split("llama-bpe", "I'M you'RE it's"));
    }

    @Test
    void gpt2ContractionsAreLowercaseOnly() {
        assertEquals(List.of("I", "'", "M", " it", "'s"), split("gpt-2", "I'M it's"));
    }

    @Test
    void llama3GroupsDigitsByThreeFromTheLeft() {
        assertEquals(List.of("1", " ", "12", " ", "123", " ", "123", "4", " ", "123", "45", " ", "123", "456", " ",
                "123", "456", "7"), split("llama-bpe", "1 12 123 1234 12345 123456 1234567"));
    }

    @Test
    void qwen2SplitsEveryDigit() {
        assertEquals(List.of("1", "2", "3", "4", " ", "5"), split("qwen2", "1234 5"));
    }

    @Test
    void defaultSplitsDigitRunsThenTriplesOfAsciiDigits() {
        assertEquals(List.of("1", " ", "12", " ", "123", "456", "7"), split("default", "1 12 1234567"));
    }

    @Test
    void anAbsentPreTokenizerIsTheDefault() {
        assertEquals(split("default", "a +=b 1234"), PreTokenizer.forName(null).split("a +=b 1234"));
    }

    @Test
    void defaultIsolatesPunctuationRunsBeforeTheGpt2Regex() {
        assertEquals(List.of("a", " ", "+=", "b"), split("default", "a +=b"));
        assertEquals(List.of("a", " +=", "b"), split("gpt-2", "a +=b"));
    }

    @Test
    void llama3KeepsCrLfRunsTogether() {
        assertEquals(List.of("a", "\r\n\r\n", "b"), split("llama-bpe", "a\r\n\r\nb"));
    }

    @Test
    void llama3WhitespaceEndsAtItsLastNewline() {
        assertEquals(List.of("a", " \r\n", " ", " b"), split("llama-bpe", "a \r\n  b"));
    }

    @Test
    void aSpaceRunBeforeAWordGivesItsLastSpaceToTheWord() {
        assertEquals(List.of("a", "  ", " b"), split("llama-bpe", "a   b"));
        assertEquals(List.of("a", "  ", " b"), split("gpt-2", "a   b"));
    }

    @Test
    void trailingSpacesStayTogether() {
        assertEquals(List.of("hi", "   "), split("llama-bpe", "hi   "));
        assertEquals(List.of("hi", "   "), split("gpt-2", "hi   "));
    }

    @Test
    void punctuationRunsTakeOneLeadingSpaceAndTrailingNewlines() {
        assertEquals(List.of("wait", "...!?", " ...\n\n", "x"), split("llama-bpe", "wait...!? ...\n\nx"));
    }

    @Test
    void llama3LettersTakeOneLeadingNonLetter() {
        assertEquals(List.of("$hello", " (", "world", ")"), split("llama-bpe", "$hello (world)"));
    }

    @Test
    void noBreakSpaceIsWhitespaceButCanLeadAWord() {
        assertEquals(List.of("a", "\u00a0b"), split("llama-bpe", "a\u00a0b"));
        assertEquals(List.of("a", "\u00a0", "b"), split("gpt-2", "a\u00a0b"));
    }

    @Test
    void lettersNewInUnicode16AreNotLettersAsInLlamaCpp() {
        String olOnal = new String(Character.toChars(0x1E5D0));
        assertEquals(List.of("x", olOnal + "y"), split("llama-bpe", "x" + olOnal + "y"));
    }

    @Test
    void qwen35LetterRunsIncludeCombiningMarks() {
        assertEquals(List.of("e\u0301x"), split("qwen35", "e\u0301x"));
        assertEquals(List.of("e", "\u0301x"), split("qwen2", "e\u0301x"));
    }

    @Test
    void starcoderIsolatesEveryDigitBeforeTheGpt2Regex() {
        assertEquals(List.of("x", " ", "1", "2"), split("starcoder", "x 12"));
    }

    @Test
    void lagunaSplitsAtNewlineRunsFirst() {
        assertEquals(List.of("x", ".", "\n", "y"), split("laguna", "x.\ny"));
        assertEquals(List.of("x", ".\n", "y"), split("qwen2", "x.\ny"));
    }

    @Test
    void piecesAlwaysConcatenateToTheText() {
        RandomText random = new RandomText(5);
        for (String pre : PreTokenizer.supportedNames()) {
            for (int i = 0; i < 100; i++) {
                String text = random.next(10);
                assertEquals(text, String.join("", split(pre, text)), pre);
            }
        }
    }

    @Test
    void llama3PreTokenizersIgnoreMergesAndCleanSpaces() {
        PreTokenizer llama3 = PreTokenizer.forName("llama-bpe");
        assertTrue(llama3.ignoreMerges());
        assertTrue(llama3.cleanSpaces());
        assertFalse(PreTokenizer.forName("qwen2").cleanSpaces());
    }
}
