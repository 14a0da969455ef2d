package dev.squall.backend.tornado.kernels;

/**
 * Work-group sizes of the reduction kernels. Kernels read their work-group size at run time
 * ({@code ctx.localGroupSizeX}, a power of two) and size their local arrays for the largest.
 */
public final class Workgroups {

    private Workgroups() {}

    /** The largest work-group a reduction kernel takes (its local arrays are this long). */
    public static final int MAX_LOCAL = 256;

    /**
     * The work-group size for a device: 16 work-items on a CPU (PoCL runs a work-group as a loop
     * over 16-wide vectors between barriers, and per-work-group costs dominate; 16 measured 1.5× faster
     * than 64 for decoding the 134M sample), 128 elsewhere (several warps or wavefronts per row).
     */
    public static int forDevice(boolean cpu) { return cpu ? 16 : 128; }
}
