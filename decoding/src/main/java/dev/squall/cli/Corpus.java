package dev.squall.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A training corpus given on the command line: a text file, a folder of text files (walked in
 * name order) or a zip of them (e.g. a JDK's {@code lib/src.zip}, in entry order), each document
 * named by its path inside the folder or zip. Documents that are not UTF-8 are an error naming the
 * flag, the corpus and the document.
 */
public final class Corpus {

    /** One document: its name (relative path) and its text. */
    public record Document(String name, String text) {}

    private Corpus() {}

    /** The documents of {@code path} whose names pass {@code keep}. */
    public static List<Document> read(Path path, String flag, Predicate<String> keep) throws IOException {
        if (Files.isDirectory(path)) return folder(path, flag, keep);
        if (!Files.isRegularFile(path)) throw new IllegalArgumentException(flag + " " + path + ": no such file or folder");
        if (path.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".zip")) return zip(path, flag, keep);
        List<Document> one = new ArrayList<>();
        String name = path.getFileName().toString();
        if (keep.test(name)) one.add(new Document(name, TextFiles.read(path, flag)));
        return one;
    }

    /** All documents of {@code path}. */
    public static List<Document> read(Path path, String flag) throws IOException { return read(path, flag, n -> true); }

    /**
     * A filter that keeps documents whose names start with {@code prefix} (all when null) and are
     * not listed in {@code excludeFile} (one name per line; none when null): a model's held-out
     * files stay out of anything trained on the corpus.
     */
    public static Predicate<String> filter(String prefix, Path excludeFile, String excludeFlag) throws IOException {
        Set<String> excluded = new HashSet<>();
        if (excludeFile != null) {
            for (String line : TextFiles.read(excludeFile, excludeFlag).lines().toList()) if (!line.isBlank()) excluded.add(line.strip());
        }
        return name -> (prefix == null || name.startsWith(prefix)) && !excluded.contains(name);
    }

    private static List<Document> folder(Path root, String flag, Predicate<String> keep) throws IOException {
        List<Document> docs = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).sorted(Comparator.comparing(Path::toString)).toList()) {
                String name = root.relativize(f).toString().replace('\\', '/');
                if (keep.test(name)) docs.add(new Document(name, TextFiles.read(f, flag)));
            }
        }
        if (docs.isEmpty()) throw new IllegalArgumentException(flag + " " + root + ": no text file in the folder (after filtering)");
        return docs;
    }

    private static List<Document> zip(Path path, String flag, Predicate<String> keep) throws IOException {
        List<Document> docs = new ArrayList<>();
        try (ZipFile zip = new ZipFile(path.toFile())) {
            var entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.isDirectory() || !keep.test(e.getName())) continue;
                try (InputStream in = zip.getInputStream(e)) {
                    docs.add(new Document(e.getName(), utf8(in.readAllBytes(), flag + " " + path + ": entry " + e.getName())));
                }
            }
        } catch (java.util.zip.ZipException e) {
            throw new IllegalArgumentException(flag + " " + path + ": not a readable zip file (" + e.getMessage() + ")");
        }
        if (docs.isEmpty()) throw new IllegalArgumentException(flag + " " + path + ": no entry in the zip (after filtering)");
        return docs;
    }

    private static String utf8(byte[] bytes, String what) {
        try {
            CharBuffer c = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return c.toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(what + ": not UTF-8 text");
        }
    }
}
