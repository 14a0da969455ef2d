package dev.squall.validation.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** The known round-trip changes, on texts and the text llama.cpp gave back for them. */
class RoundTripTest {

    private static boolean cleanup(String text, String decoded) {
        return RoundTrip.SPACE_CLEANUP.explains(text, decoded);
    }

    @Test
    void theCleanUpRemovesASpaceBeforePunctuation() {
        assertTrue(cleanup("word ,  word . word ! word ? word", "word,  word. word! word? word"));
        assertTrue(cleanup("hello   world    again     .", "hello   world    again    ."));
    }

    @Test
    void theCleanUpRemovesBothSpacesAroundALoneQuote() {
        assertTrue(cleanup(" ' ", "'"));
        assertTrue(cleanup("He said ' hello ' and left ' quietly '.", "He said'hello'and left'quietly '."));
        assertTrue(cleanup("x  '   y", "x '  y"));
    }

    @Test
    void theCleanUpRemovesASpaceBeforeSomeContractionsOnly() {
        assertTrue(cleanup("don 't I 'm you 're we 've they 'll he 'd it 's", "don 't I'm you're we've they 'll he 'd it's"));
        assertFalse(cleanup("I 'll", "I'll"));
        assertFalse(cleanup("can 't", "can't"));
    }

    @Test
    void theCleanUpExplainsNoOtherChange() {
        assertFalse(cleanup("a b", "ab"));
        assertFalse(cleanup("a ?", "a ?"), "an unchanged text needs no explanation");
        assertFalse(cleanup("a?", "a ?"));
    }

    @Test
    void theSpaceMarkComesBackAsASpace() {
        assertTrue(RoundTrip.SPACE_MARK.explains("\u2581 lower one eighth block", "  lower one eighth block"));
        assertFalse(RoundTrip.SPACE_MARK.explains("a b", "a  b"));
    }

    @Test
    void onlyTheAllowedChangesExplain() {
        assertEquals(RoundTrip.SPACE_MARK, RoundTrip.explain(EnumSet.allOf(RoundTrip.class), "a\u2581b", "a b"));
        assertNull(RoundTrip.explain(EnumSet.of(RoundTrip.SPACE_CLEANUP), "a\u2581b", "a b"));
    }
}
