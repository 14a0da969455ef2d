package dev.squall.backend.tornado;

import java.util.ArrayList;
import java.util.List;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task2;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task3;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task4;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task5;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task6;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task7;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task8;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task9;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task11;

/**
 * A TaskGraph under construction whose tasks each come with their {@link Launch}: {@link #task}
 * adds the task to the graph and registers its worker grid under {@code graph.task} in the plan's
 * grid scheduler, so a task's name is written once.
 */
final class DeviceGraph {

    final TaskGraph graph;
    final String name;
    private final GridScheduler grids;
    private final int local;
    final List<Launch> launches = new ArrayList<>();

    /** A graph whose KernelContext tasks run work-groups of {@code local} work-items. */
    DeviceGraph(String name, GridScheduler grids, int local) {
        this.graph = new TaskGraph(name);
        this.name = name;
        this.grids = grids;
        this.local = local;
    }

    private Launch register(String task, Launch.Size size) {
        Launch l = new Launch(name + "." + task, size, local);
        grids.addWorkerGrid(l.id, l.grid);
        launches.add(l);
        return l;
    }

    /** Sets every task's global size for a call. */
    void resize(int tokens, int outputs) {
        for (Launch l : launches) l.resize(tokens, outputs);
    }

    <A, B> Launch task(String task, Launch.Size size, Task2<A, B> code, A a, B b) {
        graph.task(task, code, a, b);
        return register(task, size);
    }

    <A, B, C> Launch task(String task, Launch.Size size, Task3<A, B, C> code, A a, B b, C c) {
        graph.task(task, code, a, b, c);
        return register(task, size);
    }

    <A, B, C, D> Launch task(String task, Launch.Size size, Task4<A, B, C, D> code, A a, B b, C c, D d) {
        graph.task(task, code, a, b, c, d);
        return register(task, size);
    }

    <A, B, C, D, E> Launch task(String task, Launch.Size size, Task5<A, B, C, D, E> code, A a, B b, C c, D d, E e) {
        graph.task(task, code, a, b, c, d, e);
        return register(task, size);
    }

    <A, B, C, D, E, F> Launch task(String task, Launch.Size size, Task6<A, B, C, D, E, F> code, A a, B b, C c, D d, E e, F f) {
        graph.task(task, code, a, b, c, d, e, f);
        return register(task, size);
    }

    <A, B, C, D, E, F, G> Launch task(String task, Launch.Size size, Task7<A, B, C, D, E, F, G> code, A a, B b, C c, D d, E e, F f, G g) {
        graph.task(task, code, a, b, c, d, e, f, g);
        return register(task, size);
    }

    <A, B, C, D, E, F, G, H> Launch task(String task, Launch.Size size, Task8<A, B, C, D, E, F, G, H> code, A a, B b, C c, D d, E e, F f,
                                         G g, H h) {
        graph.task(task, code, a, b, c, d, e, f, g, h);
        return register(task, size);
    }

    <A, B, C, D, E, F, G, H, I> Launch task(String task, Launch.Size size, Task9<A, B, C, D, E, F, G, H, I> code, A a, B b, C c, D d, E e,
                                            F f, G g, H h, I i) {
        graph.task(task, code, a, b, c, d, e, f, g, h, i);
        return register(task, size);
    }

    <A, B, C, D, E, F, G, H, I, J, K> Launch task(String task, Launch.Size size, Task11<A, B, C, D, E, F, G, H, I, J, K> code, A a, B b, C c, D d,
                                                  E e, F f, G g, H h, I i, J j, K k) {
        graph.task(task, code, a, b, c, d, e, f, g, h, i, j, k);
        return register(task, size);
    }
}
