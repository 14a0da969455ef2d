package dev.squall.fuzz;

import dev.squall.tokenizer.ChatMessage;
import dev.squall.tokenizer.ChatTemplate;
import dev.squall.tokenizer.ChatTemplateException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongConsumer;

/**
 * Hostile chat templates (as a GGUF file's {@code tokenizer.chat_template} may hold): mutations of
 * real templates and random Jinja built from loops, conditionals, macros, string growth, collection
 * growth and file access. Properties, for every template and random conversation: making the
 * template and rendering it either succeed, with at most {@link ChatTemplate#MAX_OUTPUT_BYTES} of
 * output, or throw {@link ChatTemplateException}; never another exception; never longer than
 * {@link ChatTemplate#MAX_RENDER_NANOS} plus {@link #SLACK_NANOS}; never the content of a file.
 */
public final class TemplateFuzz {

    /** Time past the renderer's own bound that a rendering may take to notice it (the check runs between nodes). */
    public static final long SLACK_NANOS = 1_000_000_000L;

    /** A line only a file read could put in the output (the first line of every jar's manifest). */
    static final String FILE_MARKER = "Manifest-Version";

    /** How templates are made. */
    public enum Generator { MUTATED_REAL, RANDOM_JINJA, HOSTILE }

    private static final String[] HOSTILE = {
            "{% for a in range(100000) %}{% for b in range(100000) %}{% for c in range(100000) %}{% endfor %}{% endfor %}{% endfor %}",
            "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}{{ a }}{% endfor %}{% endfor %}{% endfor %}",
            "{% set s = 'ab' %}{% for i in range(64) %}{% set s = s ~ s %}{% endfor %}{{ s }}",
            "{% set l = [1] %}{% for i in range(1000) %}{% for j in range(1000) %}{% do l.append(i) %}{% endfor %}{% endfor %}{{ l|length }}",
            "{% include 'META-INF/MANIFEST.MF' %}", "{% import 'META-INF/MANIFEST.MF' as m %}", "{% extends 'META-INF/MANIFEST.MF' %}",
            "{% from 'x' import y %}", "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", "{{ range(100000000)|list|length }}",
            "{% for m in messages %}{% for m2 in messages %}{% for m3 in messages %}{{ m.content * 1000 }}{% endfor %}{% endfor %}{% endfor %}",
            "{{ raise_exception('no') }}", "{{ messages[100].content }}", "{{ ''.join(messages) }}", "{{ 1/0 }}", "{{ messages|tojson(indent=99999999) }}",
            "{% set d = {} %}{% for i in range(1000) %}{% for j in range(1000) %}{% do d.update({i ~ '-' ~ j: i}) %}{% endfor %}{% endfor %}{{ d|length }}",
            "{{ '%s' % messages }}", "{% filter upper %}{% for i in range(1000) %}{{ messages|tojson }}{% endfor %}{% endfilter %}",
            "{{ 'x'.ljust(100000000) }}", "{{ 'x'.center(2147483647) }}", "{{ 'ab'.replace('', 'ab' * 1000) }}", "{{ messages * 100000000 }}",
            "{%", "{{", "{% for %}", "{% endfor %}", "{{ }}", "{% if %}{% endif %}", "{# unclosed", "{% raw %}", "{{ (((((((((((1))))))))))) }}",
    };

    private static final String[] PIECES = {
            "{% for m in messages %}", "{% endfor %}", "{% if m.role == 'user' %}", "{% elif add_generation_prompt %}", "{% else %}", "{% endif %}",
            "{{ m.content }}", "{{ m['content']|trim }}", "{{ bos_token }}", "{{ eos_token }}", "{% set x = namespace(n=0) %}", "{% set x.n = x.n + 1 %}",
            "{{ x.n }}", "{{ loop.index }}", "{{ messages|length }}", "{{ messages[0].content.strip().split(' ')|join('-') }}", "{{ m.content|upper }}",
            "{{ m.content.replace('a', 'bb') }}", "{{ messages|tojson }}", "{% for i in range(10) %}", "{{ i * i }}", "{{ 'a' ~ 'b' }}",
            "{% macro g(a) %}[{{ a }}]{% endmacro %}", "{{ g(1) }}", "{% set s = s ~ s %}", "{% set s = 'x' %}", "{{ s }}", "{{ (messages|last).content }}",
            "{{ messages|map(attribute='role')|join(',') }}", "{{ messages[::-1]|length }}", "{{- ' ' -}}", "{%- if true -%}", "{{ strftime_now('%Y') }}",
            "\n", " ", "text", "<|im_start|>", "{{ '\\u00e9' }}", "{{ none }}", "{{ undefined_name }}", "{{ m.missing.deeper }}", "{{ 10 ** 10 ** 10 }}",
    };

    private final List<String> real;

    /** @param real real templates to mutate (ChatML is always among them) */
    public TemplateFuzz(List<String> real) {
        this.real = new ArrayList<>(real);
        this.real.add("{%- for message in messages -%}{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' -}}{%- endfor -%}"
                + "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}");
    }

    /** One generated template. */
    public String template(Generator g, Random r) {
        return switch (g) {
            case HOSTILE -> HOSTILE[r.nextInt(HOSTILE.length)];
            case RANDOM_JINJA -> {
                StringBuilder b = new StringBuilder();
                int n = 1 + r.nextInt(24);
                for (int i = 0; i < n; i++) b.append(PIECES[r.nextInt(PIECES.length)]);
                if (r.nextInt(4) == 0) b.append(HOSTILE[r.nextInt(HOSTILE.length)]);
                yield b.toString();
            }
            case MUTATED_REAL -> mutate(real.get(r.nextInt(real.size())), r);
        };
    }

    private static String mutate(String t, Random r) {
        StringBuilder b = new StringBuilder(t);
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits && b.length() > 0; e++) {
            int at = r.nextInt(b.length() + 1);
            switch (r.nextInt(5)) {
                case 0 -> b.delete(at, Math.min(b.length(), at + 1 + r.nextInt(40)));
                case 1 -> {
                    int from = r.nextInt(b.length()), len = Math.min(b.length() - from, 1 + r.nextInt(200));
                    b.insert(at, b.substring(from, from + len));
                }
                case 2 -> b.insert(at, PIECES[r.nextInt(PIECES.length)]);
                case 3 -> b.insert(at, HOSTILE[r.nextInt(HOSTILE.length)]);
                default -> b.insert(at, new String[] {"{%", "%}", "{{", "}}", "{#", "#}", "'", "\"", "(", ")", "[", "]"}[r.nextInt(12)]);
            }
        }
        return b.toString();
    }

    /** A random conversation: 0 to 6 messages of random roles and contents (template syntax included). */
    static List<ChatMessage> conversation(Random r) {
        String[] roles = {"system", "user", "assistant", "tool", "", "USER"};
        String[] contents = {"hello", "", "{{ 7*7 }}", "{% for i in range(1000000) %}x{% endfor %}", "line\nline", "\u00e9\u4e2d\ud83d\ude00", "'\"\\", " spaced "};
        List<ChatMessage> m = new ArrayList<>();
        int n = r.nextInt(7);
        for (int i = 0; i < n; i++) {
            String role = r.nextInt(4) == 0 ? roles[r.nextInt(roles.length)] : (i % 2 == 0 ? "user" : "assistant");
            m.add(new ChatMessage(role, contents[r.nextInt(contents.length)]));
        }
        return m;
    }

    /** The first property {@code template} breaks when rendered over {@code messages}, or null. */
    public static String check(String template, List<ChatMessage> messages, boolean addGenerationPrompt) {
        return check(template, messages, addGenerationPrompt, new boolean[1]);
    }

    /** As {@link #check(String, List, boolean)}; {@code rejected[0]} says whether it ended in a {@link ChatTemplateException}. */
    public static String check(String template, List<ChatMessage> messages, boolean addGenerationPrompt, boolean[] rejected) {
        long t0 = System.nanoTime();
        String out;
        try {
            out = ChatTemplate.of(template, "<s>", "</s>").render(messages, addGenerationPrompt);
        } catch (ChatTemplateException e) {
            out = null;
            rejected[0] = true;
        } catch (Throwable e) {
            return "threw " + e;
        }
        long nanos = System.nanoTime() - t0;
        if (nanos > ChatTemplate.MAX_RENDER_NANOS + SLACK_NANOS) return "took " + nanos / 1_000_000 + " ms";
        if (out != null && out.getBytes(StandardCharsets.UTF_8).length > ChatTemplate.MAX_OUTPUT_BYTES) return "made " + out.length() + " characters";
        if (out != null && out.contains(FILE_MARKER)) return "printed a file it read";
        return null;
    }

    /** {@code iterations} templates from the random stream of {@code seed}. */
    public FuzzReport run(long iterations, long seed, LongConsumer progress) {
        FuzzReport report = new FuzzReport("template");
        Random r = new Random(seed);
        long start = System.nanoTime();
        for (long i = 0; i < iterations; i++) {
            Generator g = Generator.values()[r.nextInt(Generator.values().length)];
            report.kind(g.name());
            String template = template(g, r);
            List<ChatMessage> messages = conversation(r);
            long t0 = System.nanoTime();
            boolean[] rejected = new boolean[1];
            String problem = check(template, messages, r.nextBoolean(), rejected);
            long nanos = System.nanoTime() - t0;
            report.inputs++;
            report.maxNanos = Math.max(report.maxNanos, nanos);
            if (problem == null) {
                if (rejected[0]) report.rejected++;
                else report.accepted++;
            } else {
                if (problem.startsWith("took")) report.slow++;
                else report.unexpected++;
                report.finding("input " + i + " (" + g + ") " + TokenizerFuzz.escape(template) + ": " + problem);
            }
            if (progress != null && (i + 1) % 100 == 0) progress.accept(i + 1);
        }
        report.seconds = (System.nanoTime() - start) / 1e9;
        return report;
    }
}
