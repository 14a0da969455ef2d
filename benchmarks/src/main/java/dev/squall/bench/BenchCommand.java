package dev.squall.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.squall.backend.Backend;
import dev.squall.backend.Backends;
import dev.squall.backend.Plan;
import dev.squall.backend.Activations;
import dev.squall.backend.CacheType;
import dev.squall.backend.PlanOptions;
import dev.squall.backend.java.JavaBackend;
import dev.squall.cli.ModelOptions;
import dev.squall.cli.SpeculateOptions;
import dev.squall.cli.SquallCommand;
import dev.squall.format.WeightFormats;
import dev.squall.model.Model;
import dev.squall.quant.OnTheFlyConversion;
import dev.squall.quant.QuantizeOptions;
import dev.squall.sampling.SamplerConfig;
import dev.squall.validation.Context;
import dev.squall.validation.LlamaRef;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * End-to-end speed, side by side with llama.cpp on the same GGUF files: load time, prefill and
 * decode tokens/s (medians), each repetition of Squall followed by one of llama.cpp so both see the
 * same machine state, ratios, and the roofline (decode tokens/s against the bandwidth ceiling).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure prefill and decode tokens/s of Squall and llama.cpp on the same GGUF files, interleaved,",
                "with the machine's read bandwidth and each model's bytes per token (the roofline).",
                "Prints a table and writes a JSON report and a PNG chart.",
                "With --speculate ALG[,ALG...]: plain decoding against each speculative algorithm on one model over the",
                "prompts of --prompts, interleaved: tokens/s, speedup, tau, and where each token's time goes.",
                "With --superposed K[,K...]: superposed decoding against K independent samples (generations per unit compute)."})
public final class BenchCommand implements Callable<Integer>, SquallCommand {

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE",
            description = "GGUF file or sample:NAME[:FORMAT] (repeatable: one row per model).")
    List<Path> models = new ArrayList<>();

    @Option(names = "--device", defaultValue = "java", paramLabel = "ID", description = "Squall's device (default ${DEFAULT-VALUE}).")
    String device;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads for both engines (default: all cores).")
    Integer threads;

    @Option(names = "--prefill", defaultValue = "128", paramLabel = "N", description = "Prompt tokens (default ${DEFAULT-VALUE}).")
    int prefill;

    @Option(names = "--decode", defaultValue = "128", paramLabel = "N", description = "Decode steps (default ${DEFAULT-VALUE}).")
    int decode;

    @Option(names = {"-r", "--reps"}, defaultValue = "5", paramLabel = "N", description = "Repetitions of each engine (default ${DEFAULT-VALUE}).")
    int reps;

    @Option(names = "--llama-kv", defaultValue = "f16", paramLabel = "TYPE",
            description = "llama.cpp's KV cache type: f16 (its default) or f32 (Squall's) (default ${DEFAULT-VALUE}).")
    String llamaKv;

    @Option(names = "--no-llama", description = "Measure Squall only.")
    boolean noLlama;

    @Option(names = "--weights", paramLabel = "TYPE",
            description = {"Convert Squall's weight matrices to this format as each model loads (see 'squall generate --help');",
                    "llama.cpp is then not run, since it would read the file as stored: quantize the file to compare."})
    String weights;

    @Option(names = "--activations", split = ",", defaultValue = "f32", paramLabel = "f32|q8[,...]",
            description = {"What Squall's CPU matmuls multiply with: f32 (default) or q8 (activations rounded to Q8_0, integer",
                    "block dot products for Q8_0, Q4_0, MXFP4, Q4_K and Q6_K weights; lossy against f32); f32,q8 gives each model a row of each."})
    List<String> activations = new ArrayList<>(List.of("f32"));

    @Option(names = "--cache-type-k", defaultValue = "f32", paramLabel = "f32|f16", description = "Squall's KV cache type for keys (default ${DEFAULT-VALUE}; compare with --llama-kv).")
    String cacheTypeK;

    @Option(names = "--cache-type-v", defaultValue = "f32", paramLabel = "f32|f16", description = "Squall's KV cache type for values (default ${DEFAULT-VALUE}).")
    String cacheTypeV;

    @Option(names = "--json", defaultValue = "reports/bench.json", paramLabel = "FILE", description = "The JSON report (default ${DEFAULT-VALUE}).")
    Path json;

    @Option(names = "--chart", defaultValue = "reports/bench.png", paramLabel = "FILE", description = "The chart (default ${DEFAULT-VALUE}).")
    Path chart;

    @Mixin SpeculateOptions speculate;

    @Option(names = "--prompts", paramLabel = "FILE",
            description = "--speculate: the prompts, one per line or JSONL objects with a \"text\" field (default: one built-in code prompt).")
    Path prompts;

    @Option(names = "--limit", defaultValue = "100", paramLabel = "N", description = "--speculate: at most N prompts of --prompts (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--temp", defaultValue = "0", paramLabel = "T",
            description = {"--speculate: temperature; 0 or less = greedy, where every algorithm must equal plain decoding token for token",
                    "(above 0: llama.cpp's other sampling defaults) (default ${DEFAULT-VALUE})."})
    float temperature;

    @Option(names = {"-s", "--seed"}, defaultValue = "1", paramLabel = "N", description = "--speculate: the seed of prompt i's sampler is N + i (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-c", "--ctx-size"}, defaultValue = "0", paramLabel = "N", description = "--speculate: context size (default: the model's, at most 4096).")
    int contextSize;

    @Option(names = "--superposed", split = ",", paramLabel = "K[,K...]",
            description = {"Superposed decoding (lossy) with K drafts against K independent samples (T --temp, or 0.8 when it is 0; top-p 0.95),",
                    "one after another and batched, over the prompts of --prompts: forward calls and time per draft token,",
                    "teacher-forced NLL and best-of-K perplexity, diversity: a table and reports/bench-superposed.json."})
    List<Integer> superposed = new ArrayList<>();

    @Option(names = "--ngram", paramLabel = "FILE", description = "--superposed: the n-gram filter (from 'squall ngram'); adds the superposed+ngram arm.")
    Path ngram;

    @Option(names = "--context-lengths", split = ",", paramLabel = "L[,L...]",
            description = {"Decoding after a long fixed context of each length (4k = 4096 tokens): dense against Squeezed Attention (one and",
                    "two levels of centroids; lossy), decode tokens/s, attention and lookup time per token, keys read: reports/bench-squeezed.json."})
    List<String> contextLengths = new ArrayList<>();

    @Option(names = "--sparsity", split = ",", defaultValue = "0.8", paramLabel = "S[,S...]",
            description = "--context-lengths: the sparsities squeezed attention is calibrated to (default ${DEFAULT-VALUE}).")
    List<Double> sparsity = new ArrayList<>();

    @Option(names = "--centroids", defaultValue = "5%", paramLabel = "P%|N",
            description = "--context-lengths: fine centroids per layer and KV head (default ${DEFAULT-VALUE}).")
    String centroids;

    @Spec CommandSpec spec;

    /** One model's measurements. */
    public record Row(String model, String formats, double loadSeconds, List<Double> squallPrefill, List<Double> squallDecode,
                      List<Double> llamaPrefill, List<Double> llamaDecode, double llamaLoadSeconds, Roofline squallRoofline,
                      Roofline llamaRoofline) {
        double median(List<Double> v) { return v.isEmpty() ? Double.NaN : SquallRun.median(v.stream().mapToDouble(d -> d).toArray()); }
        public double squallPrefillMedian() { return median(squallPrefill); }
        public double squallDecodeMedian() { return median(squallDecode); }
        public double llamaPrefillMedian() { return median(llamaPrefill); }
        public double llamaDecodeMedian() { return median(llamaDecode); }
    }

    @Override public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        int t = threads == null ? JavaBackend.defaultThreads() : threads;
        if (t < 1) throw new IllegalArgumentException("--threads " + t + " is out of range (a positive count)");
        if (prefill < 1) throw new IllegalArgumentException("--prefill " + prefill + " is out of range (a positive count)");
        if (decode < 1) throw new IllegalArgumentException("--decode " + decode + " is out of range (a positive count)");
        if (reps < 1) throw new IllegalArgumentException("--reps " + reps + " is out of range (a positive count)");
        if (!superposed.isEmpty()) return SuperposedBench.run(this, out, err, t);
        if (!contextLengths.isEmpty()) return SqueezedBench.run(this, contextLengths, sparsity, centroids, out, err, t);
        if (speculate.algorithm != null) return speculate(out, err, t);
        if (!List.of("f16", "f32").contains(llamaKv)) throw new IllegalArgumentException("--llama-kv " + llamaKv + ": expected f16 or f32");
        Backend backend = Backends.find(device);
        List<Activations> modes = activations.stream().map(Activations::parse).distinct().toList();
        CacheType kType = CacheType.parse("--cache-type-k", cacheTypeK), vType = CacheType.parse("--cache-type-v", cacheTypeV);
        if (weights != null) {
            WeightFormats.byName(weights);
            if (!noLlama) err.println("--weights " + weights + ": measuring Squall only (llama.cpp would read the files as stored)");
            noLlama = true;
        }
        LlamaRef llama = noLlama ? null : new Context(Context.findHome(), Path.of("reports"), t).llamaRef();

        err.printf(Locale.ROOT, "measuring read bandwidth (%d threads) ...%n", t);
        err.flush();
        double bandwidth = Bandwidth.readGigabytesPerSecond(t);
        err.printf(Locale.ROOT, "read bandwidth: %.1f GB/s%n", bandwidth);

        List<Row> rows = new ArrayList<>();
        for (Path ref : models) {
            ModelOptions mo = new ModelOptions();
            mo.model = ref;
            mo.check(err);
            Path file = mo.model;
            err.println("benchmarking " + file + " ...");
            err.flush();
            for (Activations mode : modes) {
                if (modes.size() > 1) err.println("  --activations " + mode.flag());
                rows.add(measure(file, backend, llama, t, bandwidth, mode, kType, vType, err));
            }
        }
        BenchReport.printTable(out, rows, t, prefill, decode, bandwidth, backend.id(), noLlama);
        out.printf(Locale.ROOT, "KV cache: Squall keys %s, values %s%s%n", kType.flag(), vType.flag(), noLlama ? "" : "; llama.cpp " + llamaKv);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("date", LocalDate.now().toString());
        doc.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(), "read_bandwidth_gbps", bandwidth,
                "os", System.getProperty("os.name") + " " + System.getProperty("os.arch"), "java", Runtime.version().toString()));
        doc.put("settings", Map.of("threads", t, "prefill", prefill, "decode", decode, "reps", reps, "device", backend.id(),
                "squall_kv", kType == vType ? kType.flag() : kType.flag() + "/" + vType.flag(), "squall_activations", modes.stream().map(Activations::flag).toList(), "llama_kv", llamaKv, "llama_flash_attention", "auto"));
        if (llama != null && !rows.isEmpty()) doc.put("llama_cpp", llama.info(models.isEmpty() ? null : resolve(models.get(0), err)));
        doc.put("results", rows);
        Path jsonFile = json.toAbsolutePath();
        if (jsonFile.getParent() != null) Files.createDirectories(jsonFile.getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(jsonFile.toFile(), doc);
        BenchReport.chart(rows, chart.toAbsolutePath(), backend.id(), t, noLlama);
        out.println("report: " + jsonFile);
        out.println("chart:  " + chart.toAbsolutePath());
        out.flush();
        return 0;
    }

    private static int bytes(CacheType t) { return t == CacheType.F16 ? 2 : 4; }

    /** {@code --speculate}: plain against each named algorithm on one model. */
    private int speculate(PrintWriter out, PrintWriter err, int t) throws Exception {
        if (models.size() != 1) throw new IllegalArgumentException("--speculate measures one model: give -m once (got " + models.size() + ")");
        if (limit < 1) throw new IllegalArgumentException("--limit " + limit + " is out of range (a positive count)");
        if (!Float.isFinite(temperature)) throw new IllegalArgumentException("--temp " + temperature + " is out of range (a finite number; 0 or less = greedy)");
        if (contextSize < 0) throw new IllegalArgumentException("--ctx-size " + contextSize + " is out of range (0 = the model's, or a positive count)");
        if (!noLlama && weights == null) err.println("--speculate: measuring Squall's decoders only (llama.cpp is not run)");
        SpeculateBench bench = new SpeculateBench(speculate, speculate.algorithm);
        List<String> texts = prompts == null ? List.of(SpeculateBench.DEFAULT_PROMPT) : SpeculateBench.prompts(prompts, limit);
        ModelOptions target = new ModelOptions();
        target.model = models.get(0);
        target.device = device;
        target.threads = t;
        target.contextSize = contextSize;
        target.weights = weights;
        if (activations.size() != 1) throw new IllegalArgumentException("--speculate measures one --activations mode (got " + String.join(",", activations) + ")");
        target.activations = activations.get(0);
        target.cacheTypeK = cacheTypeK;
        target.cacheTypeV = cacheTypeV;
        target.check(err);
        SamplerConfig sampling = temperature <= 0 ? SamplerConfig.greedy() : withTemperature(SamplerConfig.defaults(seed), temperature);
        Path report = json.toString().equals("reports/bench.json") ? Path.of("reports/bench-speculate.json") : json;
        return bench.run(target, texts, decode, withSeed(sampling, seed), report, out, err);
    }

    private static SamplerConfig withTemperature(SamplerConfig c, float temperature) {
        return new SamplerConfig(temperature, c.topK(), c.topP(), c.minP(), c.repeatPenalty(), c.repeatLastN(), c.presencePenalty(), c.frequencyPenalty(), c.seed());
    }

    private static SamplerConfig withSeed(SamplerConfig c, long seed) {
        return new SamplerConfig(c.temperature(), c.topK(), c.topP(), c.minP(), c.repeatPenalty(), c.repeatLastN(), c.presencePenalty(), c.frequencyPenalty(), seed);
    }

    private static Path resolve(Path ref, PrintWriter err) {
        ModelOptions mo = new ModelOptions();
        mo.model = ref;
        mo.check(err);
        return mo.model;
    }

    private Row measure(Path file, Backend backend, LlamaRef llama, int t, double bandwidth, Activations mode, CacheType kType, CacheType vType,
                        PrintWriter err) {
        long t0 = System.nanoTime();
        OnTheFlyConversion conversion = weights == null ? null : new OnTheFlyConversion(QuantizeOptions.to(WeightFormats.byName(weights)));
        try (Model m = Model.open(file, bytes -> {}, conversion); Plan plan = m.compile(backend, PlanOptions.of(prefill + decode + 8, t).withActivations(mode).withCacheTypes(kType, vType))) {
            double load = (System.nanoTime() - t0) / 1e9;
            if (conversion != null) err.println("  " + conversion.report());
            // warm-up: the JIT compiles the kernels for both batch shapes
            for (int i = 0; i < 2; i++) SquallRun.run(plan, prefill, Math.min(decode, 32), 1000 + i);
            List<Double> sp = new ArrayList<>(), sd = new ArrayList<>(), lp = new ArrayList<>(), ld = new ArrayList<>();
            double llamaLoad = Double.NaN;
            for (int r = 0; r < reps; r++) {
                SquallRun.Timing s = SquallRun.run(plan, prefill, decode, r);
                sp.add(prefill / s.prefillSeconds());
                sd.add(decode / s.decodeSeconds());
                String line = String.format(Locale.ROOT, "  rep %d: squall prefill %.1f decode %.1f tok/s", r + 1, sp.getLast(), sd.getLast());
                if (llama != null) {
                    JsonNode b = llama.bench(file, t, prefill, decode, 1, llamaKv, "auto");
                    JsonNode rep = b.get("reps").get(0);
                    lp.add(rep.get("prefill_tps").asDouble());
                    ld.add(rep.get("decode_tps").asDouble());
                    llamaLoad = b.get("load_ms").asDouble() / 1000;
                    line += String.format(Locale.ROOT, " | llama.cpp prefill %.1f decode %.1f tok/s", lp.getLast(), ld.getLast());
                }
                err.println(line);
                err.flush();
            }
            // the roofline takes one size per cached element: the mean of the key and value sizes
            Roofline sq = Roofline.of(m, (bytes(kType) + bytes(vType)) / 2, prefill, decode, bandwidth);
            Roofline ll = Roofline.of(m, llamaKv.equals("f16") ? 2 : 4, prefill, decode, bandwidth);
            String formats = m.formatSummary() + (mode == Activations.F32 ? "" : " · " + mode.flag() + " act");
            return new Row(file.getFileName().toString(), formats, load, sp, sd, lp, ld, llamaLoad, sq, ll);
        }
    }
}
