package dev.squall.cli;

import dev.squall.generation.GenerateOptions;
import dev.squall.generation.GenerationResult;
import dev.squall.generation.Decoder;
import dev.squall.generation.Generator;
import dev.squall.generation.Session;
import dev.squall.sampling.Sampler;
import dev.squall.tokenizer.ChatMessage;
import dev.squall.tokenizer.ChatTemplate;
import dev.squall.tokenizer.Tokenizer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Multi-turn chat: each line on stdin is a user message (interactive or piped). The conversation
 * is rendered with the model's chat template every turn; only the tokens that differ from what the
 * KV cache already holds are computed again.
 */
@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Chat with a model: one user message per line on stdin; /exit or end of input stops.",
                "Applies the model's chat template (tokenizer.chat_template), or ChatML when the file has none."})
final class ChatCommand implements Callable<Integer> {

    @Mixin ModelOptions model;
    @Mixin SamplingOptions sampling;
    @Mixin SpeculateOptions speculate;
    @Mixin ContextOptions context;

    @Option(names = {"-sys", "--system"}, paramLabel = "TEXT", description = "A system message to start the conversation.")
    String system;

    @Option(names = {"-n", "--n-predict"}, defaultValue = "512", paramLabel = "N",
            description = "Most tokens per reply; -1 = until an end token or a full context (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        GenerateOptions options = new GenerateOptions(maxTokens, sampling.config(), List.of(), model.batchSize);
        speculate.check();
        int contextTokens = context.check();
        if (context.given() && "draft".equals(speculate.algorithm)) throw new IllegalArgumentException("--context and --speculate draft cannot be combined: the draft model would need the context too");
        if (contextTokens > 0 && model.contextSize == 0) model.contextSize = ContextOptions.contextSizeFor(contextTokens);
        model.squeezedClusters = context.clusters;
        Decoder swift = null;
        try (ModelOptions.Loaded loaded = model.load(err)) {
            // one draft model and one SWIFT search for the whole chat; the other decoders start afresh each turn
            ModelOptions.Loaded draft = "draft".equals(speculate.algorithm) ? speculate.loadDraft(model, loaded.model(), err) : null;
            if ("swift".equals(speculate.algorithm)) swift = speculate.decoder("swift", loaded.model(), null, options.sampling());
            Report.header(err, loaded, sampling.seed());
            ChatTemplate template = loaded.model().chatTemplate();
            err.println("chat template: " + template.describeSource());
            err.flush();
            Tokenizer tokenizer = loaded.model().tokenizer();
            Sampler sampler = new Sampler(options.sampling());
            Session session = new Session(loaded.plan(), tokenizer, sampler).attention(loaded.attention());
            context.load(loaded, session, model.batchSize, err);
            int[] fixed = context.tokens();
            List<ChatMessage> messages = new ArrayList<>();
            if (system != null) messages.add(new ChatMessage("system", system));
            boolean interactive = Terminal.isInteractive();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (true) {
                if (interactive) {
                    out.print("> ");
                    out.flush();
                }
                String line = in.readLine();
                if (line == null || line.strip().equals("/exit")) break;
                if (line.isBlank()) continue;
                messages.add(new ChatMessage("user", line));
                // after a fixed context the conversation follows it, without a second BOS
                int[] tokens = fixed.length == 0 ? tokenize(tokenizer, template.render(messages, true))
                        : concat(fixed, withoutBos(tokenizer, tokenizer.encode(template.render(messages, true), false, true)));
                var before = loaded.plan().attentionStats();
                int keep = commonPrefix(session.tokens(), tokens);
                if (keep == tokens.length) keep--;           // at least one token must be computed for fresh logits
                session.rollback(keep);
                Decoder decoder = swift != null ? swift
                        : speculate.speculates() ? speculate.decoder(speculate.algorithm, loaded.model(), draft, options.sampling()) : Decoder.plain();
                GenerationResult r;
                try {
                    r = Report.generate(session, Arrays.copyOfRange(tokens, keep, tokens.length), options, decoder, piece -> {
                        out.print(piece);
                        out.flush();
                    });
                } finally {
                    if (decoder != swift) decoder.close();
                }
                out.println();
                out.flush();
                messages.add(new ChatMessage("assistant", r.text()));
                Report.footer(err, loaded.loadSeconds(), r);
                Report.squeezed(err, loaded.plan().attentionStats().since(before));
            }
        } finally {
            if (swift != null) swift.close();
            speculate.close();
        }
        return 0;
    }

    /** Adds BOS only when the template did not already write it. */
    private static int[] tokenize(Tokenizer tokenizer, String text) {
        int[] withSpecial = tokenizer.encode(text, true, true);
        int[] without = tokenizer.encode(text, false, true);
        boolean templateWroteBos = without.length > 0 && without[0] == tokenizer.bos();
        return templateWroteBos ? without : withSpecial;
    }

    private static int[] withoutBos(Tokenizer tokenizer, int[] t) {
        return t.length > 0 && t[0] == tokenizer.bos() ? Arrays.copyOfRange(t, 1, t.length) : t;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static int commonPrefix(int[] a, int[] b) {
        int n = 0;
        while (n < a.length && n < b.length && a[n] == b[n]) n++;
        return n;
    }
}
