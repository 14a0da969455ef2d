package dev.squall.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HashSet;
import org.junit.jupiter.api.Test;

class SampleVocabularyTest {

    private static final Vocabulary SMALL = SampleVocabulary.generate(4096, 42);
    private static final Vocabulary LLAMA_SIZED = SampleVocabulary.generate(32000, 42);

    @Test
    void hasExactlyTheRequestedSize() {
        assertEquals(4096, SMALL.size());
        assertEquals(32000, LLAMA_SIZED.size());
    }

    @Test
    void startsWithLlama2sSpecialAndByteTokens() {
        assertEquals("<unk>", SMALL.tokens()[0]);
        assertEquals(TokenType.UNKNOWN, SMALL.tokenType(0));
        assertEquals("<s>", SMALL.tokens()[1]);
        assertEquals(TokenType.CONTROL, SMALL.tokenType(1));
        assertEquals("</s>", SMALL.tokens()[2]);
        assertEquals(TokenType.CONTROL, SMALL.tokenType(2));
        for (int b = 0; b < 256; b++) {
            assertEquals(String.format("<0x%02X>", b), SMALL.tokens()[3 + b]);
            assertEquals(TokenType.BYTE, SMALL.tokenType(3 + b));
        }
        assertEquals("\u2581", SMALL.tokens()[259]);
    }

    @Test
    void isASentencePieceVocabularyWithLlamaDefaults() {
        assertEquals("llama", SMALL.model());
        assertEquals(1, SMALL.bos());
        assertEquals(2, SMALL.eos());
        assertEquals(0, SMALL.unk());
        assertEquals(true, SMALL.addBos());
        assertEquals(true, SMALL.addSpacePrefix());
    }

    @Test
    void containsEveryPrintableAsciiCharacter() {
        var tokens = new HashSet<>(Arrays.asList(SMALL.tokens()));
        for (char c = '!'; c <= '~'; c++) {
            assertEquals(true, tokens.contains(String.valueOf(c)), "missing " + c);
        }
    }

    @Test
    void tokenStringsAreUnique() {
        assertEquals(LLAMA_SIZED.size(), new HashSet<>(Arrays.asList(LLAMA_SIZED.tokens())).size());
    }

    @Test
    void normalPieceScoresStrictlyDecrease() {
        for (int id = 260; id < LLAMA_SIZED.size(); id++) {
            assertEquals(true, LLAMA_SIZED.score(id) < LLAMA_SIZED.score(id - 1), "score at " + id);
        }
    }

    @Test
    void everyPieceIsReachedByMergingItsCharacters() {
        Tokenizer t = Tokenizers.create(TestVocabularies.withFlags(LLAMA_SIZED, true, false, false));
        for (int id = 259; id < LLAMA_SIZED.size(); id++) {
            String text = LLAMA_SIZED.tokens()[id].replace('\u2581', ' ');
            assertArrayEquals(new int[] {id}, t.encode(text, false, false), "piece " + LLAMA_SIZED.tokens()[id]);
        }
    }

    @Test
    void aNewlineIsItsByteToken() {
        Tokenizer t = Tokenizers.create(TestVocabularies.withFlags(SMALL, true, false, false));
        assertArrayEquals(new int[] {3 + '\n'}, t.encode("\n", false, false));
    }

    @Test
    void theSameSeedGivesTheSameVocabulary() {
        assertEquals(SMALL, SampleVocabulary.generate(4096, 42));
    }

    @Test
    void anotherSeedGivesAnotherVocabulary() {
        assertNotEquals(SMALL, SampleVocabulary.generate(4096, 43));
    }

    @Test
    void aSmallerSizeIsAPrefixOfTheSameLanguage() {
        assertArrayEquals(SMALL.tokens(), Arrays.copyOf(LLAMA_SIZED.tokens(), 4096));
    }

    @Test
    void aSizeBelowTheFixedTokensIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SampleVocabulary.generate(300, 1));
        assertEquals(true, e.getMessage().contains("300"), e.getMessage());
    }
}
