package dev.squall.speculative;

import dev.squall.generation.DraftTree;
import dev.squall.generation.Session;

/**
 * Prompt lookup decoding (Saxena 2023; llama.cpp's {@code lookup}): the longest n-gram at the end
 * of the committed tokens (from {@code maxNgram} down to {@code minNgram} tokens) is looked for
 * earlier in them, and the tokens that followed its latest earlier occurrence, up to
 * {@code draftMax}, are the draft. Text that repeats its prompt (code edits, quotes, summaries)
 * drafts itself.
 */
public final class PromptLookup extends TreeDecoder {

    private final int minNgram, maxNgram, draftMax;

    public PromptLookup(int minNgram, int maxNgram, int draftMax) {
        if (minNgram < 1 || maxNgram < minNgram) throw new IllegalArgumentException("--ngram-min " + minNgram + " and --ngram-max " + maxNgram + " must satisfy 1 ≤ min ≤ max");
        if (draftMax < 1) throw new IllegalArgumentException("--draft-max " + draftMax + " is out of range (a positive count)");
        this.minNgram = minNgram;
        this.maxNgram = maxNgram;
        this.draftMax = draftMax;
    }

    @Override public String name() { return "lookup"; }

    @Override public DraftTree propose(Session s) {
        int[] t = s.tokens();
        int n = t.length;
        for (int size = Math.min(maxNgram, n - 1); size >= minNgram; size--) {
            for (int start = n - size - 1; start >= 0; start--) {
                if (matches(t, start, n - size, size)) {
                    int from = start + size, to = Math.min(n, from + draftMax);
                    if (to > from) return DraftTree.chain(java.util.Arrays.copyOfRange(t, from, to));
                }
            }
        }
        return new DraftTree();
    }

    private static boolean matches(int[] t, int a, int b, int size) {
        for (int i = 0; i < size; i++) if (t[a + i] != t[b + i]) return false;
        return true;
    }
}
