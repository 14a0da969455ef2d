package dev.squall.validation.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.squall.model.synthetic.SyntheticModel;
import dev.squall.validation.Context;
import dev.squall.validation.LlamaRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Regenerates the committed llama.cpp references of every catalog model (or of the models named
 * as arguments): writes each GGUF, runs llama-ref {@code info}, {@code logits} and {@code greedy}
 * on it with one thread, and writes {@code validation/references/models/<model>/}. Run it through
 * {@code validation/references/regenerate.sh}.
 *
 * <p>Deterministic: the same catalog, generator and llama.cpp build on the same CPU backend
 * variant give byte-identical files (the GGUF depends only on the spec; llama.cpp's CPU results
 * do not depend on the run). Another CPU variant ({@code cpu_backend} in the JSON) may round
 * differently; the comparison's bounds do not depend on which produced the reference.
 */
public final class RegenerateReferences {

    private RegenerateReferences() {}

    /** llama-ref threads: one, so that the references do not depend on the machine's core count. */
    static final int THREADS = 1;

    /** Fields of llama-ref {@code info} that name paths of the machine, not the build: left out of references. */
    public static final Set<String> MACHINE_FIELDS = Set.of("model", "lib_dir");

    public static void main(String[] args) throws IOException {
        Path home = Context.findHome();
        Path references = home.resolve("validation").resolve("references");
        Path work = home.resolve("validation").resolve("build").resolve("references-work");
        Files.createDirectories(work);
        List<ReferenceCatalog.Entry> entries = new ArrayList<>();
        if (args.length == 0) entries.addAll(ReferenceCatalog.entries());
        for (String a : args) entries.add(ReferenceCatalog.find(a));
        LlamaRef llama = LlamaRef.build(home.resolve("validation").resolve("llama-ref"));
        int[] prompt = ReferenceCatalog.prompt();
        for (ReferenceCatalog.Entry e : entries) {
            Path gguf = work.resolve(e.name() + ".gguf");
            SyntheticModel.write(e.spec(), gguf, null);
            JsonNode info = llama.info(gguf);
            LlamaRef.Logits logits = llama.logits(gguf, prompt, THREADS, work);
            int[] greedy = llama.greedy(gguf, prompt, ReferenceCatalog.GREEDY_STEPS, THREADS);
            ModelReference r = ModelReference.write(references, new ModelReference(e.name(), ModelReference.Spec.of(e.spec()),
                    ModelReference.sha256(gguf), prompt, greedy,
                    new ModelReference.LogitsFile("logits.f32", logits.positions(), logits.vocab(), null),
                    new ModelReference.Settings(THREADS, "f32", "off", ReferenceCatalog.GREEDY_STEPS), buildFields(info)), logits.values());
            Files.delete(gguf);
            System.out.printf("%-40s gguf %s…  logits %d×%d  greedy %s…%n", e.name(), r.ggufSha256().substring(0, 12),
                    logits.positions(), logits.vocab(), Arrays.toString(Arrays.copyOf(greedy, 6)));
        }
        reportStrayFolders(references);
    }

    private static Map<String, Object> buildFields(JsonNode info) {
        Map<String, Object> all = new ObjectMapper().convertValue(info, LinkedHashMap.class);
        Map<String, Object> kept = new LinkedHashMap<>();
        all.forEach((k, v) -> { if (!MACHINE_FIELDS.contains(k)) kept.put(k, v); });
        return kept;
    }

    /** Reference folders of models that left the catalog: said, not deleted. */
    private static void reportStrayFolders(Path references) throws IOException {
        Path models = references.resolve("models");
        Set<String> names = new HashSet<>();
        for (ReferenceCatalog.Entry e : ReferenceCatalog.entries()) names.add(e.name());
        try (Stream<Path> s = Files.list(models)) {
            s.filter(p -> !names.contains(p.getFileName().toString()))
                    .forEach(p -> System.out.println("not in the catalog (delete it if no longer wanted): " + p));
        }
    }
}
