package dev.squall.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.squall.generation.GenerateOptions;
import dev.squall.generation.StopReason;
import dev.squall.model.Model;
import dev.squall.sampling.SamplerConfig;
import dev.squall.serving.Scheduler;
import dev.squall.speculative.Jacobi;
import dev.squall.speculative.Lookahead;
import dev.squall.speculative.PromptLookup;
import dev.squall.speculative.TreeDecoder;
import java.util.function.Supplier;
import dev.squall.tokenizer.ChatMessage;
import dev.squall.tokenizer.ChatTemplateException;
import dev.squall.tokenizer.Tokenizer;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * An OpenAI-compatible HTTP API over the {@link Engine}: {@code POST /v1/completions},
 * {@code POST /v1/chat/completions} (both with {@code stream: true} as server-sent events),
 * {@code GET /v1/models}, {@code GET /health}, {@code GET /metrics} (Prometheus text). Bad input is a
 * 4xx with OpenAI's error body ({@code {"error": {"message", "type", "param", "code"}}}); a full
 * queue is 429 with {@code Retry-After}; with an API key, a request without its bearer token is 401.
 * A client that goes away mid-stream has its request cancelled, which frees its cells.
 */
public final class OpenAiServer implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    /** A 4xx answer: status, OpenAI error type, the parameter at fault, a code. */
    static final class ApiError extends RuntimeException {
        final int status;
        final String type, param, code;

        ApiError(int status, String type, String param, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.type = type;
            this.param = param;
            this.code = code;
        }

        static ApiError invalid(String param, String message) {
            return new ApiError(400, "invalid_request_error", param, null, message);
        }
    }

    private final Model model;
    private final String modelId;
    final Engine engine;
    private final String apiKey;
    private final WebServer server;
    private final int maxN = 16;
    private final int context;
    private final long startedSeconds = System.currentTimeMillis() / 1000;

    public OpenAiServer(Model model, dev.squall.backend.Plan plan, String host, int port, int tokenBudget, int queueCapacity, String apiKey) {
        this(model, plan, host, port, tokenBudget, queueCapacity, apiKey, Scheduler.Policy.SARATHI);
    }

    public OpenAiServer(Model model, dev.squall.backend.Plan plan, String host, int port, int tokenBudget, int queueCapacity, String apiKey,
            Scheduler.Policy policy) {
        this.model = model;
        this.modelId = model.config().name();
        this.engine = new Engine(plan, model.tokenizer(), tokenBudget, queueCapacity, policy);
        this.apiKey = apiKey;
        this.context = plan.cache().capacity();
        this.server = WebServer.builder().host(host).port(port)
                .routing(r -> r
                        .get("/health", (req, res) -> handle(req, res, false, this::health))
                        .get("/metrics", (req, res) -> handle(req, res, false, this::metrics))
                        .get("/v1/models", (req, res) -> handle(req, res, true, this::models))
                        .post("/v1/completions", (req, res) -> handle(req, res, true, (q, s) -> generate(q, s, false)))
                        .post("/v1/chat/completions", (req, res) -> handle(req, res, true, (q, s) -> generate(q, s, true))))
                .build()
                .start();
    }

    /** The port the server listens on (useful with port 0). */
    public int port() { return server.port(); }

    private interface Handler {
        void run(ServerRequest req, ServerResponse res) throws Exception;
    }

    private void handle(ServerRequest req, ServerResponse res, boolean authorized, Handler h) {
        try {
            if (authorized && apiKey != null) {
                String auth = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
                if (!auth.equals("Bearer " + apiKey)) throw new ApiError(401, "invalid_request_error", null, "invalid_api_key", "missing or wrong API key (Authorization: Bearer KEY)");
            }
            h.run(req, res);
        } catch (ApiError e) {
            error(res, e);
        } catch (Engine.Full e) {
            res.header(HeaderNames.RETRY_AFTER, "1");
            error(res, new ApiError(429, "rate_limit_error", null, "queue_full", "the server is busy: " + e.getMessage() + "; retry later"));
        } catch (UncheckedIOException e) {
            // the client went away; nothing to answer
        } catch (Exception e) {
            error(res, new ApiError(500, "server_error", null, null, "internal error: " + e));
        }
    }

    private static void error(ServerResponse res, ApiError e) {
        if (res.isSent()) return;
        ObjectNode body = JSON.createObjectNode();
        ObjectNode err = body.putObject("error");
        err.put("message", e.getMessage());
        err.put("type", e.type);
        if (e.param == null) err.putNull("param");
        else err.put("param", e.param);
        if (e.code == null) err.putNull("code");
        else err.put("code", e.code);
        res.status(e.status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void health(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send("{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8));
    }

    private void models(ServerRequest req, ServerResponse res) {
        ObjectNode body = JSON.createObjectNode();
        body.put("object", "list");
        ObjectNode m = body.putArray("data").addObject();
        m.put("id", modelId);
        m.put("object", "model");
        m.put("created", startedSeconds);
        m.put("owned_by", "squall");
        send(res, body);
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        int[] depths = engine.scheduler.queueDepths();
        double uptime = (System.nanoTime() - engine.started) / 1e9;
        StringBuilder b = new StringBuilder();
        metric(b, "squall_queue_depth", "gauge", "Requests waiting for cache cells", depths[0]);
        metric(b, "squall_prefilling_requests", "gauge", "Requests whose prompt is being computed", depths[1]);
        metric(b, "squall_running_sequences", "gauge", "Sequences decoding", depths[2]);
        metric(b, "squall_requests_total", "counter", "Requests accepted", engine.requests.get());
        metric(b, "squall_requests_refused_total", "counter", "Requests refused because the queue was full", engine.refused.get());
        metric(b, "squall_requests_cancelled_total", "counter", "Requests cancelled because their client went away", engine.cancelled.get());
        metric(b, "squall_prompt_tokens_total", "counter", "Prompt tokens of accepted requests", engine.promptTokens.get());
        metric(b, "squall_generated_tokens_total", "counter", "Tokens generated", engine.generatedTokens.get());
        metric(b, "squall_tokens_per_second", "gauge", "Generated tokens per second since the server started", engine.generatedTokens.get() / Math.max(1e-9, uptime));
        long[] totals = engine.scheduler.totals();
        metric(b, "squall_steps_total", "counter", "Forward calls the scheduler made", totals[0]);
        metric(b, "squall_draft_tokens_total", "counter", "Draft tokens verified for requests that speculate", totals[3]);
        metric(b, "squall_draft_accepted_total", "counter", "Draft tokens kept", totals[4]);
        summary(b, "squall_time_to_first_token_seconds", "From submission to a choice's first token", engine.ttftNanos.get(), engine.ttftCount.get());
        summary(b, "squall_time_per_output_token_seconds", "Between a choice's consecutive tokens", engine.tpotNanos.get(), engine.tpotCount.get());
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4");
        res.send(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void metric(StringBuilder b, String name, String type, String help, double value) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        b.append(name).append(' ').append(String.format(Locale.ROOT, "%s", value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value))).append('\n');
    }

    private static void summary(StringBuilder b, String name, String help, long nanos, long count) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(" summary\n");
        b.append(name).append("_sum ").append(nanos / 1e9).append('\n');
        b.append(name).append("_count ").append(count).append('\n');
    }

    // ---------------------------------------------------------------- completions

    private record Parsed(int[] prompt, GenerateOptions options, int n, boolean stream, boolean streamUsage, int logprobs, String speculate,
            Supplier<? extends TreeDecoder> speculator) {}

    /** The speculative decoders a request may ask for ({@code "speculate"}): those whose drafts ride in the shared batch. */
    static final List<String> SPECULATE = List.of("lookup", "lookahead", "jacobi");

    private static Supplier<? extends TreeDecoder> speculator(String name, long seed) {
        return switch (name) {
            case "lookup" -> () -> new PromptLookup(1, 3, 10);
            case "lookahead" -> () -> new Lookahead(4, 8, 24, new int[0]);
            case "jacobi" -> () -> new Jacobi(4, 4, 4, seed);
            default -> throw new IllegalStateException(name);
        };
    }

    private Parsed parse(JsonNode body, boolean chat) {
        if (body == null || !body.isObject()) throw ApiError.invalid(null, "the request body must be a JSON object");
        String m = text(body, "model", false);
        if (m != null && !m.equals(modelId)) {
            throw new ApiError(404, "invalid_request_error", "model", "model_not_found", "the model '" + m + "' does not exist; this server runs '" + modelId + "'");
        }
        Tokenizer tokenizer = model.tokenizer();
        int[] prompt;
        if (chat) {
            JsonNode messages = body.get("messages");
            if (messages == null || !messages.isArray() || messages.isEmpty()) throw ApiError.invalid("messages", "messages must be a non-empty array");
            List<ChatMessage> list = new ArrayList<>();
            for (int i = 0; i < messages.size(); i++) {
                JsonNode msg = messages.get(i);
                if (!msg.isObject() || !msg.path("role").isTextual()) throw ApiError.invalid("messages[" + i + "].role", "messages[" + i + "] needs a string role");
                JsonNode content = msg.get("content");
                String text;
                if (content == null || content.isNull()) text = "";
                else if (content.isTextual()) text = content.asText();
                else if (content.isArray()) {
                    StringBuilder sb = new StringBuilder();
                    for (JsonNode part : content) {
                        if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                            throw ApiError.invalid("messages[" + i + "].content", "only text content parts are supported");
                        }
                        sb.append(part.get("text").asText());
                    }
                    text = sb.toString();
                } else throw ApiError.invalid("messages[" + i + "].content", "messages[" + i + "].content must be a string or an array of text parts");
                list.add(new ChatMessage(msg.get("role").asText(), text));
            }
            String rendered;
            try {
                rendered = model.chatTemplate().renderPrompt(list, true);
            } catch (ChatTemplateException e) {
                throw ApiError.invalid("messages", e.getMessage());
            }
            int[] withSpecial = tokenizer.encode(rendered, true, true), without = tokenizer.encode(rendered, false, true);
            prompt = without.length > 0 && without[0] == tokenizer.bos() ? without : withSpecial;
        } else {
            JsonNode p = body.get("prompt");
            if (p == null) throw ApiError.invalid("prompt", "prompt is required");
            if (p.isTextual()) prompt = tokenizer.encode(p.asText(), true, true);
            else if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) prompt = tokenizer.encode(p.get(0).asText(), true, true);
            else if (p.isArray() && !p.isEmpty() && p.get(0).isIntegralNumber()) prompt = tokenIds(p, tokenizer.vocabSize());
            else throw ApiError.invalid("prompt", "prompt must be a string, an array of one string, or an array of token ids");
            if (prompt.length == 0) throw ApiError.invalid("prompt", "the prompt has no tokens");
        }
        int context = this.context;
        if (prompt.length >= context) {
            throw new ApiError(400, "invalid_request_error", chat ? "messages" : "prompt", "context_length_exceeded",
                    "the prompt has " + prompt.length + " tokens; the context size is " + context);
        }
        int maxTokens = integer(body, chat && body.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens", chat ? context - prompt.length : 16, 0, context - prompt.length);
        double temperature = number(body, "temperature", 1.0, 0, 2);
        double topP = number(body, "top_p", 1.0, Double.MIN_VALUE, 1);
        int n = integer(body, "n", 1, 1, maxN);
        long seed = body.has("seed") ? longValue(body, "seed") : System.nanoTime();
        boolean stream = bool(body, "stream", false);
        JsonNode streamOptions = body.get("stream_options");
        if (streamOptions != null && !streamOptions.isNull() && !streamOptions.isObject()) throw ApiError.invalid("stream_options", "stream_options must be an object");
        boolean streamUsage = streamOptions != null && streamOptions.isObject() && bool(streamOptions, "include_usage", false);
        int logprobs;
        if (chat) {
            logprobs = bool(body, "logprobs", false) ? 1 : 0;
        } else {
            logprobs = body.has("logprobs") && !body.get("logprobs").isNull() ? integer(body, "logprobs", 0, 0, 5) + 1 : 0;
        }
        List<String> stops = new ArrayList<>();
        JsonNode stop = body.get("stop");
        if (stop != null && !stop.isNull()) {
            if (stop.isTextual()) stops.add(stop.asText());
            else if (stop.isArray() && stop.size() <= 4) {
                for (JsonNode s : stop) {
                    if (!s.isTextual()) throw ApiError.invalid("stop", "stop must be a string or an array of up to 4 strings");
                    stops.add(s.asText());
                }
            } else throw ApiError.invalid("stop", "stop must be a string or an array of up to 4 strings");
        }
        boolean ignoreEos = bool(body, "ignore_eos", false);
        String speculate = text(body, "speculate", false);
        if (speculate != null && !speculate.equals("plain") && !SPECULATE.contains(speculate)) {
            throw ApiError.invalid("speculate", "speculate '" + speculate + "' is not available here (expected plain, " + String.join(", ", SPECULATE)
                    + (speculate.equals("draft") || speculate.equals("swift") ? "; " + speculate + " needs forward calls of its own, which the shared batch cannot hold)"
                    : speculate.equals("medusa") || speculate.equals("hydra") ? "; " + speculate + " needs draft heads and hidden states, which the server does not load yet)" : ")"));
        }
        if ("plain".equals(speculate)) speculate = null;
        SamplerConfig sampling = temperature == 0 ? new SamplerConfig(0f, 0, 1f, 0f, 1f, 0, 0f, 0f, seed)
                : new SamplerConfig((float) temperature, 0, (float) topP, 0f, 1f, 64, 0f, 0f, seed);
        return new Parsed(prompt, new GenerateOptions(maxTokens, sampling, stops, 512, ignoreEos), n, stream, streamUsage, logprobs, speculate,
                speculate == null ? null : speculator(speculate, seed));
    }


    /** A prompt given as token ids (as OpenAI's API allows), each checked against the vocabulary. */
    private static int[] tokenIds(JsonNode p, int vocab) {
        int[] ids = new int[p.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode t = p.get(i);
            if (!t.isIntegralNumber() || !t.canConvertToInt() || t.asInt() < 0 || t.asInt() >= vocab) {
                throw ApiError.invalid("prompt", "prompt[" + i + "] = " + t + " is not a token id (0 to " + (vocab - 1) + ")");
            }
            ids[i] = t.asInt();
        }
        return ids;
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            if (required) throw ApiError.invalid(field, field + " is required");
            return null;
        }
        if (!v.isTextual()) throw ApiError.invalid(field, field + " must be a string");
        return v.asText();
    }

    private static int integer(JsonNode body, String field, int fallback, int min, int max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return fallback;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw ApiError.invalid(field, field + " must be an integer");
        int x = v.asInt();
        if (x < min || x > max) throw ApiError.invalid(field, field + " is " + x + "; it must be between " + min + " and " + max);
        return x;
    }

    private static long longValue(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw ApiError.invalid(field, field + " must be an integer");
        return v.asLong();
    }

    private static double number(JsonNode body, String field, double fallback, double min, double max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return fallback;
        if (!v.isNumber()) throw ApiError.invalid(field, field + " must be a number");
        double x = v.asDouble();
        if (!(x >= min && x <= max)) throw ApiError.invalid(field, field + " is " + x + "; it must be between " + (min == Double.MIN_VALUE ? "0 (exclusive)" : min) + " and " + max);
        return x;
    }

    private static boolean bool(JsonNode body, String field, boolean fallback) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return fallback;
        if (!v.isBoolean()) throw ApiError.invalid(field, field + " must be a boolean");
        return v.asBoolean();
    }

    private void generate(ServerRequest req, ServerResponse res, boolean chat) throws Exception {
        JsonNode body;
        try {
            body = JSON.readTree(req.content().as(String.class));
        } catch (JsonProcessingException e) {
            throw ApiError.invalid(null, "the request body is not valid JSON: " + e.getOriginalMessage());
        }
        Parsed p = parse(body, chat);
        Engine.Submitted sub;
        try {
            sub = engine.submit(p.prompt(), p.options(), p.n(), p.logprobs(), p.speculator());
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "invalid_request_error", null, "context_length_exceeded", e.getMessage());
        }
        String id = (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        if (p.stream()) stream(res, sub, p, id, created, chat);
        else whole(res, sub, p, id, created, chat);
    }

    private static String finishReason(StopReason r) {
        return r == StopReason.TOKEN_BUDGET || r == StopReason.CONTEXT_FULL ? "length" : "stop";
    }

    private ObjectNode envelope(String id, long created, boolean chat, boolean chunk) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", id);
        o.put("object", chat ? (chunk ? "chat.completion.chunk" : "chat.completion") : "text_completion");
        o.put("created", created);
        o.put("model", modelId);
        return o;
    }

    private void whole(ServerResponse res, Engine.Submitted sub, Parsed p, String id, long created, boolean chat) throws Exception {
        String[] texts = new String[p.n()];
        String[] reasons = new String[p.n()];
        int[][] speculated = new int[p.n()][];
        List<List<Integer>> tokens = new ArrayList<>();
        List<List<Double>> logprobs = new ArrayList<>();
        for (int i = 0; i < p.n(); i++) {
            tokens.add(new ArrayList<>());
            logprobs.add(new ArrayList<>());
        }
        int completion = 0;
        while (true) {
            Engine.Event e = sub.events().take();
            if (e instanceof Engine.Event.Token t) {
                tokens.get(t.choice()).add(t.token());
                logprobs.get(t.choice()).add(t.logprob());
            } else if (e instanceof Engine.Event.Speculated sp) {
                speculated[sp.choice()] = new int[] {sp.drafted(), sp.accepted()};
            } else if (e instanceof Engine.Event.Finished f) {
                texts[f.choice()] = f.text();
                reasons[f.choice()] = finishReason(f.reason());
                completion += f.tokens().length;
            } else if (e instanceof Engine.Event.Done d) {
                if (d.error() != null) throw new ApiError(500, "server_error", null, null, "the request ended: " + d.error());
                break;
            }
        }
        ObjectNode o = envelope(id, created, chat, false);
        ArrayNode choices = o.putArray("choices");
        for (int i = 0; i < p.n(); i++) {
            ObjectNode c = choices.addObject();
            c.put("index", i);
            if (chat) {
                ObjectNode m = c.putObject("message");
                m.put("role", "assistant");
                m.put("content", texts[i]);
            } else {
                c.put("text", texts[i]);
            }
            if (p.logprobs() > 0) c.set("logprobs", logprobsNode(tokens.get(i), logprobs.get(i), chat));
            else c.putNull("logprobs");
            c.put("finish_reason", reasons[i]);
            if (speculated[i] != null) speculation(c, p.speculate(), speculated[i][0], speculated[i][1]);
        }
        usage(o, p.prompt().length, completion);
        send(res, o);
    }

    private static void usage(ObjectNode o, int prompt, int completion) {
        ObjectNode usage = o.putObject("usage");
        usage.put("prompt_tokens", prompt);
        usage.put("completion_tokens", completion);
        usage.put("total_tokens", prompt + completion);
    }

    /** Squall's extension of a choice: what its speculation drafted and kept (lossless: the text is plain decoding's). */
    private static void speculation(ObjectNode choice, String algorithm, int drafted, int accepted) {
        ObjectNode o = choice.putObject("speculation");
        o.put("algorithm", algorithm);
        o.put("drafted", drafted);
        o.put("accepted", accepted);
    }

    private JsonNode logprobsNode(List<Integer> tokens, List<Double> logprobs, boolean chat) {
        Tokenizer t = model.tokenizer();
        if (chat) {
            ObjectNode o = JSON.createObjectNode();
            ArrayNode content = o.putArray("content");
            for (int i = 0; i < tokens.size(); i++) {
                ObjectNode c = content.addObject();
                byte[] bytes = t.tokenBytes(tokens.get(i));
                c.put("token", new String(bytes, StandardCharsets.UTF_8));
                c.put("logprob", logprobs.get(i));
                ArrayNode b = c.putArray("bytes");
                for (byte x : bytes) b.add(x & 0xFF);
                c.putArray("top_logprobs");
            }
            return o;
        }
        ObjectNode o = JSON.createObjectNode();
        ArrayNode toks = o.putArray("tokens"), lps = o.putArray("token_logprobs"), offsets = o.putArray("text_offset");
        int offset = 0;
        for (int i = 0; i < tokens.size(); i++) {
            String piece = new String(t.tokenBytes(tokens.get(i)), StandardCharsets.UTF_8);
            toks.add(piece);
            lps.add(logprobs.get(i));
            offsets.add(offset);
            offset += piece.length();
        }
        o.putNull("top_logprobs");
        return o;
    }

    private void stream(ServerResponse res, Engine.Submitted sub, Parsed p, String id, long created, boolean chat) throws Exception {
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        boolean ended = false;
        try (OutputStream out = res.outputStream()) {
            if (chat) {
                for (int i = 0; i < p.n(); i++) {
                    ObjectNode o = envelope(id, created, true, true);
                    ObjectNode c = o.putArray("choices").addObject();
                    c.put("index", i);
                    ObjectNode delta = c.putObject("delta");
                    delta.put("role", "assistant");
                    delta.put("content", "");
                    c.putNull("logprobs");
                    c.putNull("finish_reason");
                    event(out, o.toString());
                }
            }
            Engine.Event.Token[] lastToken = new Engine.Event.Token[p.n()];
            int[][] speculated = new int[p.n()][];
            int completion = 0;
            while (true) {
                Engine.Event e = sub.events().poll(30, TimeUnit.SECONDS);
                if (e == null) continue;
                if (e instanceof Engine.Event.Token t) {
                    lastToken[t.choice()] = t;
                } else if (e instanceof Engine.Event.Text t) {
                    if (t.piece().isEmpty()) continue;
                    ObjectNode o = envelope(id, created, chat, true);
                    ObjectNode c = o.putArray("choices").addObject();
                    c.put("index", t.choice());
                    if (chat) c.putObject("delta").put("content", t.piece());
                    else c.put("text", t.piece());
                    Engine.Event.Token tok = lastToken[t.choice()];
                    if (p.logprobs() > 0 && tok != null) c.set("logprobs", logprobsNode(List.of(tok.token()), List.of(tok.logprob()), chat));
                    else c.putNull("logprobs");
                    c.putNull("finish_reason");
                    event(out, o.toString());
                } else if (e instanceof Engine.Event.Speculated sp) {
                    speculated[sp.choice()] = new int[] {sp.drafted(), sp.accepted()};
                } else if (e instanceof Engine.Event.Finished f) {
                    completion += f.tokens().length;
                    ObjectNode o = envelope(id, created, chat, true);
                    ObjectNode c = o.putArray("choices").addObject();
                    c.put("index", f.choice());
                    if (chat) c.putObject("delta");
                    else c.put("text", "");
                    c.putNull("logprobs");
                    c.put("finish_reason", finishReason(f.reason()));
                    if (speculated[f.choice()] != null) speculation(c, p.speculate(), speculated[f.choice()][0], speculated[f.choice()][1]);
                    event(out, o.toString());
                } else if (e instanceof Engine.Event.Done d) {
                    if (d.error() != null) {
                        ObjectNode err = JSON.createObjectNode();
                        err.putObject("error").put("message", "the request ended: " + d.error()).put("type", "server_error");
                        event(out, err.toString());
                    }
                    ended = true;
                    if (p.streamUsage()) {
                        ObjectNode o = envelope(id, created, chat, true);
                        o.putArray("choices");
                        usage(o, p.prompt().length, completion);
                        event(out, o.toString());
                    }
                    event(out, "[DONE]");
                    break;
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // the client went away (whatever the web server's exception for it): the finally block frees its sequence
        } finally {
            if (!ended) engine.cancel(sub.handle());
        }
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(ServerResponse res, JsonNode body) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(body.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override public void close() {
        server.stop();
        engine.close();
    }
}
