package dev.squall.backend;

import dev.squall.graph.Batch;
import dev.squall.graph.ForwardResult;
import dev.squall.graph.KvCache;
import dev.squall.graph.ModelGraph;

/**
 * A model graph compiled for one device: the only way a model runs. Every decoding algorithm is a
 * client of {@link #forward}; none reaches into kernels.
 */
public interface Plan extends AutoCloseable {

    ModelGraph graph();

    /** The KV cache this plan's attention reads and writes. */
    KvCache cache();

    /**
     * Runs the model over a batch: writes each token's keys and values into the cache at its
     * sequence and position, and returns the requested outputs of the batch's output rows.
     * A bad batch (unknown sequence, position gap, token id out of range) is an
     * {@link IllegalArgumentException} naming the token, before anything is computed.
     */
    ForwardResult forward(Batch batch);

    /** What squeezed attention has selected so far (zeros where the plan has run none). */
    default AttentionStats attentionStats() { return AttentionStats.NONE; }

    /** The backend that compiled this plan. */
    Backend backend();

    @Override void close();
}
