package dev.squall.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JinjaCompatTest {

    @Test
    void oneTrailingNewlineIsDroppedAndLineEndingsNormalized() {
        assertEquals("a\nb\n", JinjaCompat.prepare("a\r\nb\r\n\n"));
    }

    @Test
    void reverseSlicesBecomeTheReverseFilter() {
        assertEquals("{% for m in messages|reverse %}", JinjaCompat.prepare("{% for m in messages[::-1] %}"));
    }

    @Test
    void keywordArgumentValuesAreParenthesized() {
        assertEquals("{% set ns = namespace(a=(true), b=(messages|length - 1)) %}",
                JinjaCompat.prepare("{% set ns = namespace(a=true, b=messages|length - 1) %}"));
    }

    @Test
    void nestedDictLiteralsDoNotEndTheExpression() {
        assertEquals("{{ {'a': {'b': 1} } | tojson }}", JinjaCompat.prepare("{{ {'a': {'b': 1}} | tojson }}"));
    }

    @Test
    void comparisonsAndStringsAreLeftAlone() {
        String source = "{{ f(a == b, 'x=y', c <= d) }} text=(1, x=2)";
        assertEquals(source, JinjaCompat.prepare(source));
    }

    @Test
    void textOutsideTagsIsLeftAlone() {
        assertEquals("[::-1] f(x=1) {{ x }}", JinjaCompat.prepare("[::-1] f(x=1) {{ x }}"));
    }
}
