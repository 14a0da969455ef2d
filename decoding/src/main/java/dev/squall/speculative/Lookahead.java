package dev.squall.speculative;

import dev.squall.generation.DraftTree;
import dev.squall.generation.Session;
import dev.squall.generation.Verifier;

/**
 * Lookahead (Zhao et al. 2024, "Lookahead: An Inference Acceleration Framework for Large Language
 * Model with Lossless Generation Accuracy"): a trie of the n-grams of the prompt and of the output
 * so far (optionally warmed from a corpus) is searched for the longest suffix of the committed
 * tokens ({@code maxPrefix} tokens down to 1); the most frequent continuations below the match,
 * several branches of up to {@code branchLength} tokens and {@code maxNodes} tokens in all, form
 * one draft tree verified in one forward call (the hierarchical multi-branch draft).
 */
public final class Lookahead extends TreeDecoder {

    private final NgramTrie trie;
    private final int maxPrefix, branchLength, maxNodes;
    private int[] counted = new int[256];   // per start position: how many of its n-gram's tokens the trie counts
    private int complete, lastLength;       // starts below `complete` have their whole n-gram counted
    private Session seen;

    public Lookahead(int maxPrefix, int branchLength, int maxNodes, int[] corpus) {
        if (maxPrefix < 1) throw new IllegalArgumentException("--lookahead-prefix " + maxPrefix + " is out of range (a positive count)");
        if (branchLength < 1) throw new IllegalArgumentException("--draft-max " + branchLength + " is out of range (a positive count)");
        if (maxNodes < 1) throw new IllegalArgumentException("--branches " + maxNodes + " is out of range (a positive count)");
        this.maxPrefix = maxPrefix;
        this.branchLength = branchLength;
        this.maxNodes = maxNodes;
        this.trie = new NgramTrie(4_000_000);
        if (corpus != null) for (int i = 0; i < corpus.length; i++) trie.insert(corpus, i, Math.min(corpus.length, i + gram()));
    }

    private int gram() { return maxPrefix + branchLength; }

    @Override public String name() { return "lookahead"; }

    @Override public DraftTree propose(Session s) {
        int[] t = s.tokens();
        int n = t.length;
        if (seen != s || n < lastLength) {       // a new session, or one rolled back: count from here on
            if (seen != s) java.util.Arrays.fill(counted, 0);
            seen = s;
            complete = Math.min(complete, n);
            for (int i = complete; i < Math.min(lastLength, counted.length); i++) counted[i] = 0;
        }
        lastLength = n;
        if (counted.length < n) counted = java.util.Arrays.copyOf(counted, Math.max(n, 2 * counted.length));
        for (int i = complete; i < n; i++) {      // every n-gram starting at a committed token, as far as it goes
            int end = Math.min(n, i + gram());
            if (end - i > counted[i]) {
                trie.insert(t, i, end, counted[i]);
                counted[i] = end - i;
            }
        }
        while (complete < n && counted[complete] == gram()) complete++;
        for (int size = Math.min(maxPrefix, n); size >= 1; size--) {
            NgramTrie.Node node = trie.find(t, n - size, n);
            if (node != null && !node.children.isEmpty()) return trie.draft(node, maxNodes, branchLength);
        }
        return new DraftTree();
    }

    @Override protected void verified(Session s, Session.Evaluation e, Verifier.Outcome o) {}
}
