package dev.squall.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.objects.date.StrftimeFormatter;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import jinjava.javax.el.CompositeELResolver;

/**
 * Renders a conversation into a prompt with the Jinja2 template a model ships in
 * {@code tokenizer.chat_template}, the way Hugging Face's {@code apply_chat_template} and llama.cpp
 * do: {@code trim_blocks} and {@code lstrip_blocks} on, {@code \r\n} read as {@code \n}, one trailing
 * newline of the template dropped, and these names available to the template:
 * <ul>
 * <li>{@code messages} (each with {@code role} and {@code content}), {@code add_generation_prompt},
 *     {@code bos_token}, {@code eos_token} and any extra variables passed to {@link #render(List,
 *     boolean, Map)} (e.g. {@code enable_thinking}, {@code tools});</li>
 * <li>{@code raise_exception(message)}, which fails the rendering with that message, and
 *     {@code strftime_now(format)};</li>
 * <li>Python's {@code str} methods ({@code strip}, {@code lstrip}, {@code rstrip},
 *     {@code startswith}, {@code endswith}, {@code split}, {@code replace}, {@code upper},
 *     {@code lower}, {@code title}, ...), {@code namespace()}, {@code loop.*} and a {@code tojson}
 *     that writes like Python's {@code json.dumps}.</li>
 * </ul>
 * The source is adapted to Jinjava ({@code JinjaCompat}: {@code [::-1]}, nested dict literals,
 * keyword arguments). Known differences from Python's Jinja2 that remain: slices with other steps
 * and {@code str * int} fail; an empty string compares equal to {@code false}; booleans print as
 * {@code true}/{@code false}. Checked against {@code @huggingface/jinja} on 400 random
 * conversations with the Llama 3, Qwen 3, Llama 2 and Mistral templates: identical except where
 * that library departs from Python ({@code lstrip(chars)} stripping spaces, {@code ' ' != false}).
 *
 * <p>A template is untrusted input (it comes with a downloaded model): rendering is bounded to
 * {@link #MAX_RENDER_NANOS} of time, {@link #MAX_OUTPUT_BYTES} of output and of any string,
 * {@link #MAX_COLLECTION} list or map entries, ranges of at most 1000 and a render depth of 10;
 * it cannot read anything ({@code include}, {@code import}, {@code from} and {@code extends} are
 * disabled and no resource can be found). Going past a bound is a {@link ChatTemplateException}
 * that names it.
 *
 * <p>When a vocabulary has no template, {@link #forVocabulary} falls back to ChatML, the template
 * llama.cpp uses in that case ({@code CHATML_TEMPLATE_SRC} in {@code common/chat.cpp});
 * {@link #describeSource()} says which one is in use.
 */
public final class ChatTemplate {

    /** llama.cpp's fallback when a model has no chat template. */
    static final String CHATML = """
            {%- for message in messages -%}
              {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' -}}
            {%- endfor -%}
            {%- if add_generation_prompt -%}
              {{- '<|im_start|>assistant\\n' -}}
            {%- endif -%}""";

    /** Longest a rendering may take. */
    public static final long MAX_RENDER_NANOS = 2_000_000_000L;

    /** Most output, and longest string, a rendering may make (bytes of UTF-8). */
    public static final long MAX_OUTPUT_BYTES = 16L << 20;

    /** Most entries of a list or map a template may build. */
    public static final int MAX_COLLECTION = 1 << 20;

    /** When the rendering on this thread must end (System.nanoTime), checked before every node. */
    private static final ThreadLocal<long[]> DEADLINE = ThreadLocal.withInitial(() -> new long[] {Long.MAX_VALUE});

    private final String source;
    private final String prepared;
    private final String description;
    private final boolean fallback;
    private final String bosToken;
    private final String eosToken;
    private final boolean addBos;
    private final boolean addEos;
    private final Jinjava jinjava;

    private ChatTemplate(String source, String description, boolean fallback, String bosToken, String eosToken,
            boolean addBos, boolean addEos) {
        this.source = source;
        this.prepared = JinjaCompat.prepare(source);
        this.description = description;
        this.fallback = fallback;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.addBos = addBos;
        this.addEos = addEos;
        this.jinjava = newJinjava();
    }

    /**
     * The template of a vocabulary ({@code tokenizer.chat_template}), or ChatML when it has none,
     * with {@code bos_token}/{@code eos_token} set to the text of its BOS/EOS tokens (empty when it
     * has none).
     */
    public static ChatTemplate forVocabulary(Vocabulary vocabulary) {
        String bos = vocabulary.bos() >= 0 ? vocabulary.tokens()[vocabulary.bos()] : "";
        String eos = vocabulary.eos() >= 0 ? vocabulary.tokens()[vocabulary.eos()] : "";
        String template = vocabulary.chatTemplate();
        if (template == null || template.isEmpty() || template.equals("chatml")) {
            return new ChatTemplate(CHATML, "built-in ChatML (llama.cpp's fallback; the vocabulary has no "
                    + "tokenizer.chat_template)", true, bos, eos, vocabulary.addBos(), vocabulary.addEos());
        }
        return new ChatTemplate(template, "tokenizer.chat_template of the vocabulary (" + template.length()
                + " characters)", false, bos, eos, vocabulary.addBos(), vocabulary.addEos());
    }

    /** A template given as source, with the text of the BOS and EOS tokens. */
    public static ChatTemplate of(String source, String bosToken, String eosToken) {
        Objects.requireNonNull(source, "source");
        return new ChatTemplate(source, "template given by the caller (" + source.length() + " characters)", false,
                Objects.requireNonNull(bosToken, "bosToken"), Objects.requireNonNull(eosToken, "eosToken"),
                false, false);
    }

    /** Renders {@code messages}; with {@code addGenerationPrompt}, ends with the assistant's header. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /**
     * Renders {@code messages} with extra template variables.
     *
     * @throws ChatTemplateException if the template calls {@code raise_exception} or cannot be
     *     rendered; the message names the problem and the template's source
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> extra) {
        Map<String, Object> context = new HashMap<>(extra);
        List<Map<String, Object>> turns = new ArrayList<>(messages.size());
        for (ChatMessage message : messages) {
            Map<String, Object> turn = new LinkedHashMap<>();
            turn.put("role", message.role());
            turn.put("content", message.content());
            turns.add(turn);
        }
        context.put("messages", turns);
        context.put("add_generation_prompt", addGenerationPrompt);
        context.put("bos_token", bosToken);
        context.put("eos_token", eosToken);
        RenderResult result;
        long[] deadline = DEADLINE.get();
        deadline[0] = System.nanoTime() + MAX_RENDER_NANOS;
        try {
            result = jinjava.renderForResult(prepared, context);
        } catch (RuntimeException | StackOverflowError e) {
            throw new ChatTemplateException("chat template (" + description + ") failed to render: " + e.getMessage(), e);
        } finally {
            deadline[0] = Long.MAX_VALUE;
        }
        List<TemplateError> fatal = result.getErrors().stream()
                .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL)
                .toList();
        if (!fatal.isEmpty()) {
            throw new ChatTemplateException("chat template (" + description + ") failed to render: "
                    + fatal.stream().map(ChatTemplate::describe).collect(Collectors.joining("; ")));
        }
        return result.getOutput();
    }

    /**
     * The text llama.cpp tokenizes for a conversation ({@code common_chat_templates_apply}): the
     * rendering without a leading {@code bos_token} when the vocabulary adds BOS itself, and
     * without a trailing {@code eos_token} when it adds EOS, so that tokenizing with
     * {@code addSpecial} does not double them.
     */
    public String renderPrompt(List<ChatMessage> messages, boolean addGenerationPrompt) {
        String text = render(messages, addGenerationPrompt);
        if (addBos && !bosToken.isEmpty() && text.startsWith(bosToken)) {
            text = text.substring(bosToken.length());
        }
        if (addEos && !eosToken.isEmpty() && text.endsWith(eosToken)) {
            text = text.substring(0, text.length() - eosToken.length());
        }
        return text;
    }

    /** Where the template came from: the vocabulary, the caller, or the ChatML fallback. */
    public String describeSource() {
        return description;
    }

    /** Whether this is the ChatML fallback for a vocabulary without a template. */
    public boolean isFallback() {
        return fallback;
    }

    /** The template source as given. */
    public String source() {
        return source;
    }

    private static String describe(TemplateError error) {
        String message = error.getMessage();
        Throwable cause = error.getException();
        while (cause != null) {
            if (cause instanceof TemplateRaisedException raised) {
                message = "raise_exception(\"" + raised.getMessage() + "\")";
                break;
            }
            if (cause instanceof RenderTimeout timeout) {
                message = timeout.getMessage();
                break;
            }
            cause = cause.getCause();
        }
        return message + (error.getLineno() > 0 ? " (line " + error.getLineno() + ")" : "");
    }

    private static Jinjava newJinjava() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withMaxOutputSize(MAX_OUTPUT_BYTES)
                .withMaxStringLength(MAX_OUTPUT_BYTES)
                .withMaxListSize(MAX_COLLECTION)
                .withMaxMapSize(MAX_COLLECTION)
                .withRangeLimit(1000)
                .withMaxRenderDepth(10)
                .withDisabled(Map.of(Context.Library.TAG, Set.of("include", "import", "from", "extends")))
                .withNodePreProcessor((node, interpreter) -> {
                    if (System.nanoTime() > DEADLINE.get()[0]) throw new RenderTimeout();
                })
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withElResolver(resolver)
                // message text must never be evaluated as template code
                .withNestedInterpretationEnabled(false)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withUseNaturalOperatorPrecedence(true)
                        .withEvaluateMapKeys(true)
                        .withUsePyishObjectMapper(true)
                        .build())
                .build();
        Jinjava jinjava = new Jinjava(config);
        jinjava.setResourceLocator((name, encoding, interpreter) -> {
            throw new com.hubspot.jinjava.loader.ResourceNotFoundException("a chat template cannot read " + name);
        });
        jinjava.registerFunction(new ELFunctionDefinition("", "raise_exception", Functions.class,
                "raiseException", String.class));
        jinjava.registerFunction(new ELFunctionDefinition("", "strftime_now", Functions.class,
                "strftimeNow", String.class));
        jinjava.registerFilter(new ToJson());
        return jinjava;
    }

    /** The functions templates call; Jinjava invokes them by reflection. */
    static final class Functions {
        private Functions() {
        }

        /** {@code raise_exception(message)}: fails the rendering. */
        public static Object raiseException(String message) {
            throw new TemplateRaisedException(message);
        }

        /** {@code strftime_now(format)}: the current local time in a Python strftime format. */
        public static String strftimeNow(String format) {
            return StrftimeFormatter.format(ZonedDateTime.now(), format);
        }
    }

    /** Thrown before a node once the rendering has used up {@link #MAX_RENDER_NANOS}. */
    private static final class RenderTimeout extends RuntimeException {
        RenderTimeout() {
            super("rendering took more than " + MAX_RENDER_NANOS / 1_000_000 + " ms, the most a chat template may take", null, false, false);
        }
    }

    /** The exception {@code raise_exception} throws inside Jinjava. */
    private static final class TemplateRaisedException extends RuntimeException {
        TemplateRaisedException(String message) {
            super(message);
        }
    }

    /** {@code tojson} with Python's {@code json.dumps} output ({@code indent} optional). */
    private static final class ToJson implements Filter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            int indent = args.length > 0 && args[0] != null ? Integer.parseInt(args[0].trim()) : -1;
            return PythonJson.dumps(var, checkIndent(indent));
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indent = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
            return PythonJson.dumps(var, checkIndent(indent instanceof Number n ? n.intValue()
                    : indent == null ? -1 : Integer.parseInt(indent.toString().trim())));
        }

        /** A hostile indent (found by fuzzing: indent=99999999 took seconds and gigabytes) is an error. */
        private static int checkIndent(int indent) {
            if (indent > MAX_INDENT) throw new IllegalArgumentException("tojson: indent " + indent + " is more than " + MAX_INDENT);
            return indent;
        }

        private static final int MAX_INDENT = 64;
    }
}
