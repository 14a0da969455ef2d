package dev.squall.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringsTest {

    @Test
    void textThatMayStartAStopStringIsHeldBack() {
        StopStrings s = new StopStrings(List.of("</end>"));
        assertEquals("Hello ", s.push("Hello </"));
        assertEquals("</x", s.push("x"));
        assertEquals("", s.flush());
    }

    @Test
    void generationStopsBeforeTheStopString() {
        StopStrings s = new StopStrings(List.of("STOP", "halt"));
        assertEquals("one two ", s.push("one two ST"));
        assertEquals("", s.push("OP three"));
        assertTrue(s.stopped());
        assertEquals("", s.push("more"));
    }

    @Test
    void withoutStopStringsEverythingPassesAtOnce() {
        StopStrings s = new StopStrings(List.of());
        assertEquals("abc", s.push("abc"));
    }

    @Test
    void heldTextIsReleasedAtTheEnd() {
        StopStrings s = new StopStrings(List.of("###"));
        assertEquals("a", s.push("a##"));
        assertEquals("##", s.flush());
    }
}
