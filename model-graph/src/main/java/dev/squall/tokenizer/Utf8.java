package dev.squall.tokenizer;

/**
 * UTF-8 bytes to text with each maximal subpart of an ill-formed sequence replaced by one U+FFFD:
 * the Unicode Standard's recommended practice (chapter 3, "U+FFFD Substitution of Maximal
 * Subparts", Table 3-8), which the WHATWG Encoding Standard's decoder and Python's
 * {@code errors="replace"} follow. A maximal subpart is the longest start of a well-formed sequence
 * (Table 3-7: after E0 only A0..BF, after ED only 80..9F, after F0 only 90..BF, after F4 only
 * 80..8F), or else one byte.
 *
 * <p>Java's own decoder ({@code new String(bytes, UTF_8)}) differs for ED followed by A0..BF (a
 * surrogate's encoding): it takes {@code ED A1} as one subpart where the standard sees two.
 */
public final class Utf8 {

    private static final char REPLACEMENT = '\uFFFD';

    private Utf8() {
    }

    public static String decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    static String decode(byte[] bytes, int offset, int length) {
        StringBuilder text = new StringBuilder(length);
        int end = offset + length;
        int i = offset;
        while (i < end) {
            int lead = bytes[i] & 0xFF;
            if (lead < 0x80) {
                text.append((char) lead);
                i++;
                continue;
            }
            int continuations;
            int codePoint;
            int lower = 0x80;
            int upper = 0xBF;
            if (lead >= 0xC2 && lead <= 0xDF) {
                continuations = 1;
                codePoint = lead & 0x1F;
            } else if (lead >= 0xE0 && lead <= 0xEF) {
                continuations = 2;
                codePoint = lead & 0x0F;
                lower = lead == 0xE0 ? 0xA0 : 0x80;
                upper = lead == 0xED ? 0x9F : 0xBF;
            } else if (lead >= 0xF0 && lead <= 0xF4) {
                continuations = 3;
                codePoint = lead & 0x07;
                lower = lead == 0xF0 ? 0x90 : 0x80;
                upper = lead == 0xF4 ? 0x8F : 0xBF;
            } else {
                text.append(REPLACEMENT);
                i++;
                continue;
            }
            int j = i + 1;
            boolean complete = true;
            for (int k = 0; k < continuations; k++, j++) {
                int b = j < end ? bytes[j] & 0xFF : -1;
                if (b < lower || b > upper) {
                    complete = false;
                    break;
                }
                codePoint = codePoint << 6 | b & 0x3F;
                lower = 0x80;
                upper = 0xBF;
            }
            if (complete) {
                text.appendCodePoint(codePoint);
            } else {
                text.append(REPLACEMENT);
            }
            i = j;
        }
        return text.toString();
    }
}
