package dev.squall.speculative;

import dev.squall.generation.Decoder;
import dev.squall.generation.Session;
import dev.squall.generation.SpeculationStats;

/** SWIFT self-speculative decoding (being written). */
public final class Swift implements Decoder {

    public static final double DEFAULT_CONFIDENCE = 0.8;

    private final SpeculationStats stats = new SpeculationStats();

    public Swift(int layers, int draftMin, int draftMax, double confidence, long seed) {}

    @Override public String name() { return "swift"; }

    @Override public void step(Session s) { throw new UnsupportedOperationException("swift"); }

    @Override public SpeculationStats stats() { return stats; }
}
