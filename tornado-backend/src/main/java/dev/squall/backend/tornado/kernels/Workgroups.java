package dev.squall.backend.tornado.kernels;

/** The work-group size of every reduction kernel (a compile-time constant: local arrays are sized by it). */
public final class Workgroups {

    private Workgroups() {}

    /** Work-items per work-group of the KernelContext kernels; a power of two for the reduction trees. */
    public static final int LOCAL = 64;
}
