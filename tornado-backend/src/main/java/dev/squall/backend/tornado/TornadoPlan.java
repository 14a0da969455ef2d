package dev.squall.backend.tornado;

import dev.squall.backend.Backend;
import dev.squall.backend.Plan;
import dev.squall.backend.PlanOptions;
import dev.squall.graph.Batch;
import dev.squall.graph.ForwardResult;
import dev.squall.graph.KvCache;
import dev.squall.graph.ModelGraph;

final class TornadoPlan implements Plan {
    TornadoPlan(TornadoBackend backend, ModelGraph graph, PlanOptions options) { throw new UnsupportedOperationException("not yet"); }
    @Override public ModelGraph graph() { return null; }
    @Override public KvCache cache() { return null; }
    @Override public ForwardResult forward(Batch batch) { return null; }
    @Override public Backend backend() { return null; }
    @Override public void close() {}
}
