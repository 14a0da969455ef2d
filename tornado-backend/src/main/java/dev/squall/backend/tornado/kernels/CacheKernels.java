package dev.squall.backend.tornado.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/** Device-side housekeeping of a plan: the KV fork copy and the first touch of device-resident arrays. */
public final class CacheKernels {

    private CacheKernels() {}

    /** Fork arguments: source slot, destination slot, positions to copy, floats per position, positions per slot, slots, layers. */
    public static final int FROM = 0, TO = 1, LENGTH = 2, KV_WIDTH = 3, POSITIONS = 4, SLOTS = 5, LAYERS = 6, ARGS = 7;

    /**
     * Copies positions {@code [0, args[LENGTH])} of one slot into another in every layer of the
     * keys and values ({@code layers × slots × positions × kvWidth} floats each). Launch: a
     * {@code @Parallel} loop over {@code layers × length × kvWidth} floats.
     */
    public static void copySlot(IntArray args, FloatArray keys, FloatArray values) {
        int kvWidth = args.get(KV_WIDTH), slotFloats = args.get(POSITIONS) * kvWidth, layerFloats = args.get(SLOTS) * slotFloats;
        int from = args.get(FROM) * slotFloats, to = args.get(TO) * slotFloats;
        int perLayer = args.get(LENGTH) * kvWidth;
        int n = args.get(LAYERS) * perLayer;
        for (@Parallel int i = 0; i < n; i++) {
            int at = (i / perLayer) * layerFloats + i % perLayer;
            keys.set(to + at, keys.get(from + at));
            values.set(to + at, values.get(from + at));
        }
    }

    /** Move arguments: slot, first target cell, cells moved, floats per cell, cells per slot, slots, layers; then the source cells. */
    public static final int SLOT = 0, TARGET = 1, MOVES = 2, MOVE_KV_WIDTH = 3, MOVE_POSITIONS = 4, MOVE_SLOTS = 5, MOVE_LAYERS = 6, MOVE_ARGS = 8;

    /**
     * Moves cell {@code args[MOVE_ARGS + i]} of one slot to cell {@code args[TARGET] + i}, for
     * {@code i} in order, in every layer of the keys and values (sources ascend and never lie
     * below their targets, so a move never overwrites a source still to be read). Launch: a
     * {@code @Parallel} loop over {@code layers × kvWidth} floats, each walking the moves in order.
     */
    public static void moveCells(IntArray args, FloatArray keys, FloatArray values) {
        int kvWidth = args.get(MOVE_KV_WIDTH), slotFloats = args.get(MOVE_POSITIONS) * kvWidth, layerFloats = args.get(MOVE_SLOTS) * slotFloats;
        int base = args.get(SLOT) * slotFloats, target = args.get(TARGET), moves = args.get(MOVES);
        int n = args.get(MOVE_LAYERS) * kvWidth;
        for (@Parallel int i = 0; i < n; i++) {
            int at = (i / kvWidth) * layerFloats + base + i % kvWidth;
            for (int m = 0; m < moves; m++) {
                int from = at + args.get(MOVE_ARGS + m) * kvWidth, to = at + (target + m) * kvWidth;
                keys.set(to, keys.get(from));
                values.set(to, values.get(from));
            }
        }
    }

    /** Arrays one {@link #claim} task touches. */
    public static final int CLAIMED = 8;

    /**
     * Touches eight arrays so that the graph running it allocates them on the device: TornadoVM
     * allocates an array for a graph that uses it in a task, and the other graphs of a plan then
     * borrow it (consume/persist). A plan's first graph runs it once over every array its other
     * graphs share. Launch: one work-item.
     */
    public static void claim(FloatArray a, FloatArray b, FloatArray c, FloatArray d, FloatArray e, FloatArray f, FloatArray g, FloatArray h) {
        for (@Parallel int i = 0; i < 1; i++) {
            a.set(0, 0f);
            b.set(0, 0f);
            c.set(0, 0f);
            d.set(0, 0f);
            e.set(0, 0f);
            f.set(0, 0f);
            g.set(0, 0f);
            h.set(0, 0f);
        }
    }

    /** {@link #claim} for two int arrays. Launch: one work-item. */
    public static void claimInts(IntArray a, IntArray b) {
        for (@Parallel int i = 0; i < 1; i++) {
            a.set(0, a.get(0));
            b.set(0, b.get(0));
        }
    }
}
