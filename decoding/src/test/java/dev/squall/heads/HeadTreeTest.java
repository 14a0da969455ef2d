package dev.squall.heads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.squall.generation.DraftTree;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The tree shape: within the node limit, parents first, the most probable nodes kept, and drafted trees of that shape. */
class HeadTreeTest {

    /** Accuracies falling with the rank and the head: a[k][r] = 0.6 · 0.5^r · 0.8^k. */
    static double[][] accuracies(int heads) {
        double[][] a = new double[heads][HeadTrainer.RANKS];
        for (int k = 0; k < heads; k++) for (int r = 0; r < HeadTrainer.RANKS; r++) a[k][r] = 0.6 * Math.pow(0.5, r) * Math.pow(0.8, k);
        return a;
    }

    /** The acceptance probability of every node: the product of the accuracies on its path. */
    static double[] probabilities(HeadTree.Shape s, double[][] a) {
        double[] p = new double[s.size()];
        for (int i = 0; i < s.size(); i++) p[i] = (s.parent()[i] == DraftTree.ROOT ? 1 : p[s.parent()[i]]) * a[s.depth()[i]][s.rank()[i]];
        return p;
    }

    @ParameterizedTest(name = "{0} nodes")
    @ValueSource(ints = {1, 5, 16, 64})
    void respectsTheNodeLimitWithParentsBeforeChildren(int nodes) {
        HeadTree.Shape s = HeadTree.shape(accuracies(4), nodes);
        assertEquals(nodes, s.size());
        for (int i = 0; i < s.size(); i++) {
            int p = s.parent()[i];
            assertTrue(p < i, "node " + i + "'s parent " + p + " comes first");
            assertEquals(p == DraftTree.ROOT ? 0 : s.depth()[p] + 1, s.depth()[i], "node " + i + "'s depth");
            assertTrue(s.depth()[i] < 4, "depth below the head count");
        }
    }

    @Test
    void keepsTheMostProbableNodesAndExpectsTheirSum() {
        double[][] a = accuracies(3);
        HeadTree.Shape s = HeadTree.shape(a, 12);
        double[] p = probabilities(s, a);
        double sum = 1;
        for (double x : p) sum += x;
        assertEquals(sum, s.expectedTokens(), 1e-12);
        // every node left out (a child of a kept node or of the root, one rank past a kept sibling or the first rank) is no more probable than the least kept one
        double least = Double.MAX_VALUE;
        for (double x : p) least = Math.min(least, x);
        List<Double> frontier = new ArrayList<>();
        for (int i = -1; i < s.size(); i++) {
            int depth = i < 0 ? 0 : s.depth()[i] + 1;
            if (depth >= a.length) continue;
            double base = i < 0 ? 1 : p[i];
            int kept = 0;
            for (int j = 0; j < s.size(); j++) if (s.parent()[j] == i) kept++;
            if (kept < HeadTrainer.RANKS) frontier.add(base * a[depth][kept]);
        }
        for (double f : frontier) assertTrue(f <= least + 1e-15, "a left-out node of probability " + f + " beats a kept one of " + least);
    }

    @Test
    void draftsATreeOfTheShapeFromTheHeads() {
        int dim = 8, vocab = 40;
        for (DraftHeads.Kind kind : DraftHeads.Kind.values()) {
            DraftHeads heads = DraftHeads.random(kind, 3, dim, vocab, 9);
            HeadTree.Shape s = HeadTree.shape(accuracies(3), 20);
            float[] h = new float[dim];
            for (int i = 0; i < dim; i++) h[i] = (float) Math.sin(i + 1);
            try (Dense d = new Dense(1)) {
                DraftTree t = HeadTree.draft(s, heads, d, h, 5);
                assertEquals(20, t.size(), kind + ": distinct ranks give distinct siblings, so no node merges");
                for (int i = 0; i < t.size(); i++) {
                    int[] branch = new int[t.depth(i) + 1];
                    branch[0] = 5;
                    int[] path = t.parent(i) == DraftTree.ROOT ? new int[0] : t.pathTokens(t.parent(i));
                    System.arraycopy(path, 0, branch, 1, path.length);
                    int[] top = DraftHeads.top(heads.logits(d, t.depth(i), h, branch), HeadTrainer.RANKS);
                    assertEquals(top[s.rank()[i]], t.token(i), kind + " node " + i + ": the rank-" + s.rank()[i] + " guess of head " + t.depth(i));
                }
            }
        }
    }
}
