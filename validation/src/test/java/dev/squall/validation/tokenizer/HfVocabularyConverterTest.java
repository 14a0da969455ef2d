package dev.squall.validation.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.squall.tokenizer.TokenType;
import dev.squall.tokenizer.Vocabulary;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The converter on two hand-made tokenizers: {@code bytelevel/} (Llama 3 style: 8 model tokens, added
 * tokens 8..12 and 14, id 13 unused, a {@code config.json} with vocab_size 15) and
 * {@code sentencepiece/} (Llama 2 style: 12 model tokens with byte tokens, added tokens 12 and 13
 * above them, no {@code config.json}).
 */
class HfVocabularyConverterTest {

    private static final int N = TokenType.NORMAL, C = TokenType.CONTROL, U = TokenType.USER_DEFINED, B = TokenType.BYTE,
            X = TokenType.UNUSED;

    private static HfTokenizerFiles fixture(String folder) {
        try {
            return HfTokenizerFiles.read(Path.of(HfVocabularyConverterTest.class.getResource(folder).toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HfTokenizerFiles byteLevel() {
        return fixture("bytelevel");
    }

    private static HfTokenizerFiles sentencePiece() {
        return fixture("sentencepiece");
    }

    /** The files with {@code tokenizer.json} edited. */
    private static HfTokenizerFiles editTokenizer(HfTokenizerFiles f, Consumer<ObjectNode> edit) {
        ObjectNode copy = f.tokenizer().deepCopy();
        edit.accept(copy);
        return new HfTokenizerFiles(f.source(), copy, f.tokenizerConfig(), f.config());
    }

    /** The files with {@code tokenizer_config.json} edited. */
    private static HfTokenizerFiles editConfig(HfTokenizerFiles f, Consumer<ObjectNode> edit) {
        ObjectNode copy = f.tokenizerConfig().deepCopy();
        edit.accept(copy);
        return new HfTokenizerFiles(f.source(), f.tokenizer(), copy, f.config());
    }

    @Test
    void byteLevelKeepsEveryIdAndPadsAGapWithAnUnusedToken() {
        Vocabulary v = HfVocabularyConverter.convert(byteLevel());
        assertEquals(Vocabulary.MODEL_BYTE_LEVEL_BPE, v.model());
        assertArrayEquals(new String[] {"a", "b", "c", "Ġ", "ab", "Ġa", "abc", "Ġab", "<|begin_of_text|>", "<|end_of_text|>",
                "<|fim_prefix|>", "<think>", " user ", "[PAD13]", "<unused0>"}, v.tokens());
        assertEquals(X, v.tokenType(13));
    }

    @Test
    void byteLevelTypesAddedTokensByTheirSpecialFlagOrLook() {
        Vocabulary v = HfVocabularyConverter.convert(byteLevel());
        assertArrayEquals(new int[] {N, N, N, N, N, N, N, N, C, C, C, U, U, X, C}, v.tokenTypes(),
                "special → CONTROL; <|fim_prefix|> and <unused0> look special → CONTROL; <think>, ▁user▁ → USER_DEFINED");
    }

    @Test
    void aUserDefinedTokensSpaceMarksBecomeSpaces() {
        assertEquals(" user ", HfVocabularyConverter.convert(byteLevel()).tokens()[12]);
    }

    @Test
    void theModelConfigsVocabSizePadsTheEnd() {
        Vocabulary v = HfVocabularyConverter.convert(byteLevel().withConfig(HfTokenizerFiles.json("{\"vocab_size\": 17}")));
        assertEquals(17, v.size());
        assertEquals("[PAD16]", v.tokens()[16]);
        assertEquals(X, v.tokenType(15));
    }

    @Test
    void aVocabSizeBelowTheHighestIdIsRejected() {
        HfTokenizerFiles f = byteLevel().withConfig(HfTokenizerFiles.json("{\"vocab_size\": 10}"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HfVocabularyConverter.convert(f));
        assertTrue(e.getMessage().contains("14") && e.getMessage().contains("vocab_size 10"), e.getMessage());
    }

    @Test
    void withoutAVocabSizeAGapInTheIdsIsRejectedAsTheConverterAssertsIt() {
        HfTokenizerFiles f = byteLevel().withConfig(null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HfVocabularyConverter.convert(f));
        assertTrue(e.getMessage().contains("token id 14 is not below the number of tokens"), e.getMessage());
    }

    @Test
    void byteLevelTakesTheMergesAsTheyAre() {
        assertArrayEquals(new String[] {"a b", "Ġ a", "ab c", "Ġa b"}, HfVocabularyConverter.convert(byteLevel()).merges());
    }

    @Test
    void mergesStoredAsPairsAreJoinedWithASpaceAndTheirOwnSpacesWrittenAsG() {
        HfTokenizerFiles f = editTokenizer(byteLevel(), t -> {
            ArrayNode merges = ((ObjectNode) t.get("model")).putArray("merges");
            merges.addArray().add("a").add("b");
            merges.addArray().add("x y").add("z");
        });
        assertArrayEquals(new String[] {"a b", "xĠy z"}, HfVocabularyConverter.convert(f).merges());
    }

    @Test
    void thePreTokenizerIsNamedByItsSplitRegex() {
        assertEquals("llama-bpe", HfVocabularyConverter.convert(byteLevel()).pre());
        HfTokenizerFiles qwen = editTokenizer(byteLevel(), t -> ((ObjectNode) t.at("/pre_tokenizer/pretokenizers/0/pattern"))
                .put("Regex", HfVocabularyConverter.QWEN2_REGEX));
        assertEquals("qwen2", HfVocabularyConverter.convert(qwen).pre());
    }

    @Test
    void anUnknownSplitRegexIsRejectedAndNamed() {
        HfTokenizerFiles f = editTokenizer(byteLevel(), t -> ((ObjectNode) t.at("/pre_tokenizer/pretokenizers/0/pattern")).put("Regex", "\\w+"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HfVocabularyConverter.convert(f));
        assertTrue(e.getMessage().contains("\\w+"), e.getMessage());
    }

    @Test
    void specialIdsComeFromTheTokenizerConfigByContent() {
        Vocabulary v = HfVocabularyConverter.convert(byteLevel());
        assertEquals(8, v.bos(), "bos_token as a string");
        assertEquals(9, v.eos(), "eos_token as an AddedToken object");
        assertEquals(-1, v.pad());
    }

    @Test
    void theModelConfigFillsMissingIdsButOverridesNone() {
        HfTokenizerFiles f = byteLevel().withConfig(HfTokenizerFiles.json("{\"vocab_size\": 15, \"bos_token_id\": 0, \"pad_token_id\": 9}"));
        Vocabulary v = HfVocabularyConverter.convert(f);
        assertEquals(8, v.bos());
        assertEquals(9, v.pad());
    }

    @Test
    void addBosIsLeftToLlamaCppsDefaultUnlessTheConfigSaysSo() {
        assertTrue(HfVocabularyConverter.convert(byteLevel()).addBos(), "llama-bpe adds BOS by default");
        assertFalse(HfVocabularyConverter.convert(editConfig(byteLevel(), c -> c.put("add_bos_token", false))).addBos());
    }

    @Test
    void theChatTemplateIsCopied() {
        assertEquals("{% for m in messages %}{{ m['content'] }}{% endfor %}", HfVocabularyConverter.convert(byteLevel()).chatTemplate());
    }

    @Test
    void aListOfChatTemplatesGivesTheDefaultOne() {
        HfTokenizerFiles f = editConfig(byteLevel(), c -> {
            ArrayNode list = c.putArray("chat_template");
            list.addObject().put("name", "tool_use").put("template", "T");
            list.addObject().put("name", "default").put("template", "D");
        });
        assertEquals("D", HfVocabularyConverter.convert(f).chatTemplate());
    }

    @Test
    void aTrailingSpecialTokenInTheTemplateBecomesEosAndTheOldEosEot() {
        HfTokenizerFiles f = editTokenizer(byteLevel(), t -> {
            ObjectNode p = t.putObject("post_processor").put("type", "TemplateProcessing");
            ArrayNode single = p.putArray("single");
            single.addObject().putObject("SpecialToken").put("id", "<|begin_of_text|>");
            single.addObject().putObject("Sequence").put("id", "A");
            single.addObject().putObject("SpecialToken").put("id", "<|fim_prefix|>");
        });
        Vocabulary v = HfVocabularyConverter.convert(f);
        assertEquals(10, v.eos());
        assertEquals(9, v.eot());
        assertTrue(v.addBos());
        assertTrue(v.addEos());
    }

    @Test
    void sentencePieceIsConvertedFromTokenizerJsonWithAddedTokensAppended() {
        Vocabulary v = HfVocabularyConverter.convert(sentencePiece());
        assertEquals(Vocabulary.MODEL_SPM, v.model());
        assertEquals("default", v.pre());
        assertArrayEquals(new String[] {"<unk>", "<s>", "</s>", "<0x00>", "<0x0A>", "▁", "a", "b", "▁a", "ab", "▁ab", "▁▁",
                "<extra>", "[TOOL]"}, v.tokens());
        assertNull(v.merges());
    }

    @Test
    void sentencePieceTypesSpecialTokensControlEvenTheUnknownOne() {
        assertArrayEquals(new int[] {C, C, C, B, B, N, N, N, N, N, N, N, U, C}, HfVocabularyConverter.convert(sentencePiece()).tokenTypes(),
                "<unk> <s> </s> and [TOOL] (additional_special_tokens) CONTROL; <0xNN> BYTE; <extra> USER_DEFINED");
    }

    @Test
    void sentencePieceScoresAreAllTheConvertersPlaceholder() {
        float[] scores = HfVocabularyConverter.convert(sentencePiece()).scores();
        float[] expected = new float[14];
        Arrays.fill(expected, -1000f);
        assertArrayEquals(expected, scores);
    }

    @Test
    void sentencePieceTakesIdsFlagsAndSpacePrefixFromTheConfigs() {
        Vocabulary v = HfVocabularyConverter.convert(sentencePiece());
        assertEquals(1, v.bos());
        assertEquals(2, v.eos());
        assertEquals(0, v.unk());
        assertTrue(v.addBos());
        assertFalse(v.addEos());
        assertFalse(v.addSpacePrefix(), "add_prefix_space: false");
        assertTrue(HfVocabularyConverter.convert(editConfig(sentencePiece(), c -> c.remove("add_prefix_space"))).addSpacePrefix(),
                "llama.cpp's default when the key is absent");
    }

    @Test
    void mergeRankScoresOrderNormalTokensByTheirFirstMerge() {
        HfTokenizerFiles f = sentencePiece();
        Vocabulary v = HfVocabularyConverter.withMergeRankScores(HfVocabularyConverter.convert(f), f);
        // ▁a rank 0, ab 1, ▁ab 2, ▁▁ 3; ▁ a b are no merge's result: after all 4 merges, by id
        assertArrayEquals(new float[] {-1000, -1000, -1000, 0, 0, -9, -10, -11, 0, -1, -2, -3, -1000, -1000}, v.scores());
    }

    @Test
    void mergeRankScoresAreOnlyForSentencePiece() {
        HfTokenizerFiles f = byteLevel();
        assertThrows(IllegalArgumentException.class, () -> HfVocabularyConverter.withMergeRankScores(HfVocabularyConverter.convert(f), f));
    }

    @Test
    void aModelOtherThanBpeIsRejectedAndNamed() {
        HfTokenizerFiles f = editTokenizer(byteLevel(), t -> ((ObjectNode) t.get("model")).put("type", "Unigram"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HfVocabularyConverter.convert(f));
        assertTrue(e.getMessage().contains("\"Unigram\""), e.getMessage());
    }
}
