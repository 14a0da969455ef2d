package dev.squall.superposed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The n-gram model against its definition: counts of every window inside a document, Witten–Bell
 * probabilities computed here from those counts by the formula of {@link NgramModel}'s comment,
 * a file that reads back the same, and files that are refused with the reason.
 */
class NgramModelTest {

    private static final int V = 5, ORDER = 3;
    private static final List<int[]> DOCS = List.of(new int[] {0, 1, 2, 0, 1, 3, 0, 1, 2}, new int[] {1, 2, 1, 2, 4}, new int[] {3});
    private static final VocabularyId VOCAB = new VocabularyId(V, 0x1234_5678_9abc_def0L, "tiny.gguf");

    @TempDir Path dir;

    /** Every window of length 1..ORDER inside one document, counted. */
    private static Map<List<Integer>, Integer> windows() {
        Map<List<Integer>, Integer> c = new HashMap<>();
        for (int[] d : DOCS) {
            for (int n = 1; n <= ORDER; n++) {
                for (int i = 0; i + n <= d.length; i++) c.merge(Arrays.stream(d, i, i + n).boxed().toList(), 1, Integer::sum);
            }
        }
        return c;
    }

    /** Witten–Bell from the counts, written as the definition reads (P₀ = 1/V; T and D of a context over its continuations). */
    private static double reference(Map<List<Integer>, Integer> c, List<Integer> history, int w) {
        List<Integer> h = history.subList(Math.max(0, history.size() - (ORDER - 1)), history.size());
        return wittenBell(c, h, w);
    }

    private static double wittenBell(Map<List<Integer>, Integer> c, List<Integer> h, int w) {
        double lower = h.isEmpty() ? 1.0 / V : wittenBell(c, h.subList(1, h.size()), w);
        long total = 0, distinct = 0;
        for (var e : c.entrySet()) {
            List<Integer> g = e.getKey();
            if (g.size() == h.size() + 1 && g.subList(0, h.size()).equals(h)) {
                total += e.getValue();
                distinct++;
            }
        }
        if (total == 0) return lower;
        List<Integer> hw = new ArrayList<>(h);
        hw.add(w);
        return (c.getOrDefault(hw, 0) + distinct * lower) / (total + distinct);
    }

    /** Every history of up to {@code ORDER} tokens over the vocabulary. */
    private static List<List<Integer>> histories() {
        List<List<Integer>> all = new ArrayList<>();
        all.add(List.of());
        for (int len = 1; len <= ORDER; len++) {
            for (int code = 0; code < Math.pow(V, len); code++) {
                List<Integer> h = new ArrayList<>();
                for (int i = 0, x = code; i < len; i++, x /= V) h.add(x % V);
                all.add(h);
            }
        }
        return all;
    }

    private static double probability(NgramModel m, List<Integer> h, int w) {
        return m.probability(h.stream().mapToInt(Integer::intValue).toArray(), h.size(), w);
    }

    private static NgramModel model() { return NgramModel.count(DOCS, ORDER, VOCAB); }

    @Test
    void countsAreTheWindowsInsideEachDocument() {
        NgramModel m = model();
        Map<List<Integer>, Integer> c = windows();
        for (List<Integer> h : histories()) {
            if (h.isEmpty()) continue;
            assertEquals(c.getOrDefault(h, 0).longValue(), m.count(h.stream().mapToInt(Integer::intValue).toArray()), "count of " + h);
        }
        assertEquals(Arrays.stream(DOCS.toArray(int[][]::new)).mapToInt(d -> d.length).sum(), m.tokens());
        assertEquals(m.tokens(), m.count());
        for (int n = 1; n <= ORDER; n++) {
            int order = n;
            assertEquals(c.keySet().stream().filter(g -> g.size() == order).count(), m.distinct(n), "distinct " + n + "-grams");
        }
    }

    @Test
    void probabilitiesAreWittenBellOfTheCounts() {
        NgramModel m = model();
        Map<List<Integer>, Integer> c = windows();
        for (List<Integer> h : histories()) {
            for (int w = 0; w < V; w++) assertEquals(reference(c, h, w), probability(m, h, w), 1e-12, "P(" + w + " | " + h + ")");
        }
    }

    @Test
    void probabilitiesSumToOneAfterEveryHistory() {
        NgramModel m = model();
        for (List<Integer> h : histories()) {
            double sum = 0;
            for (int w = 0; w < V; w++) sum += probability(m, h, w);
            assertEquals(1.0, sum, 1e-12, "Σ_w P(w | " + h + ")");
        }
    }

    @Test
    void aSavedModelLoadsWithTheSameCountsAndProbabilities() throws IOException {
        NgramModel m = model();
        Path file = dir.resolve("tiny.ngram");
        m.save(file);
        NgramModel back = NgramModel.load(file);
        assertEquals(file, back.file());
        assertEquals(VOCAB, back.vocabulary());
        assertEquals(m.order(), back.order());
        assertEquals(m.tokens(), back.tokens());
        for (List<Integer> h : histories()) {
            int[] g = h.stream().mapToInt(Integer::intValue).toArray();
            assertEquals(m.count(g), back.count(g), "count of " + h);
            for (int w = 0; w < V; w++) assertEquals(probability(m, h, w), probability(back, h, w), "P(" + w + " | " + h + ")");
        }
    }

    @Test
    void anotherVocabularyIsRefusedNamingBoth() throws IOException {
        Path file = dir.resolve("tiny.ngram");
        NgramModel m = model().save(file);
        m.requireVocabulary(new VocabularyId(V, VOCAB.fingerprint(), "same-tokens.gguf"));
        var e = assertThrows(IllegalArgumentException.class, () -> m.requireVocabulary(new VocabularyId(V, 42, "other.gguf")));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("tiny.gguf") && e.getMessage().contains("other.gguf"), e.getMessage());
        var size = assertThrows(IllegalArgumentException.class, () -> m.requireVocabulary(new VocabularyId(V + 1, VOCAB.fingerprint(), "bigger.gguf")));
        assertTrue(size.getMessage().contains("5 tokens") && size.getMessage().contains("6 tokens"), size.getMessage());
    }

    @Test
    void aCorruptFileIsRefusedNamingIt() throws IOException {
        Path file = dir.resolve("tiny.ngram");
        model().save(file);
        byte[] good = Files.readAllBytes(file);
        byte[] flipped = good.clone();
        flipped[good.length - 20] ^= 0x10;
        assertRefused(flipped, "checksum mismatch");
        assertRefused(Arrays.copyOf(good, good.length - 7), "truncated");
        assertRefused(Arrays.copyOf(good, 10), "truncated: the version");
        byte[] foreign = good.clone();
        foreign[0] = 'X';
        assertRefused(foreign, "not a Squall n-gram file");
        var missing = assertThrows(IllegalArgumentException.class, () -> NgramModel.load(dir.resolve("absent.ngram")));
        assertTrue(missing.getMessage().contains("absent.ngram: no such file"), missing.getMessage());
    }

    private void assertRefused(byte[] bytes, String reason) throws IOException {
        Path bad = dir.resolve("bad.ngram");
        Files.write(bad, bytes);
        var e = assertThrows(IllegalArgumentException.class, () -> NgramModel.load(bad));
        assertTrue(e.getMessage().startsWith(bad + ": ") && e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void anOrderOutsideTheRangeIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> NgramModel.count(DOCS, NgramModel.MAX_ORDER + 1, VOCAB));
        assertTrue(e.getMessage().contains("order " + (NgramModel.MAX_ORDER + 1)), e.getMessage());
        var t = assertThrows(IllegalArgumentException.class, () -> NgramModel.count(List.of(new int[] {V}), 2, VOCAB));
        assertTrue(t.getMessage().contains("token " + V), t.getMessage());
    }
}
