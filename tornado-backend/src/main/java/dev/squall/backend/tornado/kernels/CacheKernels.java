package dev.squall.backend.tornado.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/** Device-side housekeeping of a plan: the KV fork copy and the first touch of device-resident arrays. */
public final class CacheKernels {

    private CacheKernels() {}

    /** Fork arguments: source slot, destination slot, positions to copy, floats per position, positions per slot. */
    public static final int FROM = 0, TO = 1, LENGTH = 2, KV_WIDTH = 3, POSITIONS = 4, ARGS = 5;

    /**
     * Copies positions {@code [0, args[LENGTH])} of one slot of a layer's keys and values into
     * another slot. Launch: a {@code @Parallel} loop over {@code length × kvWidth} floats.
     */
    public static void copySlot(IntArray args, FloatArray keys, FloatArray values) {
        int kvWidth = args.get(KV_WIDTH), slotFloats = args.get(POSITIONS) * kvWidth;
        int from = args.get(FROM) * slotFloats, to = args.get(TO) * slotFloats;
        int n = args.get(LENGTH) * kvWidth;
        for (@Parallel int i = 0; i < n; i++) {
            keys.set(to + i, keys.get(from + i));
            values.set(to + i, values.get(from + i));
        }
    }

    /**
     * Touches four arrays so that the graph running it allocates them on the device; a plan's
     * first graph runs it once for every array its other graphs share (TornadoVM allocates an
     * array for the graphs that use it in a task). Launch: one work-item.
     */
    public static void claim(FloatArray a, FloatArray b, FloatArray c, FloatArray d) {
        for (@Parallel int i = 0; i < 1; i++) {
            a.set(0, 0f);
            b.set(0, 0f);
            c.set(0, 0f);
            d.set(0, 0f);
        }
    }
}
