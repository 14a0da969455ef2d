package dev.squall.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The GGUF defaults {@link Vocabulary.Builder} applies and the checks the record makes. */
class VocabularyTest {

    private static String[] tokens(int n) {
        String[] tokens = new String[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = "t" + i;
        }
        return tokens;
    }

    @Test
    void sentencePieceDefaultsAreLlama2s() {
        Vocabulary v = Vocabulary.builder("llama", tokens(20)).build();
        assertEquals(1, v.bos());
        assertEquals(2, v.eos());
        assertEquals(0, v.unk());
        assertEquals(-1, v.pad());
        assertTrue(v.addBos());
        assertFalse(v.addEos());
        assertTrue(v.addSpacePrefix());
    }

    @Test
    void byteLevelDefaultsAddNoBosAndNoSpacePrefix() {
        Vocabulary v = Vocabulary.builder("gpt2", tokens(20)).pre("qwen2").build();
        assertEquals(11, v.bos());
        assertEquals(11, v.eos());
        assertEquals(-1, v.unk());
        assertFalse(v.addBos());
        assertFalse(v.addSpacePrefix());
    }

    @Test
    void llama3PreTokenizersAddBosByDefault() {
        assertTrue(Vocabulary.builder("gpt2", tokens(20)).pre("llama-bpe").build().addBos());
    }

    @Test
    void keysFromTheFileOverrideDefaults() {
        Vocabulary v = Vocabulary.builder("llama", tokens(20)).bos(5).eos(6).addBos(false).addSpacePrefix(false).build();
        assertEquals(5, v.bos());
        assertEquals(6, v.eos());
        assertFalse(v.addBos());
        assertFalse(v.addSpacePrefix());
    }

    @Test
    void anOutOfRangeIdFromTheFileKeepsTheDefaultAsLlamaCppDoes() {
        assertEquals(2, Vocabulary.builder("llama", tokens(20)).eos(999).build().eos());
    }

    @Test
    void aDefaultIdOutsideTheVocabularyMeansNone() {
        assertEquals(-1, Vocabulary.builder("gpt2", tokens(5)).pre("qwen2").build().bos());
    }

    @Test
    void addingBosWithoutABosTokenIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Vocabulary.builder("gpt2", tokens(5)).pre("qwen2").addBos(true).build());
        assertTrue(e.getMessage().contains("tokenizer.ggml.add_bos_token"), e.getMessage());
    }

    @Test
    void tooFewScoresAreRejectedNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Vocabulary.builder("llama", tokens(5)).scores(new float[3]).build());
        assertTrue(e.getMessage().contains("tokenizer.ggml.scores"), e.getMessage());
    }

    @Test
    void anUnknownModelIsRejectedNamingTheValueAndTheSupportedOnes() {
        Vocabulary v = Vocabulary.builder("xyz", tokens(5)).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.create(v));
        assertTrue(e.getMessage().contains("tokenizer.ggml.model = \"xyz\""), e.getMessage());
        assertTrue(e.getMessage().contains("\"llama\"") && e.getMessage().contains("\"gpt2\""), e.getMessage());
    }

    @Test
    void duplicateTokenStringsAreRejectedNamingTheToken() {
        Vocabulary v = Vocabulary.builder("llama", new String[] {"<unk>", "<s>", "</s>", "a", "a"}).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.create(v));
        assertTrue(e.getMessage().contains("\"a\" twice"), e.getMessage());
    }

    @Test
    void anEmptyTokenStringIsRenamedAsLlamaCppDoes() {
        Vocabulary v = Vocabulary.builder("llama", new String[] {"<unk>", "<s>", "</s>", ""}).build();
        assertEquals("[EMPTY_3]", Tokenizers.create(v).tokenText(3));
    }
}
