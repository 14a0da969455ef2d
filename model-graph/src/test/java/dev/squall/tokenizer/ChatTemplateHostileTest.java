package dev.squall.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.fuzz.TemplateFuzz;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A chat template is untrusted: it cannot loop forever, grow without bound or read files. The
 * table holds what the fuzzer and a reading of Jinjava's features found before the bounds existed:
 * nested loops ran for minutes, {@code include} printed a jar's manifest, {@code tojson} with a huge
 * indent took seconds and gigabytes.
 */
class ChatTemplateHostileTest {

    private static final List<ChatMessage> CHAT = List.of(new ChatMessage("user", "hi"), new ChatMessage("assistant", "hello"));

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " ==> ", quoteCharacter = '"', textBlock = """
            {% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}{% endfor %}{% endfor %}{% endfor %} ==> rendering took more than 2000 ms
            {% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}{{ a }}{% endfor %}{% endfor %}{% endfor %} ==> rendering took more than 2000 ms
            {% set s = 'ab' %}{% for i in range(64) %}{% set s = s ~ s %}{% endfor %}{{ s }} ==> over limit of 16777216 bytes
            {% include 'META-INF/MANIFEST.MF' %} ==> 'include' is disabled
            {% import 'META-INF/MANIFEST.MF' as m %} ==> 'import' is disabled
            {% extends 'META-INF/MANIFEST.MF' %} ==> 'extends' is disabled
            {% from 'META-INF/MANIFEST.MF' import x %} ==> 'from' is disabled
            {{ messages|tojson(indent=99999999) }} ==> tojson: indent 99999999 is more than 64
            """)
    void aHostileTemplateFailsWithinItsBounds(String template, String expected) {
        long t0 = System.nanoTime();
        ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> ChatTemplate.of(template, "<s>", "</s>").render(CHAT, true));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(ms < ChatTemplate.MAX_RENDER_NANOS / 1_000_000 + 1500, ms + " ms");
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " ==> ", quoteCharacter = '"', textBlock = """
            {% for a in range(200) %}{% for b in range(200) %}{% endfor %}{% endfor %}ok ==> ok
            """)
    void boundedWorkStillRenders(String template, String expected) {
        assertEquals(expected, ChatTemplate.of(template, "<s>", "</s>").render(CHAT, false));
    }

    @org.junit.jupiter.api.Test
    void aSmallIndentStillWorks() {
        assertEquals("[\n  {\n    \"role\": \"user\",\n    \"content\": \"hi\"\n  },\n  {\n    \"role\": \"assistant\",\n    \"content\": \"hello\"\n  }\n]",
                ChatTemplate.of("{{ messages|tojson(indent=2) }}", "<s>", "</s>").render(CHAT, false));
    }

    /** Random and mutated templates (the hostile ones above take seconds each, so they are tested by name). */
    @Property(tries = 300)
    void aRandomOrMutatedTemplateRendersOrFailsCleanly(@ForAll long seed, @ForAll @IntRange(min = 0, max = 1) int generator) throws Exception {
        List<String> real = List.of(resource("llama3.jinja"), resource("qwen3.jinja"), resource("mistral.jinja"), resource("llama2.jinja"));
        TemplateFuzz f = new TemplateFuzz(real);
        Random r = new Random(seed);
        String template = f.template(TemplateFuzz.Generator.values()[generator], r);
        assertNull(TemplateFuzz.check(template, CHAT, r.nextBoolean()), template);
    }

    private static String resource(String name) throws Exception {
        try (var in = ChatTemplateHostileTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
