package dev.squall.heads;

import dev.squall.generation.DraftTree;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The candidate tree drafted from heads' guesses, shaped by how often each guess is right
 * (Medusa, Cai et al. 2024, §2.3.3): node {@code i} takes the rank-{@code rank[i]} guess of head
 * {@code depth[i]} under its parent. If head k's rank-r guess is right with probability
 * {@code a[k][r]} (measured on held-out text after training), a node is kept with probability
 * about the product of its path's accuracies, and the expected tokens per step are
 * {@code 1 + Σ nodes}. The shape takes the {@code maxNodes} nodes of highest product, best first,
 * so every parent comes before its children and cutting the tree to its first n nodes keeps the
 * n best.
 */
public final class HeadTree {

    /** A tree shape: node i is the rank[i]-th guess of head depth[i] under node parent[i] ({@link DraftTree#ROOT} for depth 0). */
    public record Shape(int[] parent, int[] depth, int[] rank, double expectedTokens) {
        public int size() { return parent.length; }
    }

    private HeadTree() {}

    /** The best shape of at most {@code maxNodes} nodes for heads whose rank accuracies are {@code info}'s. */
    public static Shape shape(HeadsFile.Info info, int heads, int maxNodes) {
        double[][] a = new double[heads][HeadTrainer.RANKS];
        for (int k = 0; k < heads; k++) for (int r = 0; r < HeadTrainer.RANKS; r++) a[k][r] = info.accuracy(k, r);
        return shape(a, maxNodes);
    }

    /** The best shape of at most {@code maxNodes} nodes for rank accuracies {@code a[head][rank]}. */
    public static Shape shape(double[][] a, int maxNodes) {
        if (maxNodes < 1) throw new IllegalArgumentException("a draft tree needs at least 1 node: " + maxNodes);
        record Candidate(int parent, int depth, int rank, double parentScore, double score) {}
        PriorityQueue<Candidate> queue = new PriorityQueue<>((x, y) -> Double.compare(y.score, x.score));
        queue.add(new Candidate(DraftTree.ROOT, 0, 0, 1.0, a[0][0]));
        int[] parent = new int[maxNodes], depth = new int[maxNodes], rank = new int[maxNodes];
        double[] score = new double[maxNodes];
        int n = 0;
        double expected = 1;
        while (n < maxNodes && !queue.isEmpty()) {
            Candidate c = queue.poll();
            if (c.score <= 0) break;
            parent[n] = c.parent;
            depth[n] = c.depth;
            rank[n] = c.rank;
            score[n] = c.score;
            expected += c.score;
            if (c.rank + 1 < a[c.depth].length) queue.add(new Candidate(c.parent, c.depth, c.rank + 1, c.parentScore, c.parentScore * a[c.depth][c.rank + 1]));
            if (c.depth + 1 < a.length) queue.add(new Candidate(n, c.depth + 1, 0, c.score, c.score * a[c.depth + 1][0]));
            n++;
        }
        return depthFirst(Arrays.copyOf(parent, n), Arrays.copyOf(depth, n), Arrays.copyOf(rank, n), expected);
    }

    /** The same shape with its nodes in depth-first order (each first child right after its parent, siblings by rank), as {@link DraftTree} prefers. */
    private static Shape depthFirst(int[] parent, int[] depth, int[] rank, double expected) {
        int n = parent.length;
        int[] order = new int[n], newIndex = new int[n];
        int[] stack = new int[n + 1];
        int top = 0, at = 0;
        java.util.List<java.util.List<Integer>> children = new java.util.ArrayList<>();
        for (int i = 0; i <= n; i++) children.add(new java.util.ArrayList<>());
        for (int i = 0; i < n; i++) children.get(parent[i] + 1).add(i);
        for (java.util.List<Integer> c : children) c.sort((x, y) -> Integer.compare(rank[y], rank[x]));   // pushed in reverse: popped by rank
        for (int c : children.get(0)) stack[top++] = c;
        while (top > 0) {
            int i = stack[--top];
            newIndex[i] = at;
            order[at++] = i;
            for (int c : children.get(i + 1)) stack[top++] = c;
        }
        int[] p = new int[n], d = new int[n], r = new int[n];
        for (int j = 0; j < n; j++) {
            int i = order[j];
            p[j] = parent[i] == DraftTree.ROOT ? DraftTree.ROOT : newIndex[parent[i]];
            d[j] = depth[i];
            r[j] = rank[i];
        }
        return new Shape(p, d, r, expected);
    }

    /**
     * The tree of {@code shape} after the pending token {@code next} (the model's own next token,
     * drawn from the logits that came with {@code hidden}): Medusa heads guess once per depth,
     * Hydra heads once per parent node, seeing that node's branch.
     */
    public static DraftTree draft(Shape shape, DraftHeads heads, Dense dense, float[] hidden, int next) {
        DraftTree tree = new DraftTree();
        Map<Integer, int[]> guesses = new HashMap<>();       // by parent node (Hydra) or by depth (Medusa)
        int[] nodeOf = new int[shape.size()];
        for (int i = 0; i < shape.size(); i++) {
            int p = shape.parent()[i], d = shape.depth()[i];
            if (d >= heads.count()) continue;
            int treeParent = p == DraftTree.ROOT ? DraftTree.ROOT : nodeOf[p];
            if (p != DraftTree.ROOT && treeParent < 0) {
                nodeOf[i] = -1;
                continue;
            }
            int key = heads.kind() == DraftHeads.Kind.MEDUSA ? d : treeParent;
            int[] top = guesses.computeIfAbsent(key, unused -> {
                int[] branch = branch(tree, treeParent, next);
                return DraftHeads.top(heads.logits(dense, d, hidden, branch), HeadTrainer.RANKS);
            });
            int token = top[shape.rank()[i]];
            nodeOf[i] = tree.child(treeParent, token) >= 0 ? -1 : tree.add(treeParent, token);
        }
        return tree;
    }

    /** {@code next}, then the tokens on the path to {@code node}. */
    private static int[] branch(DraftTree tree, int node, int next) {
        int[] path = node == DraftTree.ROOT ? new int[0] : tree.pathTokens(node);
        int[] b = new int[path.length + 1];
        b[0] = next;
        System.arraycopy(path, 0, b, 1, path.length);
        return b;
    }
}
