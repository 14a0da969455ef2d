package dev.squall.validation.op;

import java.util.Arrays;

/**
 * An output array with guard regions: {@value #GUARD} sentinel floats (a NaN with a recognizable
 * payload) before and after the {@code n} floats an operator may write. Any write outside its range
 * shows up as a changed sentinel.
 */
final class Guarded {

    static final int GUARD = 16;
    private static final int SENTINEL_BITS = 0x7fc0dead;
    private static final float SENTINEL = Float.intBitsToFloat(SENTINEL_BITS);

    final float[] array;
    final int n;

    Guarded(int n) {
        this.n = n;
        this.array = new float[n + 2 * GUARD];
        Arrays.fill(array, SENTINEL);
    }

    /** A guarded copy of {@code values} (for in-place operators). */
    static Guarded of(float[] values) {
        Guarded g = new Guarded(values.length);
        System.arraycopy(values, 0, g.array, GUARD, values.length);
        return g;
    }

    int offset() { return GUARD; }

    float[] values() { return Arrays.copyOfRange(array, GUARD, GUARD + n); }

    /** The first overwritten sentinel, or -1 when the guards are intact. */
    int brokenGuard() {
        for (int i = 0; i < array.length; i++) {
            if ((i < GUARD || i >= GUARD + n) && Float.floatToRawIntBits(array[i]) != SENTINEL_BITS) return i;
        }
        return -1;
    }

    String describeBroken() {
        int i = brokenGuard();
        return i < GUARD ? "wrote " + (GUARD - i) + " floats before its output" : "wrote past its output at element " + (i - GUARD);
    }
}
