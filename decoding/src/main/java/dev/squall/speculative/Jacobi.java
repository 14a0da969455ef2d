package dev.squall.speculative;

import dev.squall.generation.DraftTree;
import dev.squall.generation.Session;
import dev.squall.generation.Verifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Jacobi lookahead decoding (Fu et al. 2024, "Break the Sequential Dependency of LLM Inference
 * Using Lookahead Decoding"; llama.cpp's {@code lookahead} example): each forward call carries,
 * after the last committed token x,
 * <ul>
 *   <li>the lookahead branch: a window of {@code W} columns × {@code N − 1} levels of Jacobi
 *       guesses, level 0 a chain x → g(0,1) → … → g(0,W−1), level j of column i under level j−1
 *       of column i (column 0 of level 0 is x itself), so token (j, i) sits at position
 *       x + i + j and sees the guesses before it, as in the paper's attention mask;</li>
 *   <li>the verification branch: up to {@code G} n-grams from the pool that start with x.</li>
 * </ul>
 * The target's choice after each last-level token becomes the new last level (the levels shift
 * up), and each column's tokens from level 0 to the new one form an n-gram for the pool. All of
 * it is one {@link DraftTree}, so the path kept is whatever guesses agree with the target, the
 * lookahead chain included. Lossless like every tree decoder here.
 */
public final class Jacobi extends TreeDecoder {

    private final int window, ngram, verify;
    private final int[][] levels;      // [level][column]; level 0 column 0 unused (x)
    private final Map<Integer, List<int[]>> pool = new HashMap<>();
    private final SplittableRandom random;
    private boolean initialised;
    private int[][] nodes;             // [level][column] → tree node of the last proposal (-1: the root)
    private int x;                     // the last committed token when the tree was proposed

    public Jacobi(int window, int ngram, int verify, long seed) {
        if (window < 2) throw new IllegalArgumentException("--jacobi-window " + window + " is out of range (2 or more)");
        if (ngram < 3) throw new IllegalArgumentException("--jacobi-ngram " + ngram + " is out of range (3 or more)");
        if (verify < 0) throw new IllegalArgumentException("--jacobi-verify " + verify + " is out of range (0 or more)");
        this.window = window;
        this.ngram = ngram;
        this.verify = verify;
        this.levels = new int[ngram - 1][window];
        this.random = new SplittableRandom(seed);
    }

    @Override public String name() { return "jacobi"; }

    @Override public DraftTree propose(Session s) {
        int[] t = s.tokens();
        x = t[t.length - 1];
        if (!initialised) {                       // guesses start as tokens of the prompt, as llama.cpp seeds them
            for (int[] level : levels) for (int i = 0; i < window; i++) level[i] = t[random.nextInt(t.length)];
            initialised = true;
        }
        DraftTree tree = new DraftTree();
        for (int[] g : pool.getOrDefault(x, List.of())) tree.addPath(DraftTree.ROOT, g, 0, g.length);
        nodes = new int[ngram - 1][window];
        nodes[0][0] = DraftTree.ROOT;
        for (int i = 1; i < window; i++) nodes[0][i] = tree.add(nodes[0][i - 1], levels[0][i]);
        for (int j = 1; j < ngram - 1; j++) for (int i = 0; i < window; i++) nodes[j][i] = tree.add(nodes[j - 1][i], levels[j][i]);
        return tree;
    }

    @Override protected void verified(Session s, Session.Evaluation e, Verifier.Outcome o) {
        if (nodes == null || e.tree().size() < nodes[ngram - 2][window - 1] + 1) return;   // the tree was cut (context or budget)
        int last = ngram - 2;
        int[] next = new int[window];
        for (int i = 0; i < window; i++) {
            int node = nodes[last][i];
            next[i] = argmax(node == DraftTree.ROOT ? e.rootLogits() : e.logits(node));
        }
        for (int i = 0; i < window; i++) {
            int[] g = new int[ngram - 1];
            for (int j = 1; j < ngram - 1; j++) g[j - 1] = levels[j][i];
            g[ngram - 2] = next[i];
            int key = i == 0 ? x : levels[0][i];
            remember(key, g);
        }
        for (int j = 0; j < last; j++) levels[j] = levels[j + 1].clone();
        levels[last] = next;
    }

    private void remember(int key, int[] g) {
        List<int[]> list = pool.computeIfAbsent(key, k -> new ArrayList<>());
        for (int[] h : list) if (java.util.Arrays.equals(h, g)) return;
        if (list.size() == Math.max(1, verify)) list.remove(0);
        if (verify > 0) list.add(g);
    }

    private static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }
}
