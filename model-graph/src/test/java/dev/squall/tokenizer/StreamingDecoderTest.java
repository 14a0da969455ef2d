package dev.squall.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Streaming decoding over a SentencePiece vocabulary whose byte tokens spell any UTF-8 sequence. */
class StreamingDecoderTest {

    private static final Vocabulary SAMPLE = SampleVocabulary.generate(4096, 1);
    private static final Tokenizer TOKENIZER = Tokenizers.create(SAMPLE);

    private static int byteToken(int b) {
        return TOKENIZER.tokenId(String.format("<0x%02X>", b)).orElseThrow();
    }

    @Test
    void anEmojiSplitOverByteTokensAppearsWhenItsLastByteArrives() {
        StreamingDecoder decoder = TOKENIZER.streamingDecoder();
        List<String> outputs = new java.util.ArrayList<>();
        for (byte b : "😀".getBytes(StandardCharsets.UTF_8)) {
            outputs.add(decoder.push(byteToken(b & 0xFF)));
        }
        assertEquals(List.of("", "", "", "😀"), outputs);
        assertEquals("", decoder.flush());
    }

    @Test
    void streamedTextEqualsDecodingTheWholeSequence() {
        Tokenizer unprefixed = Tokenizers.create(TestVocabularies.withFlags(SAMPLE, true, false, false));
        String text = "Grüße 👨‍👩‍👧 中文 x\n";
        int[] ids = unprefixed.encode(text, false, false);
        StreamingDecoder decoder = unprefixed.streamingDecoder();
        StringBuilder streamed = new StringBuilder();
        for (int id : ids) {
            streamed.append(decoder.push(id));
        }
        streamed.append(decoder.flush());
        assertEquals(unprefixed.decode(ids, false), streamed.toString());
        assertEquals(text, streamed.toString());
    }

    @Test
    void anIncompleteSequenceAtTheEndFlushesAsOneReplacementCharacter() {
        StreamingDecoder decoder = TOKENIZER.streamingDecoder();
        assertEquals("", decoder.push(byteToken(0xF0)));
        assertEquals("", decoder.push(byteToken(0x9F)));
        assertEquals("\uFFFD", decoder.flush());
    }

    @Test
    void anImpossibleByteIsReplacedAtOnce() {
        StreamingDecoder decoder = TOKENIZER.streamingDecoder();
        assertEquals("a\uFFFD", decoder.push(byteToken('a')) + decoder.push(byteToken(0xFF)));
    }

    @Test
    void anEncodedSurrogateStreamsAsOneReplacementPerByte() {
        // regression: llama.cpp's bytes ED A1 then a CJK token; Java's decoder gave one U+FFFD
        StreamingDecoder decoder = TOKENIZER.streamingDecoder();
        String streamed = decoder.push(byteToken(0xED)) + decoder.push(byteToken(0xA1)) + decoder.push(byteToken('x'))
                + decoder.flush();
        assertEquals("\uFFFD\uFFFDx", streamed);
    }

    @Test
    void controlTokensStreamOnlyWhenRendered() {
        assertEquals("", TOKENIZER.streamingDecoder().push(SAMPLE.bos()));
        assertEquals("<s>", TOKENIZER.streamingDecoder(true).push(SAMPLE.bos()));
    }

    @Test
    void anySequenceOfTokensStreamsToItsBytesDecodedAtOnce() {
        Random random = new Random(3);
        for (int trial = 0; trial < 300; trial++) {
            StreamingDecoder decoder = TOKENIZER.streamingDecoder();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            StringBuilder streamed = new StringBuilder();
            int n = 1 + random.nextInt(12);
            for (int i = 0; i < n; i++) {
                int id = random.nextBoolean() ? 3 + random.nextInt(256) : random.nextInt(SAMPLE.size());
                all.writeBytes(TOKENIZER.tokenBytes(id));
                streamed.append(decoder.push(id));
            }
            streamed.append(decoder.flush());
            assertEquals(Utf8.decode(all.toByteArray()), streamed.toString(), "trial " + trial);
        }
    }
}
