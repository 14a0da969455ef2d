package dev.squall.cli;

import dev.squall.generation.GenerateOptions;
import dev.squall.generation.GenerationResult;
import dev.squall.generation.Decoder;
import dev.squall.generation.Session;
import dev.squall.sampling.Sampler;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate text from a prompt, streaming it to stdout.",
                "At the end, stderr shows the load time and the prefill and decode speeds."})
final class GenerateCommand implements Callable<Integer> {

    @Mixin ModelOptions model;
    @Mixin SamplingOptions sampling;
    @Mixin SpeculateOptions speculate;
    @Mixin SuperposedOptions superposed;
    @Mixin ContextOptions context;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "The prompt.")
    String prompt;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read the prompt from a file.")
    Path promptFile;

    @Option(names = {"-n", "--n-predict"}, defaultValue = "256", paramLabel = "N",
            description = "Tokens to generate; -1 = until an end token or a full context (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop when this text appears (repeatable).")
    List<String> stops = new ArrayList<>();

    @Option(names = "--no-display-prompt", description = "Do not echo the prompt before the generated text.")
    boolean hidePrompt;

    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        String text = promptText();
        GenerateOptions options = new GenerateOptions(maxTokens, sampling.config(), stops, model.batchSize);
        speculate.check();
        superposed.check();
        int contextTokens = context.check();
        if (context.given() && superposed.enabled()) throw new IllegalArgumentException("--context and --superposed cannot be combined");
        if (context.given() && "draft".equals(speculate.algorithm)) throw new IllegalArgumentException("--context and --speculate draft cannot be combined: the draft model would need the context too");
        if (superposed.enabled()) return superposed.generate(model, text, maxTokens, stops, hidePrompt, speculate.speculates(), sampling.seed(), out, err);
        if (contextTokens > 0 && model.contextSize == 0) model.contextSize = ContextOptions.contextSizeFor(contextTokens);
        model.squeezedClusters = context.clusters;
        try (ModelOptions.Loaded loaded = model.load(err)) {
            int[] tokens = loaded.model().tokenizer().encode(text, !context.given(), true);
            Report.header(err, loaded, sampling.seed());
            Session session = new Session(loaded.plan(), loaded.model().tokenizer(), new Sampler(options.sampling())).attention(loaded.attention());
            context.load(loaded, session, model.batchSize, err);
            var before = loaded.plan().attentionStats();
            try (Decoder decoder = speculate.decoder(model, loaded.model(), options.sampling(), err)) {
                if (!hidePrompt) {
                    out.print(text);
                    out.flush();
                }
                GenerationResult r = Report.generate(session, tokens, options, decoder, piece -> {
                    out.print(piece);
                    out.flush();
                });
                out.println();
                out.flush();
                if (decoder instanceof dev.squall.speculative.Swift swift) err.println(swift.summary());
                Report.footer(err, loaded.loadSeconds(), r);
                Report.squeezed(err, loaded.plan().attentionStats().since(before));
            } finally {
                session.close();
                speculate.close();
            }
        }
        return 0;
    }

    private String promptText() throws java.io.IOException {
        if (prompt != null && promptFile != null) throw new IllegalArgumentException("give the prompt with -p or -f, not both");
        if (promptFile != null) {
            if (!Files.isRegularFile(promptFile)) throw new IllegalArgumentException("--file " + promptFile + ": no such file");
            return TextFiles.read(promptFile, "--file");
        }
        if (prompt == null) throw new IllegalArgumentException("no prompt: give one with -p TEXT or -f FILE");
        return prompt;
    }
}
