package dev.squall.backend;

/**
 * Counters of attention since a plan was built: the wall time of its attention operators
 * ({@code attentionNanos}, every layer, KV stores included) and, for squeezed attention over every
 * layer and query head, {@code queries} selections made, the nanoseconds they took (the centroid
 * lookup, summed over workers), the fixed-context cells they chose from and the cells they kept.
 */
public record AttentionStats(long attentionNanos, long queries, long lookupNanos, long fixedCells, long keptCells) {

    public static final AttentionStats NONE = new AttentionStats(0, 0, 0, 0, 0);

    /** The counts since {@code before}. */
    public AttentionStats since(AttentionStats before) {
        return new AttentionStats(attentionNanos - before.attentionNanos, queries - before.queries, lookupNanos - before.lookupNanos,
                fixedCells - before.fixedCells, keptCells - before.keptCells);
    }

    /** The fraction of fixed-context keys the selections skipped. */
    public double sparsity() { return fixedCells == 0 ? 0 : 1 - (double) keptCells / fixedCells; }
}
