package dev.squall.tokenizer;

import java.util.Arrays;

/**
 * llama.cpp's {@code clean_up_tokenization_spaces} step of {@code llama_detokenize}, three passes
 * over the bytes, each keeping the first byte:
 * <ol>
 * <li>a space before {@code ?}, {@code !}, {@code .} or {@code ,} is removed;</li>
 * <li>in {@code " ' "} both spaces are removed; llama.cpp blanks the second space in place, so
 *     the byte after it no longer sees a space before it;</li>
 * <li>a space before {@code 's}, {@code 'm}, {@code 're} or {@code 've} is removed (not before
 *     {@code 't}, {@code 'd} or {@code 'll}).</li>
 * </ol>
 */
final class SpaceCleanup {

    private SpaceCleanup() {
    }

    static byte[] apply(byte[] input) {
        byte[] text = input.clone();
        int length = text.length;
        length = spaceBeforePunctuation(text, length);
        length = spacesAroundApostrophe(text, length);
        length = spaceBeforeContraction(text, length);
        return Arrays.copyOf(text, length);
    }

    private static int spaceBeforePunctuation(byte[] text, int length) {
        int kept = length > 0 ? 1 : 0;
        for (int i = 1; i < length; i++) {
            byte x = text[i];
            if (text[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) {
                kept--;
            }
            text[kept++] = x;
        }
        return kept;
    }

    private static int spacesAroundApostrophe(byte[] text, int length) {
        int kept = length > 0 ? 1 : 0;
        for (int i = 1; i < length; i++) {
            byte x = text[i];
            if (x == '\'' && i + 1 < length && text[i - 1] == ' ' && text[i + 1] == ' ') {
                kept--;
                i++;
                text[i] = 0;
            }
            text[kept++] = x;
        }
        return kept;
    }

    private static int spaceBeforeContraction(byte[] text, int length) {
        int kept = length > 0 ? 1 : 0;
        for (int i = 1; i < length; i++) {
            byte x = text[i];
            if (text[i - 1] == ' ' && x == '\'' && i + 1 < length) {
                byte x1 = text[i + 1];
                if (x1 == 's' || x1 == 'm') {
                    kept--;
                } else if (x1 != 't' && x1 != 'd' && i + 2 < length) {
                    byte x2 = text[i + 2];
                    if ((x1 == 'r' || x1 == 'v') && x2 == 'e') {
                        kept--;
                    }
                }
            }
            text[kept++] = x;
        }
        return kept;
    }
}
