package dev.squall.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.CompletionCreateParams;
import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.backend.java.JavaBackend;
import dev.squall.format.WeightFormats;
import dev.squall.generation.Decoder;
import dev.squall.generation.GenerateOptions;
import dev.squall.generation.Generator;
import dev.squall.generation.Session;
import dev.squall.model.Model;
import dev.squall.model.synthetic.SampleModels;
import dev.squall.sampling.Sampler;
import dev.squall.sampling.SamplerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The server on a loopback port, called with the official OpenAI Java client and with raw HTTP for malformed requests. */
class OpenAiServerTest {

    @TempDir static Path dir;
    static Model model;
    static Plan plan;
    static OpenAiServer server;
    static String base;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        model = Model.open(SampleModels.write("micro", WeightFormats.F32, dir, null));
        plan = model.compile(new JavaBackend(), PlanOptions.of(256, 2).withCacheCells(4 * 256));
        server = new OpenAiServer(model, plan, "127.0.0.1", 0, 64, 8, null);
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
        plan.close();
        model.close();
    }

    static String greedyText(String prompt, int tokens) {
        try (Plan p = model.compile(new JavaBackend(), PlanOptions.of(256, 2));
             Session s = new Session(p, model.tokenizer(), new Sampler(SamplerConfig.greedy()))) {
            return Generator.generate(s, model.tokenizer().encode(prompt, true, true), new GenerateOptions(tokens, SamplerConfig.greedy(), List.of(), 512),
                    Decoder.plain(), x -> {}).text();
        }
    }

    static OpenAIClient client(String key) {
        return OpenAIOkHttpClient.builder().baseUrl(base + "/v1").apiKey(key).build();
    }

    @Test
    void theOpenAiClientGetsPlainGreedyDecodingsText() {
        OpenAIClient c = client("unused");
        var r = c.completions().create(CompletionCreateParams.builder().model(model.config().name()).prompt("one two three").maxTokens(20).temperature(0.0).build());
        assertEquals(greedyText("one two three", 20), r.choices().get(0).text());
        assertEquals(20, r.usage().orElseThrow().completionTokens());
    }

    @Test
    void aStreamedChatAddsUpToTheWholeReply() {
        OpenAIClient c = client("unused");
        ChatCompletionCreateParams p = ChatCompletionCreateParams.builder().model(model.config().name()).addUserMessage("hello there")
                .maxCompletionTokens(16).temperature(0.0).build();
        String whole = c.chat().completions().create(p).choices().get(0).message().content().orElse("");
        StringBuilder streamed = new StringBuilder();
        try (var s = c.chat().completions().createStreaming(p)) {
            s.stream().forEach(chunk -> chunk.choices().forEach(ch -> ch.delta().content().ifPresent(streamed::append)));
        }
        assertEquals(whole, streamed.toString());
        assertTrue(!whole.isEmpty(), "the model said something");
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " ==> ", quoteCharacter = '`', textBlock = """
            {bad json ==> 400 ==> not valid JSON
            [1, 2] ==> 400 ==> must be a JSON object
            {"prompt": "x", "max_tokens": -1} ==> 400 ==> max_tokens is -1
            {"prompt": "x", "max_tokens": 100000000} ==> 400 ==> max_tokens is 100000000
            {"prompt": "x", "max_tokens": "many"} ==> 400 ==> max_tokens must be an integer
            {"prompt": "x", "temperature": "hot"} ==> 400 ==> temperature must be a number
            {"prompt": "x", "n": 0} ==> 400 ==> n is 0
            {"prompt": 7} ==> 400 ==> prompt must be a string
            {"prompt": "x", "model": "gpt-9"} ==> 404 ==> the model 'gpt-9' does not exist
            {"prompt": "x", "stop": [1]} ==> 400 ==> stop must be a string
            {"prompt": "x", "speculate": "draft"} ==> 400 ==> draft needs forward calls of its own
            {"prompt": "x", "speculate": "hydra"} ==> 400 ==> hydra needs draft heads and hidden states, which the server does not load yet
            {"prompt": "x", "speculate": "medusa-ish"} ==> 400 ==> speculate 'medusa-ish' is not available
            {"prompt": "x", "speculate": 3} ==> 400 ==> speculate must be a string
            {"prompt": "x", "ignore_eos": "yes"} ==> 400 ==> ignore_eos must be a boolean
            {"prompt": [1, 5, 99999999]} ==> 400 ==> prompt[2] = 99999999 is not a token id
            {"prompt": [1, -3]} ==> 400 ==> prompt[1] = -3 is not a token id
            {"prompt": "x", "stream": true, "stream_options": 5} ==> 400 ==> stream_options must be an object
            """)
    void badRequestsGetAnOpenAiError(String body, int status, String message) throws Exception {
        HttpResponse<String> r = post("/v1/completions", body);
        assertEquals(status, r.statusCode(), r.body());
        JsonNode e = OpenAiServer.JSON.readTree(r.body()).get("error");
        assertTrue(e.get("message").asText().contains(message), r.body());
        assertEquals("invalid_request_error", e.get("type").asText());
    }

    @Test
    void aPromptLongerThanTheContextIsRefused() throws Exception {
        HttpResponse<String> r = post("/v1/completions", "{\"prompt\": \"" + "one two ".repeat(400) + "\"}");
        assertEquals(400, r.statusCode());
        assertEquals("context_length_exceeded", OpenAiServer.JSON.readTree(r.body()).get("error").get("code").asText());
    }

    @Test
    void withAnApiKeyOnlyItsBearerGetsIn() {
        try (OpenAiServer locked = new OpenAiServer(model, model.compile(new JavaBackend(), PlanOptions.of(128, 1)), "127.0.0.1", 0, 32, 4, "secret")) {
            String url = "http://127.0.0.1:" + locked.port() + "/v1";
            var wrong = OpenAIOkHttpClient.builder().baseUrl(url).apiKey("guess").build();
            assertThrows(UnauthorizedException.class, () -> wrong.completions().create(CompletionCreateParams.builder().model(model.config().name()).prompt("x").maxTokens(2).build()));
            var right = OpenAIOkHttpClient.builder().baseUrl(url).apiKey("secret").build();
            assertEquals(1, right.completions().create(CompletionCreateParams.builder().model(model.config().name()).prompt("x").maxTokens(2).temperature(0.0).build()).choices().size());
        }
    }

    @Test
    void healthModelsAndMetricsAnswer() throws Exception {
        HttpResponse<String> h = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, h.statusCode());
        HttpResponse<String> m = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/models")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(model.config().name(), OpenAiServer.JSON.readTree(m.body()).get("data").get(0).get("id").asText());
        HttpResponse<String> x = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(x.body().contains("\nsquall_running_sequences ") && x.body().contains("squall_time_to_first_token_seconds_count"), x.body());
    }

    @Test
    void aSpeculatingRequestGetsPlainGreedyTextAndSaysWhatItDrafted() throws Exception {
        String prompt = "a b c d a b c d a b c d a b";
        for (String alg : List.of("lookup", "lookahead", "jacobi")) {
            HttpResponse<String> r = post("/v1/completions", "{\"prompt\": \"" + prompt + "\", \"max_tokens\": 30, \"temperature\": 0, \"speculate\": \"" + alg + "\"}");
            assertEquals(200, r.statusCode(), r.body());
            JsonNode choice = OpenAiServer.JSON.readTree(r.body()).get("choices").get(0);
            assertEquals(greedyText(prompt, 30), choice.get("text").asText(), alg);
            assertEquals(alg, choice.get("speculation").get("algorithm").asText());
            assertTrue(choice.get("speculation").get("accepted").asInt() <= choice.get("speculation").get("drafted").asInt(), r.body());
        }
    }

    @Test
    void aPromptOfTokenIdsStreamsWithUsageAtTheEnd() throws Exception {
        int[] ids = model.tokenizer().encode("one two three", true, true);
        HttpResponse<String> r = post("/v1/completions", "{\"prompt\": " + java.util.Arrays.toString(ids)
                + ", \"max_tokens\": 12, \"temperature\": 0, \"ignore_eos\": true, \"stream\": true, \"stream_options\": {\"include_usage\": true}}");
        List<String> events = r.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        assertEquals("[DONE]", events.getLast());
        JsonNode usage = OpenAiServer.JSON.readTree(events.get(events.size() - 2)).get("usage");
        assertEquals(12, usage.get("completion_tokens").asInt(), r.body());
        assertEquals(ids.length, usage.get("prompt_tokens").asInt());
        StringBuilder text = new StringBuilder();
        for (String e : events.subList(0, events.size() - 2)) text.append(OpenAiServer.JSON.readTree(e).get("choices").get(0).get("text").asText());
        HttpResponse<String> whole = post("/v1/completions", "{\"prompt\": \"one two three\", \"max_tokens\": 12, \"temperature\": 0, \"ignore_eos\": true}");
        assertEquals(OpenAiServer.JSON.readTree(whole.body()).get("choices").get(0).get("text").asText(), text.toString(), "token ids and text give the same completion");
    }

    @Test
    void ignoreEosRunsToTheBudget() throws Exception {
        HttpResponse<String> r = post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 40, \"temperature\": 0, \"ignore_eos\": true}");
        assertEquals(40, OpenAiServer.JSON.readTree(r.body()).get("usage").get("completion_tokens").asInt(), r.body());
    }

    @Test
    void aFullQueueAnswers429WithRetryAfterAndLosesNoAcceptedRequest() throws Exception {
        try (Plan p = model.compile(new JavaBackend(), PlanOptions.of(128, 1));
             OpenAiServer s = new OpenAiServer(model, p, "127.0.0.1", 0, 32, 2, null)) {
            String url = "http://127.0.0.1:" + s.port() + "/v1/completions";
            s.engine.hold(true);
            String body = "{\"prompt\": \"one two\", \"max_tokens\": 5, \"temperature\": 0}";
            var first = HTTP.sendAsync(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            var second = HTTP.sendAsync(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (s.engine.scheduler.queueDepths()[0] < 2 && System.nanoTime() < deadline) Thread.sleep(5);
            assertEquals(2, s.engine.scheduler.queueDepths()[0], "both requests wait while scheduling is held");
            HttpResponse<String> third = HTTP.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(429, third.statusCode(), third.body());
            assertEquals("1", third.headers().firstValue("Retry-After").orElse(""));
            assertEquals("rate_limit_error", OpenAiServer.JSON.readTree(third.body()).get("error").get("type").asText());
            s.engine.hold(false);
            String expected = greedyText("one two", 5);
            assertEquals(expected, OpenAiServer.JSON.readTree(first.get().body()).get("choices").get(0).get("text").asText());
            assertEquals(expected, OpenAiServer.JSON.readTree(second.get().body()).get("choices").get(0).get("text").asText());
            assertEquals(1, s.engine.refused.get());
        }
    }

    @Test
    void aClientThatGoesAwayMidStreamFreesItsSequence() throws Exception {
        try (Plan p = model.compile(new JavaBackend(), PlanOptions.of(1024, 1));
             OpenAiServer s = new OpenAiServer(model, p, "127.0.0.1", 0, 32, 4, null)) {
            int free = p.cache().freeCells(), budget = p.cache().capacity() / 2;
            s.engine.hold(true);
            String body = "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": " + budget + ", \"ignore_eos\": true, \"stream\": true, \"temperature\": 0}";
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", s.port())) {
                byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                        + bytes.length + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                socket.getOutputStream().write(bytes);
                socket.getOutputStream().flush();
                var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
                String line;
                socket.setSoTimeout(20_000);
                while ((line = in.readLine()) != null && !line.startsWith("data: ") && !line.startsWith("{")) {
                    // headers, then the first event (the assistant's role)
                }
                assertTrue(line != null && line.contains("\"role\":\"assistant\""), "the stream began: " + line);
                socket.setSoLinger(true, 0);    // close with a reset: the server's next writes fail
            }
            s.engine.hold(false);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while ((s.engine.scheduler.busy() || p.cache().freeCells() != free) && System.nanoTime() < deadline) Thread.sleep(5);
            assertFalse(s.engine.scheduler.busy(), "nothing runs after the client left");
            assertEquals(free, p.cache().freeCells(), "every cell freed");
            assertEquals(1, s.engine.cancelled.get(), "the request was cancelled, not run to its end");
            assertTrue(s.engine.generatedTokens.get() < budget, s.engine.generatedTokens.get() + " tokens generated of " + budget);
        }
    }
}
