package dev.squall.generation;

import java.util.Arrays;

/**
 * Guessed continuations of a session, as a tree verified in one forward call: node {@code i} is a
 * token whose parent is an earlier node, or the session's last committed token ({@link #ROOT}).
 * A chain of drafted tokens is a tree with one branch.
 *
 * <p>In the batch, node {@code i} of a session holding {@code n} tokens is written to cell
 * {@code n + i}, rotated by position {@code n + depth(i)}, and sees the committed cells
 * {@code [0, n)}, its ancestors and itself: exactly what it would see had its branch been fed
 * alone, so its logits equal that branch's, bit for bit. Nodes are best added depth first (each
 * first child right after its parent): a node then sees one cell range more per branch point on
 * its path, which bounds what a device frame must hold.
 */
public final class DraftTree {

    /** The parent of a first-level node: the last committed token. */
    public static final int ROOT = -1;

    private int[] tokens = new int[16], parents = new int[16], depths = new int[16];
    private int size;

    public static DraftTree chain(int... tokens) {
        DraftTree t = new DraftTree();
        int parent = ROOT;
        for (int token : tokens) parent = t.add(parent, token);
        return t;
    }

    /** Adds a node under {@code parent} (an earlier node or {@link #ROOT}) and returns its index. */
    public int add(int parent, int token) {
        if (parent < ROOT || parent >= size) throw new IllegalArgumentException("parent " + parent + " is not an earlier node of a tree of " + size);
        if (size == tokens.length) {
            tokens = Arrays.copyOf(tokens, size * 2);
            parents = Arrays.copyOf(parents, size * 2);
            depths = Arrays.copyOf(depths, size * 2);
        }
        tokens[size] = token;
        parents[size] = parent;
        depths[size] = parent == ROOT ? 0 : depths[parent] + 1;
        return size++;
    }

    /** Adds {@code path} under {@code parent}, reusing nodes that already hold the same tokens; returns the last node. */
    public int addPath(int parent, int[] path, int from, int to) {
        int at = parent;
        for (int i = from; i < to; i++) {
            int child = child(at, path[i]);
            at = child >= 0 ? child : add(at, path[i]);
        }
        return at;
    }

    /** The first child of {@code parent} holding {@code token}, or -1. */
    public int child(int parent, int token) {
        for (int i = parent + 1; i < size; i++) if (parents[i] == parent && tokens[i] == token) return i;
        return -1;
    }

    public int size() { return size; }

    public boolean isEmpty() { return size == 0; }

    public int token(int node) { return tokens[node]; }

    public int parent(int node) { return parents[node]; }

    /** 0 for a child of the root. */
    public int depth(int node) { return depths[node]; }

    /** The deepest node's depth + 1 (0 when empty). */
    public int height() {
        int h = 0;
        for (int i = 0; i < size; i++) h = Math.max(h, depths[i] + 1);
        return h;
    }

    /** The nodes from the root's child down to {@code node}. */
    public int[] path(int node) {
        int[] p = new int[depths[node] + 1];
        for (int at = node, i = p.length - 1; at != ROOT; at = parents[at]) p[i--] = at;
        return p;
    }

    /** The children of {@code parent} in the order they were added. */
    public int[] children(int parent) {
        int n = 0;
        int[] c = new int[4];
        for (int i = parent + 1; i < size; i++) {
            if (parents[i] == parent) {
                if (n == c.length) c = Arrays.copyOf(c, n * 2);
                c[n++] = i;
            }
        }
        return Arrays.copyOf(c, n);
    }

    /**
     * The cell ranges node {@code node} sees when the committed prefix holds {@code prefix} cells
     * and node {@code i} sits in cell {@code prefix + i}: the prefix, its ancestors and itself,
     * merged where adjacent.
     */
    public int[] visibleRanges(int node, int prefix) {
        int[] path = path(node);
        int[] r = new int[2 * (path.length + 1)];
        int n = 0;
        r[0] = 0;
        r[1] = prefix;
        n = 1;
        for (int p : path) {
            int cell = prefix + p;
            if (r[2 * n - 1] == cell) r[2 * n - 1] = cell + 1;
            else {
                r[2 * n] = cell;
                r[2 * n + 1] = cell + 1;
                n++;
            }
        }
        if (r[1] == 0) return Arrays.copyOfRange(r, 2, 2 * n);
        return Arrays.copyOf(r, 2 * n);
    }

    /**
     * This tree cut to its first {@code maxNodes} nodes and to depths below {@code maxDepth}
     * (a node whose parent is cut goes too); this tree itself when nothing is cut.
     */
    public DraftTree limited(int maxNodes, int maxDepth) {
        boolean cut = size > maxNodes;
        for (int i = 0; i < size && !cut; i++) cut = depths[i] >= maxDepth;
        if (!cut) return this;
        DraftTree t = new DraftTree();
        int[] map = new int[size];
        for (int i = 0; i < size; i++) {
            map[i] = -2;
            if (t.size >= maxNodes || depths[i] >= maxDepth) continue;
            int p = parents[i];
            if (p != ROOT && map[p] < 0) continue;
            map[i] = t.add(p == ROOT ? ROOT : map[p], tokens[i]);
        }
        return t;
    }

    /** The tokens of the nodes on the path to {@code node}. */
    public int[] pathTokens(int node) {
        int[] p = path(node);
        for (int i = 0; i < p.length; i++) p[i] = tokens[p[i]];
        return p;
    }
}
