package dev.squall.superposed;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * Token n-gram counts of orders 1 to N over a corpus (no n-gram spans two documents), and the
 * interpolated probability of a next token: the filter Superposed Decoding (Shen et al. 2024,
 * §3.2) scores each draft's continuations with.
 *
 * <p><b>Storage</b>: the level-by-level trie of the classic n-gram toolkits, in sorted arrays. An
 * m-gram (m ≥ 2) is keyed by {@code id(first m−1 tokens) × V + last token}, where the id of an
 * (m−1)-gram is its index in order m−1's sorted table (a token's own id for order 1). Keys are
 * exact (no hashing); an order's table is sorted by context, so the continuations of one context
 * are one contiguous run of the next order's table, which gives each context's totals. Twelve
 * bytes per distinct n-gram, plus eight per context.
 *
 * <p><b>Probability</b>: Witten–Bell interpolation (Witten and Bell 1991; Chen and Goodman 1998,
 * §2.5), normalised at every order, so it mixes linearly with a model's distribution:
 * <pre>
 *   P₀(w)       = 1 / V
 *   P_m(w | h)  = (c(h w) + D(h) · P_{m−1}(w | h′)) / (T(h) + D(h))    when T(h) &gt; 0, else P_{m−1}(w | h′)
 * </pre>
 * with h the last m−1 tokens of the history (h′ its last m−2), c the count, T(h) = Σ_w c(h w) the
 * continuations of h and D(h) the distinct ones; the empty context (order 1) has T = the corpus
 * tokens and D = the distinct tokens. The paper mixes orders 2–6 with fixed weights; Witten–Bell
 * weighs each context by its own counts, with nothing to tune.
 *
 * <p><b>File</b> (little-endian): magic {@code "SQNGRAM\0"}, version, order, the vocabulary's size
 * and fingerprint and source name ({@link VocabularyId}), corpus tokens, V unigram counts, then per
 * order m ≥ 2 its entry count, keys and counts; last a CRC-32C of everything before it.
 */
public final class NgramModel {

    public static final int MAX_ORDER = 8;
    static final byte[] MAGIC = "SQNGRAM\0".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;

    private final int order;
    private final int v;
    private final VocabularyId vocabulary;
    private final Path file;
    private final long tokens;
    private final int distinctTokens;
    private final int[] unigrams;
    private final long[][] keys;         // [m] for m ≥ 2: sorted keys of the m-grams
    private final int[][] counts;        // [m] for m ≥ 1 (m = 1: dense by token id)
    private final int[][] totals;        // [m] for 1 ≤ m < order: T of each m-gram as a context
    private final int[][] distinct;      // [m] likewise D

    private NgramModel(int order, VocabularyId vocabulary, Path file, long tokens, int[] unigrams, long[][] keys, int[][] counts) {
        this.order = order;
        this.v = vocabulary.size();
        this.vocabulary = vocabulary;
        this.file = file;
        this.tokens = tokens;
        this.unigrams = unigrams;
        this.keys = keys;
        this.counts = counts;
        this.counts[1] = unigrams;
        int d = 0;
        for (int c : unigrams) if (c > 0) d++;
        this.distinctTokens = d;
        this.totals = new int[order][];
        this.distinct = new int[order][];
        for (int m = 1; m < order; m++) {
            int contexts = m == 1 ? v : keys[m].length;
            int[] t = new int[contexts], n = new int[contexts];
            long[] next = keys[m + 1];
            int[] nextCounts = counts[m + 1];
            for (int i = 0; i < next.length; i++) {
                int ctx = (int) (next[i] / v);
                t[ctx] += nextCounts[i];
                n[ctx]++;
            }
            totals[m] = t;
            distinct[m] = n;
        }
    }

    // ---------------------------------------------------------------- counting

    /**
     * Counts the n-grams of orders 1 to {@code order} of {@code documents} (token ids of
     * {@code vocabulary}; a document shorter than n has no n-gram).
     */
    public static NgramModel count(List<int[]> documents, int order, VocabularyId vocabulary) {
        if (order < 1 || order > MAX_ORDER) throw new IllegalArgumentException("n-gram order " + order + " is out of range (1 to " + MAX_ORDER + ")");
        int v = vocabulary.size();
        long total = 0;
        for (int[] d : documents) total += d.length;
        if (total > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("a corpus of " + total + " tokens; at most " + (Integer.MAX_VALUE - 8) + " are counted");
        int n = (int) total;
        int[] tok = new int[n], end = new int[n];   // end[i]: the end of position i's document
        int at = 0;
        for (int[] d : documents) {
            for (int t : d) {
                if (t < 0 || t >= v) throw new IllegalArgumentException("token " + t + " is outside the vocabulary of " + v + " tokens");
                tok[at++] = t;
            }
            Arrays.fill(end, at - d.length, at, at);
        }
        int[] unigrams = new int[v];
        for (int t : tok) unigrams[t]++;
        long[][] keys = new long[order + 1][];
        int[][] counts = new int[order + 1][];
        int[] ids = tok.clone();                    // ids[i]: the id of the (m−1)-gram starting at i
        for (int m = 2; m <= order; m++) {
            int grams = 0;
            for (int i = 0; i < n; i++) if (i + m <= end[i]) grams++;
            long[] all = new long[grams];
            for (int i = 0, j = 0; i < n; i++) if (i + m <= end[i]) all[j++] = (long) ids[i] * v + tok[i + m - 1];
            Arrays.parallelSort(all);
            int unique = 0;
            for (int i = 0; i < grams; i++) if (i == 0 || all[i] != all[i - 1]) unique++;
            long[] k = new long[unique];
            int[] c = new int[unique];
            for (int i = 0, u = -1; i < grams; i++) {
                if (i == 0 || all[i] != all[i - 1]) k[++u] = all[i];
                c[u]++;
            }
            keys[m] = k;
            counts[m] = c;
            if (m < order) {
                for (int i = 0; i < n; i++) if (i + m <= end[i]) ids[i] = Arrays.binarySearch(k, (long) ids[i] * v + tok[i + m - 1]);
            }
        }
        return new NgramModel(order, vocabulary, null, n, unigrams, keys, counts);
    }

    // ---------------------------------------------------------------- queries

    public int order() { return order; }

    public VocabularyId vocabulary() { return vocabulary; }

    /** The file this model was read from or written to, or null. */
    public Path file() { return file; }

    /** Tokens of the corpus counted. */
    public long tokens() { return tokens; }

    /** Distinct n-grams of order {@code m}. */
    public long distinct(int m) {
        if (m < 1 || m > order) throw new IllegalArgumentException("order " + m + " is outside 1 to " + order);
        return m == 1 ? distinctTokens : keys[m].length;
    }

    /** How often {@code gram} occurs in the corpus (the corpus's tokens for an empty one). */
    public long count(int... gram) {
        if (gram.length == 0) return tokens;
        if (gram.length > order) throw new IllegalArgumentException("a " + gram.length + "-gram; this model counts up to order " + order);
        int id = id(gram, 0, gram.length);
        return id < 0 ? 0 : counts[gram.length][id];
    }

    /**
     * P(token | the last {@code order − 1} tokens of {@code history[0, length)}), interpolated as
     * the class comment says; fewer tokens of history use the lower orders only.
     */
    public double probability(int[] history, int length, int token) {
        if (token < 0 || token >= v) throw new IllegalArgumentException("token " + token + " is outside the vocabulary of " + v + " tokens");
        double p = (unigrams[token] + distinctTokens / (double) v) / (tokens + distinctTokens);
        if (tokens == 0) p = 1.0 / v;
        for (int m = 2; m <= Math.min(order, length + 1); m++) {
            int ctx = id(history, length - (m - 1), length);
            if (ctx < 0 || totals[m - 1][ctx] == 0) break;     // a longer context ending in this one is unseen too
            int at = Arrays.binarySearch(keys[m], (long) ctx * v + token);
            int c = at < 0 ? 0 : counts[m][at];
            int d = distinct[m - 1][ctx];
            p = (c + d * p) / (totals[m - 1][ctx] + d);
        }
        return p;
    }

    /** The id of the gram {@code t[from, to)} in its order's table, or −1 when it never occurs. */
    private int id(int[] t, int from, int to) {
        int id = t[from];
        if (id < 0 || id >= v || unigrams[id] == 0) return -1;
        for (int i = from + 1; i < to; i++) {
            int at = Arrays.binarySearch(keys[i - from + 1], (long) id * v + t[i]);
            if (at < 0) return -1;
            id = at;
        }
        return id;
    }

    /** Refuses scoring the tokens of {@code model}'s vocabulary when they are not the ones counted. */
    public void requireVocabulary(VocabularyId model) {
        if (!vocabulary.sameAs(model)) {
            throw new IllegalArgumentException((file == null ? "n-gram model" : file.toString()) + ": counted in the vocabulary of "
                    + vocabulary + ", not that of the model " + model + "; build one with 'squall ngram -m MODEL'");
        }
    }

    // ---------------------------------------------------------------- file

    /** Writes the model to {@code path} (to a temporary file, then moved into place); returns it as the model of that file. */
    public NgramModel save(Path path) throws IOException {
        byte[] source = vocabulary.source().getBytes(StandardCharsets.UTF_8);
        long bytes = 8 + 4 * 3 + 8 + 4 + source.length + 8 + 4L * v + 4;
        for (int m = 2; m <= order; m++) bytes += 4 + 12L * keys[m].length;
        if (bytes > Integer.MAX_VALUE - 16) throw new IllegalArgumentException(path + ": " + bytes + " bytes is too large for one n-gram file; lower --order or --max-tokens");
        ByteBuffer b = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(VERSION).putInt(order).putInt(v).putLong(vocabulary.fingerprint());
        b.putInt(source.length).put(source).putLong(tokens);
        b.asIntBuffer().put(unigrams);
        b.position(b.position() + 4 * v);
        for (int m = 2; m <= order; m++) {
            b.putInt(keys[m].length);
            b.asLongBuffer().put(keys[m]);
            b.position(b.position() + 8 * keys[m].length);
            b.asIntBuffer().put(counts[m]);
            b.position(b.position() + 4 * counts[m].length);
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        Path absolute = path.toAbsolutePath();
        if (absolute.getParent() != null) Files.createDirectories(absolute.getParent());
        Path tmp = absolute.resolveSibling(absolute.getFileName() + ".tmp");
        Files.write(tmp, b.array());
        Files.move(tmp, absolute, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return new NgramModel(order, vocabulary, path, tokens, unigrams, keys, counts);
    }

    /** Reads a file {@link #save} wrote; a missing, foreign, truncated or corrupt file is an error naming it and what is wrong. */
    public static NgramModel load(Path path) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(path + ": no such file");
        }
        Reader r = new Reader(path, bytes);
        byte[] head = Arrays.copyOf(bytes, Math.min(bytes.length, MAGIC.length));
        if (!Arrays.equals(head, Arrays.copyOf(MAGIC, head.length)) || bytes.length == 0) {
            throw new IllegalArgumentException(path + ": not a Squall n-gram file (it starts with " + hex(head) + ", expected " + hex(MAGIC) + ")");
        }
        r.bytes(MAGIC.length, "magic");
        int version = r.b.getInt(r.need(4, "version"));
        if (version != VERSION) throw new IllegalArgumentException(path + ": n-gram file version " + version + ", this Squall reads version " + VERSION);
        int order = r.b.getInt(r.need(4, "order"));
        if (order < 1 || order > MAX_ORDER) throw r.bad("order " + order + " is out of range (1 to " + MAX_ORDER + ")");
        int v = r.b.getInt(r.need(4, "vocabulary size"));
        if (v < 1) throw r.bad("vocabulary size " + v + " is out of range (a positive count)");
        long fingerprint = r.b.getLong(r.need(8, "vocabulary fingerprint"));
        int sourceLength = r.b.getInt(r.need(4, "source length"));
        if (sourceLength < 0 || sourceLength > 4096) throw r.bad("source name of " + sourceLength + " bytes (at most 4096)");
        String source = new String(r.bytes(sourceLength, "source name"), StandardCharsets.UTF_8);
        long tokens = r.b.getLong(r.need(8, "token count"));
        int[] unigrams = new int[v];
        r.b.position(r.need(4L * v, "unigram counts"));
        r.b.asIntBuffer().get(unigrams);
        long[][] keys = new long[order + 1][];
        int[][] counts = new int[order + 1][];
        for (int m = 2; m <= order; m++) {
            int n = r.b.getInt(r.need(4, "order " + m + " entry count"));
            if (n < 0) throw r.bad("order " + m + " has " + n + " entries");
            keys[m] = new long[n];
            counts[m] = new int[n];
            r.b.position(r.need(8L * n, "order " + m + " keys"));
            r.b.asLongBuffer().get(keys[m]);
            r.b.position(r.need(4L * n, "order " + m + " counts"));
            r.b.asIntBuffer().get(counts[m]);
        }
        int stored = r.b.getInt(r.need(4, "checksum"));
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, r.at - 4);
        if (stored != (int) crc.getValue()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: checksum mismatch (stored %08x, computed %08x): the file is corrupt", path, stored, (int) crc.getValue()));
        }
        if (r.at != bytes.length) throw r.bad((bytes.length - r.at) + " bytes after the checksum");
        for (int m = 2; m <= order; m++) {
            long contexts = m == 2 ? v : keys[m - 1].length;
            for (int i = 0; i < keys[m].length; i++) {
                if ((i > 0 && keys[m][i] <= keys[m][i - 1]) || keys[m][i] < 0 || keys[m][i] / v >= contexts || counts[m][i] < 1) {
                    throw r.bad("order " + m + " entry " + i + " is out of order or range (key " + keys[m][i] + ", count " + counts[m][i] + ")");
                }
            }
        }
        return new NgramModel(order, new VocabularyId(v, fingerprint, source), path, tokens, unigrams, keys, counts);
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) s.append(String.format(Locale.ROOT, "%02x", x));
        return s.toString();
    }

    /** Bounds-checked reading: a field past the end is a "truncated" error naming the field. */
    private static final class Reader {
        final Path path;
        final ByteBuffer b;
        int at;

        Reader(Path path, byte[] bytes) {
            this.path = path;
            this.b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }

        /** Reserves {@code n} bytes for {@code field}; returns where they start. */
        int need(long n, String field) {
            if (at + n > b.capacity()) {
                throw new IllegalArgumentException(path + ": truncated: the " + field + " needs " + n + " bytes at offset " + at + ", the file has " + b.capacity());
            }
            int start = at;
            at += (int) n;
            return start;
        }

        byte[] bytes(int n, String field) {
            byte[] out = new byte[n];
            b.get(need(n, field), out);
            return out;
        }

        IllegalArgumentException bad(String what) { return new IllegalArgumentException(path + ": " + what); }
    }
}
