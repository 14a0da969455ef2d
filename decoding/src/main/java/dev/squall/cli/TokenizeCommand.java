package dev.squall.cli;

import dev.squall.model.Model;
import dev.squall.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "tokenize", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Print the token ids of a text with a model's tokenizer.")
final class TokenizeCommand implements Callable<Integer> {

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "GGUF model file.")
    Path model;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "The text.")
    String text;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read the text from a file.")
    Path file;

    @Option(names = "--no-bos", description = "Do not add the BOS/EOS tokens the vocabulary asks for.")
    boolean noSpecial;

    @Option(names = "--no-parse-special", description = "Treat special-token text (e.g. <|eot_id|>) as plain text.")
    boolean noParseSpecial;

    @Option(names = "--pieces", description = "Print each id with its text piece.")
    boolean pieces;

    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        if ((text == null) == (file == null)) throw new IllegalArgumentException("give the text with -p TEXT or -f FILE");
        if (!Files.isRegularFile(model)) throw new IllegalArgumentException("--model " + model + ": no such file");
        String input = text != null ? text : TextFiles.read(file, "--file");
        PrintWriter out = spec.commandLine().getOut();
        try (Model m = Model.open(model)) {
            Tokenizer t = m.tokenizer();
            int[] ids = t.encode(input, !noSpecial, !noParseSpecial);
            if (pieces) {
                for (int id : ids) out.printf("%6d %s%n", id, quote(new String(t.tokenBytes(id), StandardCharsets.UTF_8)));
            } else {
                out.println(Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(" ", "[", "]")));
            }
        }
        out.flush();
        return 0;
    }

    private static String quote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r") + "'";
    }
}
