package dev.squall.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * NVFP4: E2M1 elements in sub-blocks of 16 that share an E4M3 scale, and one FP32 scale per
 * tensor. Stored as ggml type 40 ({@code block_nvfp4}): super-blocks of 64 elements in 36 bytes,
 * {@code {uint8 d[4]; uint8 qs[32]}}. Sub-block {@code s} (elements 16s..16s+15) has scale
 * {@code d[s]} and the bytes {@code qs[8s .. 8s+8)}: the low nibble of {@code qs[8s + j]} is its
 * element {@code j}, the high nibble its element {@code j + 8}.
 *
 * <p><b>Value</b> of element i of sub-block s: {@code E2M1(code) · (UE4M3(d[s]) · tensorScale)},
 * the bracket rounded to float first: the scale a kernel (or a device) forms once per sub-block.
 * The scale byte is read as ggml's UE4M3: bits 0-6 an E4M3 magnitude ({@link Minifloat#E4M3}: bias
 * 7, subnormals, max 448), bit 7 ignored. Where ggml reads 0x7F as 0 we keep OCP's NaN; neither
 * encoder writes it for finite input.
 *
 * <p><b>The per-tensor scale.</b> ggml's block has no room for it. llama.cpp keeps it as a
 * separate F32 tensor of one element, {@code <name>.scale} beside {@code <name>.weight}, and
 * multiplies the matmul's result by it ({@code build_lora_mm}, for every layer matrix and
 * {@code output.weight}; its converter writes the scale of NVIDIA ModelOpt checkpoints there). We
 * store it the same way, so llama.cpp computes what we compute (up to where the product is
 * rounded), and a Squall model reads it back into the format ({@link #withTensorScale}); a tensor
 * without one has scale 1, which is ggml's own reference encoding.
 *
 * <p><b>Encoding</b> (NVIDIA's recipe, rounding as OCP): the tensor scale is
 * {@code amax(tensor) / (6 · 448)} ({@link #tensorScaleFor}), which puts the largest sub-block
 * scale at the top of E4M3's range, where it has its 3 mantissa bits; each sub-block scale is
 * {@code E4M3(amax(sub-block) / (6 · tensorScale))}, rounded to nearest even, saturating; each
 * element {@code E2M1(x / scale)} likewise ({@link Minifloat#encode}). A sub-block holding a NaN
 * or an infinity gets the NaN scale 0x7F. ggml's {@code quantize_row_nvfp4_ref} differs: no tensor
 * scale, so small weights get subnormal sub-block scales with a bit or two of precision; scales
 * rounded half up; element ties to the smaller magnitude.
 */
public final class NVFP4 implements WeightFormat {

    /** Tensor scale 1: the format as ggml defines it. */
    public static final NVFP4 INSTANCE = new NVFP4(1f);

    public static final int BLOCK_ELEMENTS = 64;
    public static final int BLOCK_BYTES = 36;
    /** Elements per sub-block (one scale each). */
    public static final int SUB_ELEMENTS = 16;
    /** Byte offset of {@code qs} in a block; the four scale bytes are at 0..3. */
    public static final int QS_OFFSET = 4;
    /** The name suffix of a tensor's scale in llama.cpp's files: {@code blk.0.attn_q.scale}. */
    public static final String SCALE_SUFFIX = ".scale";

    /** E2M1's largest value times E4M3's: the largest magnitude a tensor scale of 1 reaches. */
    private static final float RANGE = 6f * 448f;

    private final float tensorScale;

    private NVFP4(float tensorScale) {
        this.tensorScale = tensorScale;
    }

    /**
     * NVFP4 with a per-tensor scale.
     *
     * @throws IllegalArgumentException when the scale is not a positive finite number
     */
    public static NVFP4 withTensorScale(float scale) {
        if (!(scale > 0f) || !Float.isFinite(scale)) {
            throw new IllegalArgumentException("NVFP4 tensor scale " + scale + ": expected a positive finite number");
        }
        return scale == 1f ? INSTANCE : new NVFP4(scale);
    }

    /** The tensor scale that maps {@code amax}, the tensor's largest magnitude, to 6 · 448; 1 for 0 or a non-finite amax. */
    public static float tensorScaleFor(float amax) {
        float s = amax / RANGE;
        return s > 0f && Float.isFinite(s) && Float.isFinite(amax) ? s : 1f;
    }

    public float tensorScale() { return tensorScale; }

    @Override public String name() { return "NVFP4"; }
    @Override public int ggmlType() { return GgmlType.NVFP4.id(); }
    @Override public int blockElements() { return BLOCK_ELEMENTS; }
    @Override public int blockBytes() { return BLOCK_BYTES; }

    /** A sub-block scale byte as ggml reads it (UE4M3: bit 7 ignored), before the tensor scale. */
    public static float scaleValue(int d) {
        return Minifloat.E4M3.decode(d & 0x7F);
    }

    @Override
    public void decode(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        int blocks = Math.toIntExact(rowBytes(n) / BLOCK_BYTES);
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * BLOCK_BYTES;
            for (int s = 0; s < 4; s++) {
                float scale = scaleValue(src.get(ValueLayout.JAVA_BYTE, block + s)) * tensorScale;
                int y = dstOffset + b * BLOCK_ELEMENTS + s * SUB_ELEMENTS;
                for (int j = 0; j < 8; j++) {
                    int q = src.get(ValueLayout.JAVA_BYTE, block + QS_OFFSET + 8 * s + j) & 0xFF;
                    dst[y + j] = Minifloat.E2M1.decode(q & 0xF) * scale;
                    dst[y + j + 8] = Minifloat.E2M1.decode(q >>> 4) * scale;
                }
            }
        }
    }

    @Override
    public void encode(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        int blocks = Math.toIntExact(rowBytes(n) / BLOCK_BYTES);
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * BLOCK_BYTES;
            for (int s = 0; s < 4; s++) {
                int x = srcOffset + b * BLOCK_ELEMENTS + s * SUB_ELEMENTS;
                float amax = 0f;
                boolean finite = true;
                for (int j = 0; j < SUB_ELEMENTS; j++) {
                    finite &= Float.isFinite(src[x + j]);
                    amax = Math.max(amax, Math.abs(src[x + j]));
                }
                int d = finite ? Minifloat.E4M3.encode(amax / (6f * tensorScale)) : 0x7F;
                dst.set(ValueLayout.JAVA_BYTE, block + s, (byte) d);
                float scale = scaleValue(d) * tensorScale;
                boolean zero = !finite || scale == 0f;
                for (int j = 0; j < 8; j++) {
                    int lo = zero ? 0 : Minifloat.E2M1.encode(src[x + j] / scale);
                    int hi = zero ? 0 : Minifloat.E2M1.encode(src[x + j + 8] / scale);
                    dst.set(ValueLayout.JAVA_BYTE, block + QS_OFFSET + 8 * s + j, (byte) (lo | hi << 4));
                }
            }
        }
    }

    @Override public boolean equals(Object o) {
        return o instanceof NVFP4 f && Float.floatToIntBits(f.tensorScale) == Float.floatToIntBits(tensorScale);
    }

    @Override public int hashCode() { return Float.hashCode(tensorScale); }

    @Override public String toString() { return tensorScale == 1f ? name() : name() + " (tensor scale " + tensorScale + ")"; }
}
