package dev.squall.backend.tornado;

import dev.squall.backend.tornado.kernels.Workgroups;
import java.util.function.IntBinaryOperator;
import uk.ac.manchester.tornado.api.WorkerGrid1D;

/**
 * A task's launch configuration, created with the task by {@link DeviceGraph#task}: its worker grid
 * (registered under {@code graph.task}) and how the grid follows each call's token and output
 * counts.
 *
 * <ul>
 * <li>{@link Size#items}: a {@code @Parallel} loop over that many elements; global size = the
 *     count, local size left to the driver.</li>
 * <li>{@link Size#groups}: a KernelContext kernel with one work-group per unit; global size =
 *     units × the device's work-group size ({@link Workgroups#forDevice}), local size that.</li>
 * </ul>
 */
final class Launch {

    /** How many items or work-groups a task needs for a call of {@code tokens} tokens and {@code outputs} outputs. */
    record Size(boolean groups, IntBinaryOperator units) {
        static Size items(IntBinaryOperator perCall) { return new Size(false, perCall); }

        static Size groups(IntBinaryOperator perCall) { return new Size(true, perCall); }

        /** A fixed number of work-groups (e.g. one per weight row), whatever the call. */
        static Size fixedGroups(int n) { return new Size(true, (t, o) -> n); }
    }

    final String id;
    final WorkerGrid1D grid;
    private final Size size;
    private final int local;
    private long global = -1;

    Launch(String id, Size size, int local) {
        this.id = id;
        this.size = size;
        this.local = local;
        this.grid = new WorkerGrid1D(local);
        if (size.groups()) grid.setLocalWork(local, 1, 1);
        else grid.setLocalWorkToNull();
    }

    /** Sets the global size for a call; a task with nothing to do keeps one work-group or item, and its kernel does nothing. */
    void resize(int tokens, int outputs) {
        long units = Math.max(1, size.units().applyAsInt(tokens, outputs));
        long g = size.groups() ? units * local : units;
        if (g != global) {
            grid.setGlobalWork(g, 1, 1);
            global = g;
        }
    }

    @Override public String toString() { return id + " (" + (size.groups() ? "work-groups of " + local : "items") + ")"; }
}
