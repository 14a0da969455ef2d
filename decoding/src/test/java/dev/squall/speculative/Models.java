package dev.squall.speculative;

import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.backend.java.JavaBackend;
import dev.squall.generation.Decoder;
import dev.squall.generation.GenerateOptions;
import dev.squall.generation.GenerationResult;
import dev.squall.generation.Generator;
import dev.squall.generation.Session;
import dev.squall.model.Model;
import dev.squall.sampling.Sampler;
import dev.squall.sampling.SamplerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** A target model (with an optional draft) compiled on the Java backend, and generation runs over it. */
final class Models implements AutoCloseable {

    /** The trained pair described in ../shared/models/README.md, when present beside the repository. */
    static Path shared(String file) {
        Path p = Path.of(System.getProperty("user.dir")).resolve("../../shared/models").resolve(file).normalize();
        return Files.isRegularFile(p) ? p : null;
    }

    /** The held-out prompts of the shared models (field "text" of prompts.jsonl), the first {@code n}. */
    static List<String> sharedPrompts(int n) throws java.io.IOException {
        Path p = shared("prompts.jsonl");
        List<String> out = new ArrayList<>();
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String line : Files.readAllLines(p)) {
            if (out.size() == n) break;
            if (!line.isBlank()) out.add(mapper.readTree(line).get("text").asText());
        }
        return out;
    }

    final Model target, draft;
    final Plan plan, draftPlan;

    Models(Path target, Path draft, int context) {
        this.target = Model.open(target);
        this.plan = this.target.compile(new JavaBackend(), PlanOptions.of(context, 2));
        this.draft = draft == null ? null : Model.open(draft);
        this.draftPlan = draft == null ? null : this.draft.compile(new JavaBackend(), PlanOptions.of(context, 2));
    }

    int[] prompt(String text) { return target.tokenizer().encode(text, true, true); }

    /** A draft-model decoder over this pair's draft, with a sampler of {@code c}'s settings and its own seed. */
    Decoder draftDecoder(SamplerConfig c, int min, int max, double pMin) {
        Sampler s = new Sampler(new SamplerConfig(c.temperature(), c.topK(), c.topP(), c.minP(), c.repeatPenalty(), c.repeatLastN(),
                c.presencePenalty(), c.frequencyPenalty(), c.seed() + 7));
        return new DraftModel(new Session(draftPlan, draft.tokenizer(), s), min, max, pMin);
    }

    /** One generation of {@code prompt} with the decoder {@code decoder} makes. */
    GenerationResult run(int[] prompt, GenerateOptions options, Function<Models, Decoder> decoder) {
        try (Session s = new Session(plan, target.tokenizer(), new Sampler(options.sampling())); Decoder d = decoder.apply(this)) {
            GenerationResult r = Generator.generate(s, prompt, options, d, piece -> {});
            if (s.plan().cache().length(s.sequence()) > s.cached()) throw new AssertionError("unverified cells left in the cache");
            return r;
        }
    }

    @Override public void close() {
        plan.close();
        target.close();
        if (draft != null) {
            draftPlan.close();
            draft.close();
        }
    }
}
