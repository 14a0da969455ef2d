package dev.squall.bench;

import dev.squall.model.Model;
import dev.squall.model.ModelConfig;
import dev.squall.model.ModelFamily;

/**
 * Bytes a decode step must read, and the tokens/s that bandwidth allows: every weight matrix once
 * (the token embedding contributes one row), plus the KV cache up to the average position of the
 * decode phase.
 */
public record Roofline(long weightBytes, long kvBytes, double bandwidthGbps) {

    public static Roofline of(Model m, int kvBytesPerValue, int prefill, int decode, double bandwidthGbps) {
        ModelConfig c = m.config();
        long weights = 0;
        for (var t : m.file().tensors()) {
            long bytes = m.tensorBytes(t);   // as computed with: after any --weights conversion
            if (t.name().equals(ModelFamily.TOKEN_EMBEDDING)) {
                weights += bytes / Math.max(1, t.dims().length > 1 ? t.dims()[1] : 1);
                boolean tied = m.file().tensor(ModelFamily.OUTPUT).isEmpty();
                if (tied) weights += bytes;
            } else {
                weights += bytes;
            }
        }
        double averagePosition = prefill + decode / 2.0;
        long kv = (long) (c.layers() * 2L * c.kvWidth() * kvBytesPerValue * averagePosition);
        return new Roofline(weights, kv, bandwidthGbps);
    }

    public long bytesPerToken() { return weightBytes + kvBytes; }

    /** The decode tokens/s the bandwidth allows. */
    public double ceiling() { return bandwidthGbps * 1e9 / bytesPerToken(); }

    public double fraction(double tokensPerSecond) { return tokensPerSecond / ceiling(); }
}
