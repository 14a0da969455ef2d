package dev.squall.speculative;

import dev.squall.generation.DraftTree;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * A trie of token n-grams with counts: every inserted n-gram increments the count of each of its
 * prefixes. Lookahead's store of what followed what, in the prompt, the output so far and an
 * optional corpus.
 */
final class NgramTrie {

    static final class Node {
        final int token;
        int count;
        final Map<Integer, Node> children = new HashMap<>(2);
        Node(int token) { this.token = token; }
    }

    private final Node root = new Node(-1);
    private int nodes;
    private final int maxNodes;

    NgramTrie(int maxNodes) { this.maxNodes = maxNodes; }

    /** Inserts {@code tokens[from, to)}; stops growing (counts still rise) once the trie holds {@code maxNodes} nodes. */
    void insert(int[] tokens, int from, int to) { insert(tokens, from, to, 0); }

    /**
     * Inserts {@code tokens[from, to)}, counting only the nodes past its first {@code counted}
     * tokens (an n-gram that grew since it was inserted shorter).
     */
    void insert(int[] tokens, int from, int to, int counted) {
        Node at = root;
        for (int i = from; i < to; i++) {
            Node next = at.children.get(tokens[i]);
            if (next == null) {
                if (nodes >= maxNodes) return;
                next = new Node(tokens[i]);
                at.children.put(tokens[i], next);
                nodes++;
            }
            if (i - from >= counted) next.count++;
            at = next;
        }
    }

    int size() { return nodes; }

    /** The node reached by {@code tokens[from, to)}, or null. */
    Node find(int[] tokens, int from, int to) {
        Node at = root;
        for (int i = from; i < to && at != null; i++) at = at.children.get(tokens[i]);
        return at;
    }

    /**
     * The most frequent continuations below {@code start}: up to {@code budget} nodes, taken best
     * count first (each with its parent), as a draft tree laid out depth first.
     */
    DraftTree draft(Node start, int budget, int maxDepth) {
        record Pick(Node node, Pick parent, int depth) {}
        PriorityQueue<Pick> frontier = new PriorityQueue<>((a, b) -> a.node.count != b.node.count ? Integer.compare(b.node.count, a.node.count)
                : Integer.compare(a.node.token, b.node.token));
        for (Node c : start.children.values()) frontier.add(new Pick(c, null, 0));
        Map<Pick, List<Pick>> children = new HashMap<>();
        List<Pick> firsts = new ArrayList<>();
        int taken = 0;
        while (!frontier.isEmpty() && taken < budget) {
            Pick p = frontier.poll();
            taken++;
            if (p.parent == null) firsts.add(p);
            else children.computeIfAbsent(p.parent, k -> new ArrayList<>()).add(p);
            if (p.depth + 1 < maxDepth) for (Node c : p.node.children.values()) frontier.add(new Pick(c, p, p.depth + 1));
        }
        DraftTree tree = new DraftTree();
        java.util.ArrayDeque<Object[]> stack = new java.util.ArrayDeque<>();
        for (int i = firsts.size() - 1; i >= 0; i--) stack.push(new Object[] {firsts.get(i), DraftTree.ROOT});
        while (!stack.isEmpty()) {
            Object[] top = stack.pop();
            Pick p = (Pick) top[0];
            int index = tree.add((Integer) top[1], p.node.token);
            List<Pick> kids = children.getOrDefault(p, List.of());
            for (int i = kids.size() - 1; i >= 0; i--) stack.push(new Object[] {kids.get(i), index});
        }
        return tree;
    }
}
