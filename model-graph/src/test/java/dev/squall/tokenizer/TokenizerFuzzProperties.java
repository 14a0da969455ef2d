package dev.squall.tokenizer;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.fuzz.FuzzReport;
import dev.squall.fuzz.TokenizerFuzz;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The short tokenizer fuzz run of {@code mvn verify}, on a SentencePiece vocabulary with byte
 * fallback and a byte-level BPE one; the long run (with Llama 3, Qwen 3 and Llama 2's vocabularies)
 * is {@code ./squall fuzz --target tokenizer}.
 */
class TokenizerFuzzProperties {

    private static final TokenizerFuzz SENTENCE_PIECE = new TokenizerFuzz(Tokenizers.create(SampleVocabulary.generate(1024, 5)),
            (text, decoded) -> text.indexOf('\u2581') >= 0 && text.replace('\u2581', ' ').equals(decoded));
    private static final TokenizerFuzz BYTE_LEVEL = new TokenizerFuzz(Tokenizers.create(TestVocabularies.byteLevelWords().build("qwen2")),
            (text, decoded) -> false);

    @Property(tries = 1500)
    void encodeNeverThrowsAndRoundTripsOnSentencePiece(@ForAll long seed, @ForAll @IntRange(min = 0, max = 5) int generator) {
        Random r = new Random(seed);
        String text = SENTENCE_PIECE.text(TokenizerFuzz.Generator.values()[generator], r);
        assertNull(SENTENCE_PIECE.checkText(text), TokenizerFuzzPropertiesHelp.show(text));
    }

    @Property(tries = 1500)
    void encodeNeverThrowsAndRoundTripsOnByteLevelBpe(@ForAll long seed, @ForAll @IntRange(min = 0, max = 5) int generator) {
        Random r = new Random(seed);
        String text = BYTE_LEVEL.text(TokenizerFuzz.Generator.values()[generator], r);
        assertNull(BYTE_LEVEL.checkText(text), TokenizerFuzzPropertiesHelp.show(text));
    }

    @Property(tries = 1000)
    void theStreamingDecoderNeverEmitsInvalidUtf8(@ForAll long seed, @ForAll boolean renderSpecial) {
        Random r = new Random(seed);
        for (TokenizerFuzz f : new TokenizerFuzz[] {SENTENCE_PIECE, BYTE_LEVEL}) {
            int vocab = f == SENTENCE_PIECE ? 1024 : 256;
            int[] ids = new int[1 + r.nextInt(48)];
            for (int i = 0; i < ids.length; i++) ids[i] = r.nextInt(vocab);
            assertNull(f.checkIds(ids, renderSpecial), java.util.Arrays.toString(ids));
        }
    }

    @Property(tries = 1)
    void bothVocabulariesAreCheckedForRoundTripsAndARunIsClean() {
        assertTrue(SENTENCE_PIECE.checksRoundTrips() && BYTE_LEVEL.checksRoundTrips());
        FuzzReport r = SENTENCE_PIECE.run("tokenizer", 1000, 3, null);
        assertTrue(r.clean() && r.inputs() == 1000 && r.accepted() == 1000, r.summary() + " " + r.findings());
    }
}

final class TokenizerFuzzPropertiesHelp {
    private TokenizerFuzzPropertiesHelp() {}

    static String show(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(200).forEach(c -> b.append(c >= 0x20 && c < 0x7F ? Character.toString(c) : String.format("\\u{%x}", c)));
        return b.toString();
    }
}
