package dev.squall.format;

import java.lang.foreign.MemorySegment;

/** IEEE binary32, ggml type 0: one element per 4-byte block; encode and decode copy bits. */
public final class F32 implements WeightFormat {

    public static final F32 INSTANCE = new F32();

    private F32() {}

    @Override public String name() { return "F32"; }
    @Override public int ggmlType() { return 0; }
    @Override public int blockElements() { return 1; }
    @Override public int blockBytes() { return 4; }

    @Override
    public void decode(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        rowBytes(n);
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = src.get(LittleEndian.FLOAT, offset + 4L * i);
        }
    }

    @Override
    public void encode(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        rowBytes(n);
        for (int i = 0; i < n; i++) {
            dst.set(LittleEndian.FLOAT, offset + 4L * i, src[srcOffset + i]);
        }
    }

    @Override public String toString() { return name(); }
}
