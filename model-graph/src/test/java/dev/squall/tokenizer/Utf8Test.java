package dev.squall.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** UTF-8 decoding with one U+FFFD per maximal ill-formed subpart (Unicode chapter 3, Table 3-8). */
class Utf8Test {

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    @Test
    void wellFormedTextDecodesAsItself() {
        String text = "a é 中 😀 \u0000 \uFFFF \uDBFF\uDFFF";
        assertEquals(text, Utf8.decode(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void theStandardsExampleGivesOneReplacementPerMaximalSubpart() {
        // Table 3-8: 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64
        byte[] b = bytes(0x61, 0xF1, 0x80, 0x80, 0xE1, 0x80, 0xC2, 0x62, 0x80, 0x63, 0x80, 0xBF, 0x64);
        assertEquals("a\uFFFD\uFFFD\uFFFDb\uFFFDc\uFFFD\uFFFDd", Utf8.decode(b));
    }

    @Test
    void anEncodedSurrogateIsThreeSubparts() {
        // Java's own decoder gives one U+FFFD for ED A0 80, and for ED A1 before a lead byte
        assertEquals("\uFFFD\uFFFD\uFFFD", Utf8.decode(bytes(0xED, 0xA0, 0x80)));
        assertEquals("\uFFFD\uFFFD塚", Utf8.decode(bytes(0xED, 0xA1, 0xE5, 0xA1, 0x9A)));
        assertEquals("\uFFFD", Utf8.decode(bytes(0xED, 0x9F)));
    }

    @Test
    void overlongAndOutOfRangeLeadsAreSingleBytes() {
        assertEquals("\uFFFD\uFFFD\uFFFD", Utf8.decode(bytes(0xE0, 0x80, 0x80)));
        assertEquals("\uFFFD\uFFFD\uFFFD", Utf8.decode(bytes(0xF0, 0x80, 0x80)));
        assertEquals("\uFFFD\uFFFD\uFFFD\uFFFD", Utf8.decode(bytes(0xF4, 0x90, 0x80, 0x80)));
        assertEquals("\uFFFD\uFFFD", Utf8.decode(bytes(0xC0, 0xAF)));
        assertEquals("\uFFFD", Utf8.decode(bytes(0xFF)));
    }

    @Test
    void aTruncatedSequenceAtTheEndIsOneReplacement() {
        assertEquals("x\uFFFD", Utf8.decode(bytes('x', 0xF0, 0x9F, 0x98)));
    }

    @Test
    void decodingAgreesWithJavaWhereverJavaFollowsTheStandard() {
        // Java differs only where ED is followed by A0..BF; elsewhere both must agree
        SplittableRandom random = new SplittableRandom(5);
        for (int trial = 0; trial < 20_000; trial++) {
            byte[] b = new byte[1 + random.nextInt(8)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (random.nextBoolean() ? 0x80 + random.nextInt(0x80) : random.nextInt(0x100));
            }
            boolean edSurrogate = false;
            for (int i = 0; i + 1 < b.length; i++) {
                edSurrogate |= (b[i] & 0xFF) == 0xED && (b[i + 1] & 0xFF) >= 0xA0;
            }
            if (!edSurrogate) {
                assertEquals(new String(b, StandardCharsets.UTF_8), Utf8.decode(b), "trial " + trial);
            }
        }
    }
}
