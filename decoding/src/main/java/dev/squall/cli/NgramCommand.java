package dev.squall.cli;

import dev.squall.model.Model;
import dev.squall.superposed.NgramModel;
import dev.squall.superposed.VocabularyId;
import dev.squall.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "ngram", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Count the token n-grams of a corpus into a file: the filter of superposed decoding",
                "('squall generate --superposed K --ngram FILE'). The corpus is split by the model's tokenizer and the",
                "file records that vocabulary; prints the counts per order and the build time."})
final class NgramCommand implements Callable<Integer> {

    @Option(names = "--corpus", required = true, paramLabel = "PATH",
            description = "A text file, a folder of text files or a zip of them (e.g. a JDK's lib/src.zip).")
    Path corpus;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The n-gram file to write.")
    Path output;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE",
            description = "The model whose tokenizer splits the corpus: GGUF file or sample:NAME[:FORMAT] (only its vocabulary is read).")
    Path model;

    @Option(names = "--order", defaultValue = "4", paramLabel = "N",
            description = "Longest n-gram counted, 1 to " + NgramModel.MAX_ORDER + " (default ${DEFAULT-VALUE}).")
    int order;

    @Option(names = "--prefix", paramLabel = "P", description = "Only documents whose names start with P (e.g. java.base/java/).")
    String prefix;

    @Option(names = "--exclude", paramLabel = "LIST", description = "A file naming documents to leave out, one per line (held-out files).")
    Path exclude;

    @Option(names = "--max-tokens", defaultValue = "0", paramLabel = "N",
            description = "Count at most N corpus tokens, documents in order, the last one cut (default 0: all).")
    long maxTokens;

    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (order < 1 || order > NgramModel.MAX_ORDER) throw new IllegalArgumentException("--order " + order + " is out of range (1 to " + NgramModel.MAX_ORDER + ")");
        if (maxTokens < 0) throw new IllegalArgumentException("--max-tokens " + maxTokens + " is out of range (0 = all, or a positive count)");
        if (exclude != null && !Files.isRegularFile(exclude)) throw new IllegalArgumentException("--exclude " + exclude + ": no such file");
        ModelOptions mo = new ModelOptions();
        mo.model = model;
        if (SampleRef.is(model)) mo.model = SampleRef.resolve(model, err);
        if (!Files.isRegularFile(mo.model)) throw new IllegalArgumentException("--model " + mo.model + ": no such file");
        long t0 = System.nanoTime();
        List<Corpus.Document> docs = Corpus.read(corpus, "--corpus", Corpus.filter(prefix, exclude, "--exclude"));
        if (docs.isEmpty()) throw new IllegalArgumentException("--corpus " + corpus + ": no document" + (prefix == null ? "" : " named " + prefix + "…"));
        try (Model m = Model.open(mo.model)) {
            Tokenizer tokenizer = m.tokenizer();
            List<int[]> encoded = docs.parallelStream().map(d -> tokenizer.encode(d.text(), false, false)).toList();
            List<int[]> kept = new ArrayList<>();
            long total = 0;
            for (int[] d : encoded) {
                if (maxTokens > 0 && total + d.length > maxTokens) {
                    if (total < maxTokens) kept.add(Arrays.copyOf(d, (int) (maxTokens - total)));
                    total = maxTokens;
                    break;
                }
                kept.add(d);
                total += d.length;
            }
            double read = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            NgramModel ngrams = NgramModel.count(kept, order, VocabularyId.of(tokenizer, mo.model.getFileName().toString()));
            double counted = (System.nanoTime() - t1) / 1e9;
            ngrams = ngrams.save(output);
            double all = (System.nanoTime() - t0) / 1e9;
            out.printf(Locale.ROOT, "corpus %s: %d documents, %d tokens (%s vocabulary, %d tokens)%n", corpus, kept.size(), ngrams.tokens(),
                    mo.model.getFileName(), tokenizer.vocabSize());
            for (int n = 1; n <= order; n++) out.printf(Locale.ROOT, "  order %d: %,d distinct%n", n, ngrams.distinct(n));
            out.printf(Locale.ROOT, "wrote %s (%,d bytes) | read and tokenized %.1f s, counted %.1f s, %.1f s in all%n", output,
                    Files.size(output), read, counted, all);
            out.flush();
        }
        return 0;
    }
}
