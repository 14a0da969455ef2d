package dev.squall.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.tokenizer.TestVocabularies.SpmVocab;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** SentencePiece BPE on small vocabularies with hand-chosen scores. */
class SentencePieceTokenizerTest {

    /** {@code <unk> <s> </s>}, the byte tokens, single letters, ▁ and a few scored pieces. */
    private static SpmVocab letters() {
        SpmVocab v = new SpmVocab().withByteTokens();
        for (String c : new String[] {" ", "a", "b", "c", "h", "i"}) {
            v.piece(c, -100);
        }
        return v;
    }

    private static final SpmVocab HI = letters().piece(" h", -2).piece(" hi", -3);
    private static final Tokenizer HI_PREFIXED = Tokenizers.create(HI.build(true));

    @Test
    void theHighestScoringPairMergesFirst() {
        SpmVocab v = letters().piece("ab", -2).piece("bc", -1);
        assertArrayEquals(new int[] {v.id("a"), v.id("bc")}, Tokenizers.create(v.build(false)).encode("abc", false, false));
    }

    @Test
    void swappingScoresSwapsTheMerge() {
        SpmVocab v = letters().piece("ab", -1).piece("bc", -2);
        assertArrayEquals(new int[] {v.id("ab"), v.id("c")}, Tokenizers.create(v.build(false)).encode("abc", false, false));
    }

    @Test
    void equalScoresMergeLeftmostFirst() {
        SpmVocab v = letters().piece("ab", -1).piece("bc", -1);
        assertArrayEquals(new int[] {v.id("ab"), v.id("c")}, Tokenizers.create(v.build(false)).encode("abc", false, false));
    }

    @Test
    void anyAdjacentPairWhoseConcatenationIsAPieceCanMerge() {
        SpmVocab v = letters().piece("bc", -1).piece("abc", -2);
        assertArrayEquals(new int[] {v.id("abc")}, Tokenizers.create(v.build(false)).encode("abc", false, false));
    }

    @Test
    void aCharacterThatIsNotAPieceFallsBackToItsByteTokens() {
        SpmVocab v = letters();
        int[] expected = {v.id("a"), v.byteId(0xC3), v.byteId(0xA9)};
        assertArrayEquals(expected, Tokenizers.create(v.build(false)).encode("aé", false, false));
    }

    @Test
    void withoutByteTokensAnUnknownCharacterBecomesOneUnknownToken() {
        SpmVocab v = new SpmVocab().piece("a", -1);
        assertArrayEquals(new int[] {v.id("a"), 0, v.id("a")}, Tokenizers.create(v.build(false)).encode("aéa", false, false));
    }

    @Test
    void aSpacePrefixStartsTheText() {
        assertArrayEquals(new int[] {HI.id(" hi")}, HI_PREFIXED.encode("hi", false, false));
    }

    @Test
    void withoutTheSpacePrefixFlagTheTextStartsAsIs() {
        Tokenizer t = Tokenizers.create(HI.build(false));
        assertArrayEquals(new int[] {HI.id("h"), HI.id("i")}, t.encode("hi", false, false));
    }

    @Test
    void aParsedSpecialTokenIsFollowedByASpacePrefix() {
        assertArrayEquals(new int[] {1, HI.id(" hi"), 2, HI.id(" hi")}, HI_PREFIXED.encode("<s>hi</s>hi", false, true));
    }

    @Test
    void anUnparsedSpecialTokenIsPlainText() {
        int[] ids = HI_PREFIXED.encode("<s>hi", false, false);
        assertFalse(Arrays.stream(ids).anyMatch(id -> id == 1), Arrays.toString(ids));
        assertEquals("<s>hi", HI_PREFIXED.decode(ids, false));
    }

    @Test
    void spacesBecomeTheSpaceMarkAndOtherWhitespaceStaysBytes() {
        SpmVocab v = letters().piece(" b", -1);
        int[] expected = {v.id("a"), v.id(" b"), v.byteId('\t'), v.id("c")};
        assertArrayEquals(expected, Tokenizers.create(v.build(false)).encode("a b\tc", false, false));
    }

    @Test
    void addSpecialAddsBosByDefault() {
        assertArrayEquals(new int[] {1, HI.id(" hi")}, HI_PREFIXED.encode("hi", true, false));
    }

    @Test
    void addSpecialAddsEosWhenTheVocabularySaysSo() {
        Tokenizer t = Tokenizers.create(TestVocabularies.withFlags(HI.build(true), true, true, true));
        assertArrayEquals(new int[] {1, HI.id(" hi"), 2}, t.encode("hi", true, false));
    }

    @Test
    void emptyTextWithSpecialsIsJustBos() {
        assertArrayEquals(new int[] {1}, HI_PREFIXED.encode("", true, false));
        assertArrayEquals(new int[0], HI_PREFIXED.encode("", false, false));
    }

    @Test
    void decodingDropsTheSpacePrefix() {
        assertEquals("hi hi", HI_PREFIXED.decode(new int[] {HI.id(" hi"), HI.id(" hi")}, false));
    }

    @Test
    void decodingAfterBosKeepsTheSpaceAsLlamaCppDetokenizeDoes() {
        int[] ids = {1, HI.id(" hi")};
        assertEquals(" hi", HI_PREFIXED.decode(ids, false));
        assertEquals("<s> hi", HI_PREFIXED.decode(ids, true));
    }

    @Test
    void decodeReplacesEachMaximalIllFormedSubpart() {
        // regression (tokenizer parity, Mistral vocabulary): <0xED> <0xA1> before a character is two
        // subparts, as llama-ref and Python decode it; Java's decoder made one U+FFFD of them
        int[] ids = {HI.byteId(0xED), HI.byteId(0xA1), HI.id("a")};
        assertEquals("\uFFFD\uFFFDa", Tokenizers.create(HI.build(false)).decode(ids, false));
    }

    @Test
    void byteTokensContributeTheirByte() {
        assertArrayEquals(new byte[] {'\n'}, HI_PREFIXED.tokenBytes(HI.byteId('\n')));
    }

    @Test
    void piecesContributeSpacesForTheSpaceMark() {
        assertArrayEquals(" hi".getBytes(StandardCharsets.UTF_8), HI_PREFIXED.tokenBytes(HI.id(" hi")));
    }

    @Test
    void theUnknownTokenIsRenderedOnlyWhenAsked() {
        assertArrayEquals(new byte[0], HI_PREFIXED.tokenBytes(0));
        assertArrayEquals("<unk>".getBytes(StandardCharsets.UTF_8), HI_PREFIXED.tokenBytes(0, true));
    }

    @Test
    void eosEndsGenerationAndBosDoesNot() {
        assertTrue(HI_PREFIXED.isEndOfGeneration(2));
        assertFalse(HI_PREFIXED.isEndOfGeneration(1));
    }

    @Test
    void decodeInvertsEncodeOnArbitraryText() {
        Tokenizer t = Tokenizers.create(SampleVocabulary.generate(4096, 3));
        RandomText random = new RandomText(11);
        for (int i = 0; i < 400; i++) {
            String text = random.next(12);
            assertEquals(text, t.decode(t.encode(text, false, false), false),
                    () -> "text " + ByteLevelBpeTokenizerTest.escape(text));
        }
    }
}
