package dev.squall.backend.device;

import dev.squall.graph.ModelGraph.KvGeometry;

/**
 * How much of a device a plan takes: how many KV slots (live sequences) and how many tokens one
 * device call carries. Both are fixed when the plan is built, since device arrays do not grow.
 *
 * <ul>
 * <li>Slots: {@value #DEFAULT_SLOTS} by default, fewer when the KV cache would take more than a
 *     quarter of the device's global memory or its keys (one array for every layer and slot) would
 *     exceed the largest buffer the device allocates; at least one.</li>
 * <li>Tokens per call: {@value #DEFAULT_TOKENS} (the launcher's default batch), at most the context
 *     size; longer batches run as several calls.</li>
 * </ul>
 * Either may be set explicitly (system properties {@code squall.tornado.sequences} and
 * {@code squall.tornado.batch}).
 */
public record DeviceBudget(int slots, int tokens) {

    public static final int DEFAULT_SLOTS = 8;
    public static final int DEFAULT_TOKENS = 512;

    public DeviceBudget {
        if (slots < 1 || tokens < 1) throw new IllegalArgumentException("a device plan needs at least one slot and one token per call: " + slots + ", " + tokens);
    }

    /**
     * The budget for a model's KV geometry and context size on a device with {@code globalMemory}
     * bytes whose largest buffer is {@code maxAllocation} bytes; {@code requestedSlots} and
     * {@code requestedTokens} override the defaults when positive.
     */
    public static DeviceBudget of(KvGeometry kv, int contextSize, long globalMemory, long maxAllocation, int requestedSlots, int requestedTokens) {
        long slotBytes = (long) kv.layers() * contextSize * kv.kvWidth() * Float.BYTES;
        long bySize = Math.min(globalMemory / 4 / Math.max(1, 2 * slotBytes), maxAllocation / Math.max(1, slotBytes));
        int slots = requestedSlots > 0 ? requestedSlots : (int) Math.max(1, Math.min(DEFAULT_SLOTS, bySize));
        if ((long) slots * kv.layers() * contextSize * kv.kvWidth() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(slots + " KV slots of " + kv.layers() + " layers × " + contextSize + " positions × " + kv.kvWidth()
                    + " floats exceed a device array's " + Integer.MAX_VALUE + " elements; use a smaller context or fewer sequences");
        }
        int tokens = requestedTokens > 0 ? Math.min(requestedTokens, contextSize) : Math.min(DEFAULT_TOKENS, contextSize);
        return new DeviceBudget(slots, tokens);
    }

    /** Bytes of the KV cache: keys and values of every layer, every slot. */
    public static long kvBytes(KvGeometry kv, int contextSize, int slots) {
        return 2L * kv.layers() * slots * contextSize * kv.kvWidth() * Float.BYTES;
    }
}
