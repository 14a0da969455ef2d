package dev.squall.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** llama.cpp's Unicode 15.1 classes, as opposed to Java 25's Unicode 16.0 ones. */
class UnicodeCategoriesTest {

    @Test
    void codePointsAssignedInUnicode16AreUndefined() {
        assertTrue(Character.isLetter(0x1E5D0));
        assertEquals(UnicodeCategories.UNDEFINED, UnicodeCategories.flags(0x1E5D0));
        assertEquals(UnicodeCategories.UNDEFINED, UnicodeCategories.flags(0x1FA89));
    }

    @Test
    void whitespaceIsTheUnicodeWhiteSpaceProperty() {
        for (int cp : new int[] {' ', '\t', '\n', 0x0B, 0x0C, '\r', 0x85, 0xA0, 0x1680, 0x2007, 0x2028, 0x202F, 0x3000}) {
            assertTrue(UnicodeCategories.isWhitespace(UnicodeCategories.flags(cp)), Integer.toHexString(cp));
        }
        for (int cp : new int[] {0x1C, 0x200B, 0xFEFF, 'a'}) {
            assertFalse(UnicodeCategories.isWhitespace(UnicodeCategories.flags(cp)), Integer.toHexString(cp));
        }
    }

    @Test
    void numbersIncludeLetterAndOtherNumbers() {
        for (int cp : new int[] {'7', 0x0663, 0x00B2, 0x00BD, 0x216B, 0xFF11}) {
            assertTrue(UnicodeCategories.isNumber(UnicodeCategories.flags(cp)), Integer.toHexString(cp));
        }
    }

    @Test
    void positionsOutsideTheTextHaveNoFlags() {
        assertEquals(0, UnicodeCategories.flags(-1));
    }
}
