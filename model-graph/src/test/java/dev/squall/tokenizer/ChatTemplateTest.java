package dev.squall.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Real chat templates (Llama 3 and Qwen 3 as shipped in their tokenizer_config.json, Llama 2 and
 * Mistral Instruct) with expected prompts written out by reading each template.
 */
class ChatTemplateTest {

    private static final ChatTemplate LLAMA3 = ChatTemplate.of(resource("llama3.jinja"), "<|begin_of_text|>",
            "<|end_of_text|>");
    private static final ChatTemplate QWEN3 = ChatTemplate.of(resource("qwen3.jinja"), "", "<|im_end|>");
    private static final ChatTemplate LLAMA2 = ChatTemplate.of(resource("llama2.jinja"), "<s>", "</s>");
    private static final ChatTemplate MISTRAL = ChatTemplate.of(resource("mistral.jinja"), "<s>", "</s>");

    static String resource(String name) {
        try (InputStream in = ChatTemplateTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String render(String template, List<ChatMessage> messages) {
        return ChatTemplate.of(template, "<s>", "</s>").render(messages, false);
    }

    @Test
    void llama3WrapsEachTurnInHeadersAndStartsWithBos() {
        assertEquals("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n",
                LLAMA3.render(List.of(ChatMessage.user("Hello")), true));
    }

    @Test
    void llama3TrimsMessageContent() {
        assertEquals("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n",
                LLAMA3.render(List.of(ChatMessage.system(" Be brief.\n"), ChatMessage.user("  Hi  ")), true));
    }

    @Test
    void qwen3RendersChatMlWithAGenerationPrompt() {
        assertEquals("<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                + "<|im_start|>assistant\n",
                QWEN3.render(List.of(ChatMessage.system("You are helpful."), ChatMessage.user("Hi")), true));
    }

    @Test
    void qwen3WithoutAGenerationPromptEndsAfterTheLastTurn() {
        assertEquals("<|im_start|>user\nHi<|im_end|>\n", QWEN3.render(List.of(ChatMessage.user("Hi")), false));
    }

    @Test
    void qwen3WithThinkingDisabledOpensAnEmptyThinkBlock() {
        assertEquals("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
                QWEN3.render(List.of(ChatMessage.user("Hi")), true, Map.of("enable_thinking", false)));
    }

    @Test
    void qwen3DropsTheReasoningOfEarlierAssistantTurns() {
        List<ChatMessage> chat = List.of(ChatMessage.user("2+2?"), ChatMessage.assistant("<think>\nadd\n</think>\n\n4"),
                ChatMessage.user("and 3+3?"));
        assertEquals("<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n"
                + "<|im_start|>user\nand 3+3?<|im_end|>\n<|im_start|>assistant\n", QWEN3.render(chat, true));
    }

    @Test
    void qwen3KeepsTheReasoningOfTheTurnAfterTheLastQuery() {
        List<ChatMessage> chat = List.of(ChatMessage.user("2+2?"), ChatMessage.assistant("<think>\nadd\n</think>\n\n4"));
        assertEquals("<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n<think>\nadd\n</think>\n\n4<|im_end|>\n",
                QWEN3.render(chat, false));
    }

    @Test
    void llama2FoldsTheSystemPromptIntoTheFirstInstruction() {
        List<ChatMessage> chat = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"),
                ChatMessage.assistant("Hello!"), ChatMessage.user("Again"));
        assertEquals("<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello! </s><s>[INST] Again [/INST]",
                LLAMA2.render(chat, true));
    }

    @Test
    void llama2RejectsTurnsThatDoNotAlternate() {
        ChatTemplateException e = assertThrows(ChatTemplateException.class,
                () -> LLAMA2.render(List.of(ChatMessage.user("a"), ChatMessage.user("b")), true));
        assertTrue(e.getMessage().contains("Conversation roles must alternate"), e.getMessage());
    }

    @Test
    void mistralWrapsUserTurnsInInstTags() {
        List<ChatMessage> chat = List.of(ChatMessage.user("Hi"), ChatMessage.assistant("Hello!"), ChatMessage.user("Again"));
        assertEquals("<s>[INST] Hi [/INST]Hello!</s>[INST] Again [/INST]", MISTRAL.render(chat, true));
    }

    @Test
    void aVocabularyWithoutTemplateFallsBackToChatMl() {
        ChatTemplate template = ChatTemplate.forVocabulary(SampleVocabulary.generate(4096, 1));
        assertTrue(template.isFallback());
        assertTrue(template.describeSource().contains("ChatML"), template.describeSource());
        assertEquals("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
                template.render(List.of(ChatMessage.user("Hi")), true));
    }

    @Test
    void aVocabularyTemplateSeesTheVocabularysBosAndEos() {
        Vocabulary sample = SampleVocabulary.generate(4096, 1);
        Vocabulary v = new Vocabulary(sample.model(), sample.pre(), sample.tokens(), sample.scores(),
                sample.tokenTypes(), sample.merges(), sample.bos(), sample.eos(), sample.unk(), sample.pad(),
                sample.eot(), sample.eom(), sample.addBos(), sample.addEos(), sample.addSpacePrefix(),
                resource("llama2.jinja"));
        ChatTemplate template = ChatTemplate.forVocabulary(v);
        assertFalse(template.isFallback());
        assertTrue(template.describeSource().contains("tokenizer.chat_template"), template.describeSource());
        assertEquals("<s>[INST] Hi [/INST]", template.render(List.of(ChatMessage.user("Hi")), true));
        assertEquals("[INST] Hi [/INST]", template.renderPrompt(List.of(ChatMessage.user("Hi")), true));
    }

    @Test
    void pythonStringMethodsBehaveAsInPython() {
        String template = "{{ '  a b  '.strip() }}|{{ 'xxaxx'.strip('x') }}|{{ 'xxa'.lstrip('x') }}|"
                + "{{ 'a\\n\\n'.rstrip('\\n') }}|{% if 'abc'.startswith(('z', 'a')) %}yes{% endif %}|"
                + "{% if 'abc'.endswith('bc') %}yes{% endif %}|{{ 'a  b\\tc'.split() }}|{{ 'a,b,c'.split(',', 1) }}|"
                + "{{ 'a.b'.split('.')[-1] }}|{{ 'aaa'.replace('a', 'b', 2) }}|{{ 'hello world'.title() }}|"
                + "{{ 'Hi'.upper() ~ 'Hi'.lower() }}";
        assertEquals("a b|a|a|a|yes|yes|['a', 'b', 'c']|['a', 'b,c']|b|bba|Hello World|HIhi",
                render(template, List.of()));
    }

    @Test
    void tojsonWritesLikePythonJsonDumps() {
        assertEquals("{\"name\": \"f\", \"args\": {\"x\": 1, \"ü\": [true, null, 2.5]}}",
                render("{{ {'name': 'f', 'args': {'x': 1, 'ü': [true, none, 2.5]}} | tojson }}", List.of()));
    }

    @Test
    void tojsonIndents() {
        assertEquals("[\n  1,\n  {\n    \"a\": \"\\n\"\n  }\n]",
                render("{{ [1, {'a': '\\n'}] | tojson(indent=2) }}", List.of()));
    }

    @Test
    void messagesCanBeIteratedInReverse() {
        assertEquals("ba", render("{% for m in messages[::-1] %}{{ m.content }}{% endfor %}",
                List.of(ChatMessage.user("a"), ChatMessage.user("b"))));
    }

    @Test
    void keywordArgumentsTakeWholeExpressions() {
        assertEquals("1", render("{% set ns = namespace(n=messages|length - 1) %}{{ ns.n }}",
                List.of(ChatMessage.user("a"), ChatMessage.user("b"))));
    }

    @Test
    void namespacesCarryValuesOutOfLoops() {
        assertEquals("2", render("{% set ns = namespace(c=0) %}{% for m in messages %}{% set ns.c = ns.c + 1 %}"
                + "{% endfor %}{{ ns.c }}", List.of(ChatMessage.user("a"), ChatMessage.user("b"))));
    }

    @Test
    void loopVariablesAreAvailable() {
        assertEquals("0:true:false,1:false:true,", render("{% for m in messages %}{{ loop.index0 }}:"
                + "{{ loop.first | lower }}:{{ loop.last | lower }},{% endfor %}",
                List.of(ChatMessage.user("a"), ChatMessage.user("b"))));
    }

    @Test
    void blocksTrimTheirNewlineAndIndentation() {
        assertEquals("a\nb\n", render("{% for m in messages %}\n  {% if true %}{{ m.content }}\n  {% endif %}\n{% endfor %}\n",
                List.of(ChatMessage.user("a"), ChatMessage.user("b"))));
    }

    @Test
    void messageTextIsNeverEvaluatedAsTemplateCode() {
        assertEquals("<|im_start|>user\n{{ 7 * 6 }} {% raw %}<|im_end|>\n",
                QWEN3.render(List.of(ChatMessage.user("{{ 7 * 6 }} {% raw %}")), false));
    }

    @Test
    void aTemplateThatDoesNotParseFailsNamingTheProblem() {
        ChatTemplateException e = assertThrows(ChatTemplateException.class,
                () -> render("{% for m in messages %}{{ m.content }}", List.of()));
        assertTrue(e.getMessage().contains("chat template") && e.getMessage().contains("endfor"), e.getMessage());
    }
}
