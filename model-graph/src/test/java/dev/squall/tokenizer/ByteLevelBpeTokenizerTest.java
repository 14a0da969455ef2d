package dev.squall.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.tokenizer.TestVocabularies.ByteLevelVocab;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Byte-level BPE on small vocabularies whose byte tokens have id = byte value, so that expected
 * ids can be read off the text.
 */
class ByteLevelBpeTokenizerTest {

    private static final ByteLevelVocab WORDS = TestVocabularies.byteLevelWords();
    private static final Tokenizer QWEN = Tokenizers.create(WORDS.build("qwen2"));
    private static final Tokenizer LLAMA3 = Tokenizers.create(WORDS.build("llama-bpe"));

    private static int[] bytesOf(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = bytes[i] & 0xFF;
        }
        return ids;
    }

    @Test
    void theLowestRankedMergeAppliesFirst() {
        ByteLevelVocab v = new ByteLevelVocab().merge("b", "c").merge("a", "b");
        assertArrayEquals(new int[] {'a', v.id("bc")}, Tokenizers.create(v.build("qwen2")).encode("abc", false, false));
    }

    @Test
    void reversingTheRanksReversesTheMergeOrder() {
        ByteLevelVocab v = new ByteLevelVocab().merge("a", "b").merge("b", "c");
        assertArrayEquals(new int[] {v.id("ab"), 'c'}, Tokenizers.create(v.build("qwen2")).encode("abc", false, false));
    }

    @Test
    void equalRanksMergeLeftmostFirst() {
        ByteLevelVocab v = new ByteLevelVocab().merge("a", "a");
        assertArrayEquals(new int[] {v.id("aa"), 'a'}, Tokenizers.create(v.build("qwen2")).encode("aaa", false, false));
    }

    @Test
    void mergedSymbolsKeepMergingIntoLongerTokens() {
        assertArrayEquals(new int[] {WORDS.id("hello")}, QWEN.encode("hello", false, false));
    }

    @Test
    void mergesNeverCrossPreTokenizerWords() {
        assertArrayEquals(new int[] {WORDS.id("hello"), WORDS.id(" world")}, QWEN.encode("hello world", false, false));
    }

    @Test
    void llama3EmitsAWordThatIsATokenWithoutMerging() {
        ByteLevelVocab v = new ByteLevelVocab().token("abc");
        assertArrayEquals(new int[] {v.id("abc")}, Tokenizers.create(v.build("llama-bpe")).encode("abc", false, false));
    }

    @Test
    void withoutIgnoreMergesAWordThatIsATokenStillNeedsMerges() {
        ByteLevelVocab v = new ByteLevelVocab().token("abc");
        assertArrayEquals(new int[] {'a', 'b', 'c'}, Tokenizers.create(v.build("dbrx")).encode("abc", false, false));
    }

    @Test
    void aMergeWhoseResultIsNotATokenFallsBackToItsCharacters() {
        ByteLevelVocab v = new ByteLevelVocab().mergeOnly("x", "y");
        assertArrayEquals(new int[] {'x', 'y'}, Tokenizers.create(v.build("qwen2")).encode("xy", false, false));
    }

    @Test
    void bytesWithoutMergesAreTheirByteTokens() {
        assertArrayEquals(bytesOf("ß€"), QWEN.encode("ß€", false, false));
    }

    @Test
    void parsedSpecialTokensReplaceTheirText() {
        int[] expected = {WORDS.id("<|im_start|>"), WORDS.id("hello"), WORDS.id("<|im_end|>")};
        assertArrayEquals(expected, QWEN.encode("<|im_start|>hello<|im_end|>", false, true));
    }

    @Test
    void unparsedControlTokensAreTokenizedAsText() {
        assertArrayEquals(bytesOf("<|im_end|>"), QWEN.encode("<|im_end|>", false, false));
    }

    @Test
    void userDefinedTokensAreMatchedEvenWhenSpecialsAreNotParsed() {
        assertArrayEquals(new int[] {'x', WORDS.id("<tool_call>"), 'y'}, QWEN.encode("x<tool_call>y", false, false));
    }

    @Test
    void longerSpecialTokensAreMatchedFirst() {
        ByteLevelVocab v = new ByteLevelVocab()
                .special("<x>", TokenType.CONTROL)
                .special("<y>", TokenType.CONTROL)
                .special("<x><y>", TokenType.CONTROL);
        int[] ids = Tokenizers.create(v.build("qwen2")).encode("<x><y><x>", false, true);
        assertArrayEquals(new int[] {v.id("<x><y>"), v.id("<x>")}, ids);
    }

    @Test
    void addSpecialAddsBosAndEosWhenTheVocabularySaysSo() {
        Tokenizer t = Tokenizers.create(TestVocabularies.withFlags(WORDS.build("qwen2"), true, true, false));
        int[] expected = {WORDS.id("<|endoftext|>"), WORDS.id("hello"), WORDS.id("<|im_end|>")};
        assertArrayEquals(expected, t.encode("hello", true, false));
    }

    @Test
    void addSpecialAddsNothingWhenTheVocabularyAddsNeither() {
        assertArrayEquals(new int[] {WORDS.id("hello")}, QWEN.encode("hello", true, false));
    }

    @Test
    void llama3AddsBosByDefault() {
        assertArrayEquals(new int[] {WORDS.id("<|endoftext|>"), WORDS.id("hello")}, LLAMA3.encode("hello", true, false));
    }

    @Test
    void endOfGenerationCoversEosAndTokensRecognizedByName() {
        assertTrue(QWEN.isEndOfGeneration(WORDS.id("<|im_end|>")));
        assertTrue(QWEN.isEndOfGeneration(WORDS.id("<|endoftext|>")));
        assertFalse(QWEN.isEndOfGeneration(WORDS.id("<|im_start|>")));
        assertFalse(QWEN.isEndOfGeneration(WORDS.id("hello")));
    }

    @Test
    void controlTokensAreRecognized() {
        assertTrue(QWEN.isControl(WORDS.id("<|im_start|>")));
        assertFalse(QWEN.isControl(WORDS.id("<tool_call>")));
        assertFalse(QWEN.isControl(WORDS.id("hello")));
    }

    @Test
    void aNormalTokenNamedLikeAnEndOfGenerationTokenBecomesControl() {
        ByteLevelVocab v = new ByteLevelVocab().special("<|eot_id|>", TokenType.NORMAL);
        Tokenizer t = Tokenizers.create(v.build("llama-bpe"));
        assertTrue(t.isControl(v.id("<|eot_id|>")));
        assertTrue(t.isEndOfGeneration(v.id("<|eot_id|>")));
    }

    @Test
    void tokenBytesDecodeTheByteCharacters() {
        assertArrayEquals(" world".getBytes(StandardCharsets.UTF_8), QWEN.tokenBytes(WORDS.id(" world")));
    }

    @Test
    void controlTokensContributeNothingUnlessRendered() {
        int id = WORDS.id("<|im_end|>");
        assertArrayEquals(new byte[0], QWEN.tokenBytes(id));
        assertArrayEquals("<|im_end|>".getBytes(StandardCharsets.UTF_8), QWEN.tokenBytes(id, true));
    }

    @Test
    void userDefinedTokensAlwaysContributeTheirText() {
        assertArrayEquals("<tool_call>".getBytes(StandardCharsets.UTF_8), QWEN.tokenBytes(WORDS.id("<tool_call>")));
    }

    @Test
    void llama3DecodingRemovesSpacesBeforePunctuationAsLlamaCppDoes() {
        int[] ids = {WORDS.id("hello"), ' ', '.', ' ', ',', ' ', '!'};
        assertEquals("hello.,!", LLAMA3.decode(ids, false));
    }

    @Test
    void llama3DecodingJoinsContractionsSelectively() {
        assertEquals("it's a're a 'll a 't", LLAMA3.decode(bytesOf("it 's a 're a 'll a 't"), false));
    }

    @Test
    void llama3DecodingDropsSpacesAroundALoneApostrophe() {
        assertEquals("rock'n'roll", LLAMA3.decode(bytesOf("rock ' n ' roll"), false));
    }

    @Test
    void qwenDecodingKeepsSpacesBeforePunctuation() {
        assertEquals("hello .", QWEN.decode(bytesOf("hello ."), false));
    }

    @Test
    void decodingRendersControlTokensOnlyWhenAsked() {
        int[] ids = {WORDS.id("<|im_start|>"), WORDS.id("hello")};
        assertEquals("hello", QWEN.decode(ids, false));
        assertEquals("<|im_start|>hello", QWEN.decode(ids, true));
    }

    @Test
    void decodeInvertsEncodeOnArbitraryText() {
        RandomText random = new RandomText(7);
        for (int i = 0; i < 400; i++) {
            String text = random.next(12);
            assertEquals(text, QWEN.decode(QWEN.encode(text, false, false), false), () -> "text " + escape(text));
        }
    }

    @Test
    void llama3PiecesConcatenateBackToArbitraryText() {
        RandomText random = new RandomText(8);
        for (int i = 0; i < 400; i++) {
            String text = random.next(12);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int id : LLAMA3.encode(text, false, false)) {
                out.writeBytes(LLAMA3.tokenBytes(id));
            }
            assertEquals(text, out.toString(StandardCharsets.UTF_8), () -> "text " + escape(text));
        }
    }

    @Test
    void tokenIdFindsExactTokenStrings() {
        assertEquals(WORDS.id("<|im_end|>"), QWEN.tokenId("<|im_end|>").orElseThrow());
        assertEquals(WORDS.id(" world"), QWEN.tokenId("Ġworld").orElseThrow());
        assertTrue(QWEN.tokenId(" world").isEmpty());
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void aVeryLongWordTokenizesWithoutQuadraticCost() {
        String word = "ab".repeat(100_000);
        ByteLevelVocab v = new ByteLevelVocab().merge("a", "b").merge("ab", "ab");
        int[] ids = Tokenizers.create(v.build("qwen2")).encode(word, false, false);
        assertEquals(50_000, ids.length);
    }

    @Test
    void anUnsupportedPreTokenizerIsRejectedByName() {
        Vocabulary v = WORDS.build("xyz-pre");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.create(v));
        assertTrue(e.getMessage().contains("tokenizer.ggml.pre = \"xyz-pre\""), e.getMessage());
        assertTrue(e.getMessage().contains("llama-bpe") && e.getMessage().contains("qwen2"), e.getMessage());
    }

    @Test
    void aByteLevelVocabularyWithoutMergesIsRejected() {
        Vocabulary v = Vocabulary.builder("gpt2", new String[] {"a", "b"}).pre("qwen2").build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.create(v));
        assertTrue(e.getMessage().contains("tokenizer.ggml.merges"), e.getMessage());
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder();
        s.codePoints().forEach(cp -> out.append(cp >= 0x20 && cp < 0x7F ? String.valueOf((char) cp)
                : String.format("\\u{%X}", cp)));
        return out.toString();
    }
}
