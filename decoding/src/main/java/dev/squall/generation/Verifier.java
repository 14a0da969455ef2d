package dev.squall.generation;

import dev.squall.sampling.Distribution;
import dev.squall.sampling.Sampler;
import java.util.Arrays;

/**
 * Chooses which path of a verified {@link DraftTree} to keep, so that the committed tokens follow
 * exactly the distribution plain sampling would give.
 *
 * <p>Walking down from the root, the target's distribution p at the current node (the sampler's,
 * with the path so far in its history) decides: greedy keeps the child holding p's token (one
 * exists or the walk ends with that token as the bonus). With sampling, the children are
 * deterministic guesses c1, c2, … tried in order: c accepted with probability p(c), otherwise p
 * loses c and is renormalised; when all are rejected the bonus is drawn from what is left. This
 * is rejection sampling without replacement, so the kept token is distributed as p (SpecInfer,
 * Miao et al. 2024, §4; with one child it is Leviathan et al.'s rule for a point-mass draft). A
 * node may carry the draft model's distribution q instead ({@link Draws}): then p(c)/q(c) is the
 * acceptance probability and the residual norm(max(0, p − q)) the fallback (Leviathan et al.
 * 2023, Algorithm 1).
 */
public final class Verifier {

    private Verifier() {}

    /** The draft distributions of stochastic guesses, by node (null: the guess was deterministic). */
    @FunctionalInterface
    public interface Draws {
        Distribution q(int node);
    }

    /** The kept path and the token after it. */
    public record Outcome(int[] path, int bonus) {}

    public static Outcome choose(Session s, Session.Evaluation e) { return choose(s, e, node -> null); }

    public static Outcome choose(Session s, Session.Evaluation e, Draws draws) {
        DraftTree tree = e.tree();
        Sampler sampler = s.sampler();
        int[] path = new int[tree.height()];
        int[] drafted = new int[path.length];
        int depth = 0, node = DraftTree.ROOT;
        float[] logits = e.rootLogits();
        while (true) {
            Distribution p = s.distribution(logits, drafted, depth);
            int next = -1;
            int[] children = tree.children(node);
            if (p.isPointMass()) {
                next = tree.child(node, p.mostLikely());
            } else {
                for (int c : children) {
                    Distribution q = draws.q(c);
                    int token = tree.token(c);
                    double accept = q == null ? p.probability(token) : Math.min(1.0, p.probability(token) / q.probability(token));
                    if (sampler.nextUniform() < accept) {
                        next = c;
                        break;
                    }
                    Distribution rest = q == null ? p.without(token) : p.residual(q);
                    if (rest == null) break;
                    p = rest;
                }
            }
            if (next < 0) return new Outcome(Arrays.copyOf(path, depth), sampler.draw(p));
            path[depth] = next;
            drafted[depth++] = tree.token(next);
            node = next;
            logits = e.logits(next);
        }
    }

    /**
     * Typical acceptance (Medusa, Cai et al. 2024, §2.3.1): LOSSY. A guess x is accepted where the
     * target's distribution p (the sampler's) gives it {@code p(x) > min(ε, α·exp(−H(p)))}, so
     * plausible tokens pass without rejection sampling; the longest accepted path is kept (the
     * first found on ties) and the token after it is drawn from p there. The output is no longer
     * distributed as plain sampling's; with greedy sampling p is a point mass and this is exactly
     * greedy verification.
     */
    public static Outcome typical(Session s, Session.Evaluation e, double epsilon, double alpha) {
        DraftTree tree = e.tree();
        int[] drafted = new int[tree.height()];
        int[] path = longestTypical(s, e, DraftTree.ROOT, e.rootLogits(), drafted, 0, epsilon, alpha);
        int[] tokens = new int[path.length];
        for (int i = 0; i < path.length; i++) tokens[i] = tree.token(path[i]);
        float[] logits = path.length == 0 ? e.rootLogits() : e.logits(path[path.length - 1]);
        return new Outcome(path, s.sampler().draw(s.distribution(logits, tokens, tokens.length)));
    }

    private static int[] longestTypical(Session s, Session.Evaluation e, int node, float[] logits, int[] drafted, int depth, double epsilon, double alpha) {
        DraftTree tree = e.tree();
        int[] children = tree.children(node);
        if (children.length == 0) return new int[0];
        Distribution p = s.distribution(logits, drafted, depth);
        double threshold = Math.min(epsilon, alpha * Math.exp(-p.entropy()));
        int[] best = new int[0];
        for (int c : children) {
            int token = tree.token(c);
            boolean typical = p.isPointMass() ? token == p.mostLikely() : p.probability(token) > threshold;
            if (!typical) continue;
            drafted[depth] = token;
            int[] below = longestTypical(s, e, c, e.logits(c), drafted, depth + 1, epsilon, alpha);
            if (below.length + 1 > best.length) {
                best = new int[below.length + 1];
                best[0] = c;
                System.arraycopy(below, 0, best, 1, below.length);
            }
        }
        return best;
    }
}
