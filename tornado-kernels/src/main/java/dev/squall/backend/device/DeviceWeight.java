package dev.squall.backend.device;

import dev.squall.format.E8M0;
import dev.squall.format.F16;
import dev.squall.format.FP8;
import dev.squall.format.LittleEndian;
import dev.squall.format.MXFP4;
import dev.squall.format.MXFP8;
import dev.squall.format.NVFP4;
import dev.squall.format.Q4_K;
import dev.squall.format.Q6_K;
import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.tensor.WeightTensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One weight tensor in its {@link DeviceLayout}: the sizes of its device arrays, the packing from
 * the file's blocks into them, and {@link #decode}, the element a device kernel computes from them
 * (the kernels do the same arithmetic; the tests check this against the format's oracle, bit for
 * bit).
 *
 * <p>Arrays are native-order segments (a device backend hands in its own arrays' memory): values as
 * floats, shorts or bytes by layout, scales and mins as floats. The decode table of a 16-bit or
 * code-table layout is not packed: it depends on the format only ({@link #table}).
 */
public record DeviceWeight(String name, WeightFormat format, DeviceLayout layout, int rows, int columns, int group) {

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

    /** The device form of {@code w}; a format without a device layout is an error naming the tensor. */
    public static DeviceWeight of(WeightTensor w) {
        unsupported(w.format()).ifPresent(why -> {
            throw new IllegalArgumentException("tensor " + w.name() + ": " + why);
        });
        DeviceWeight d = new DeviceWeight(w.name(), w.format(), DeviceLayout.of(w.format()).orElseThrow(), w.rows(), w.columns(),
                DeviceLayout.group(w.format(), w.columns()));
        if ((long) w.rows() * w.columns() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor " + w.name() + " has " + (long) w.rows() * w.columns()
                    + " elements; device arrays hold at most " + Integer.MAX_VALUE);
        }
        return d;
    }

    /** Why no device kernel reads {@code f}, or empty when one does. */
    public static Optional<String> unsupported(WeightFormat f) {
        if (DeviceLayout.of(f).isPresent()) return Optional.empty();
        return Optional.of("format " + f.name() + " has no device layout (device formats: " + WeightFormats.all().stream()
                .filter(x -> DeviceLayout.of(x).isPresent()).map(WeightFormat::name).collect(Collectors.joining(", ")) + ")");
    }

    /** Elements of the values array: floats (F32), shorts (F16, BF16) or bytes (the rest). */
    public int valueCount() { return layout.nibbles() ? rows * columns / 2 : rows * columns; }

    /** Floats in the scales array (and in the mins array when {@link #hasMins}); 0 for the plain layouts. */
    public int scaleCount() { return group == 0 ? 0 : rows * (columns / group); }

    public boolean hasMins() { return layout == DeviceLayout.Q4_AFFINE; }

    /** Bytes the values, scales and mins take (the decode table, at most 1 KiB, comes on top). */
    public long deviceBytes() {
        long valueBytes = switch (layout) {
            case F32 -> 4L * valueCount();
            case F16, BF16 -> 2L * valueCount();
            default -> valueCount();
        };
        return valueBytes + 4L * scaleCount() * (hasMins() ? 2 : 1);
    }

    /** Packs the tensor's blocks into the device arrays ({@code scales} and {@code mins} may be null when unused). */
    public void pack(WeightTensor w, MemorySegment values, MemorySegment scales, MemorySegment mins) {
        if (w.format() != format || w.rows() != rows || w.columns() != columns) throw new IllegalArgumentException("tensor " + w + " is not " + this);
        switch (layout) {
            case F32 -> packFloats(w, values);
            case F16, BF16 -> packHalves(w, values);
            case INT8_GROUPS -> {
                if (format == WeightFormats.Q6_K) packQ6_K(w, values, scales);
                else packQ8_0(w, values, scales);
            }
            case Q4_0 -> packQ4_0(w, values, scales);
            case Q4_AFFINE -> packQ4_K(w, values, scales, mins);
            case TABLE4_GROUPS -> {
                if (format instanceof NVFP4 nv) packNVFP4(nv, w, values, scales);
                else packMXFP4(w, values, scales);
            }
            case TABLE8_GROUPS -> packMXFP8(w, values, scales);
            case TABLE8_ROWS -> packFP8(w, values, scales);
        }
    }

    /**
     * The decode table of the layout: the exponent table of a 16-bit layout
     * ({@link DeviceLayout#exponentScales}), every code's value for a code-table layout (by code,
     * {@link dev.squall.format.Minifloat#values}); null for the rest.
     */
    public float[] table() {
        if (layout.halves()) return layout.exponentScales();
        if (layout.codeTable()) return DeviceLayout.element(format).values();
        return null;
    }

    /**
     * Element {@code i} of row {@code row} as a device kernel computes it from the packed arrays;
     * {@code table} is {@link #table()} (used by the 16-bit and code-table layouts).
     */
    public float decode(MemorySegment values, MemorySegment scales, MemorySegment mins, float[] table, int row, int i) {
        int e = row * columns + i;
        return switch (layout) {
            case F32 -> values.getAtIndex(FLOAT, e);
            case F16, BF16 -> decodeHalf(values.getAtIndex(SHORT, e), table, layout.fractionBits());
            case INT8_GROUPS -> scales.getAtIndex(FLOAT, e / group) * values.get(ValueLayout.JAVA_BYTE, e);
            case Q4_0 -> (nibble(values, e) - 8) * scales.getAtIndex(FLOAT, e / 32);
            case Q4_AFFINE -> scales.getAtIndex(FLOAT, e / 32) * nibble(values, e) - mins.getAtIndex(FLOAT, e / 32);
            case TABLE4_GROUPS -> table[nibble(values, e, group)] * scales.getAtIndex(FLOAT, e / group);
            case TABLE8_GROUPS -> table[values.get(ValueLayout.JAVA_BYTE, e) & 0xFF] * scales.getAtIndex(FLOAT, e / group);
            case TABLE8_ROWS -> table[values.get(ValueLayout.JAVA_BYTE, e) & 0xFF] * scales.getAtIndex(FLOAT, row);
        };
    }

    /**
     * A 16-bit float from its bits with integer arithmetic and an exponent table (what the device
     * kernels do): exact for every finite value; a NaN pattern gives a NaN (not the same payload).
     */
    public static float decodeHalf(short bits, float[] exponents, int fractionBits) {
        int b = bits & 0xFFFF;
        int fraction = b & ((1 << fractionBits) - 1);
        int exponent = (b >>> fractionBits) & (exponents.length - 1);
        float unit = 1f / (1 << fractionBits);
        float v = ((exponent == 0 ? fraction : fraction | 1 << fractionBits) * unit) * exponents[exponent];
        if (exponent == exponents.length - 1 && fraction != 0) v = v * 0f;
        return (b & 0x8000) != 0 ? -v : v;
    }

    /** The 4-bit code of element {@code e} in Q4_0 order (byte j of a 32-group: element j low, j + 16 high). */
    static int nibble(MemorySegment values, int e) {
        return nibble(values, e, 32);
    }

    /** The 4-bit code of element {@code e} in ggml's order for groups of {@code g}: byte j of a group holds element j low, j + g/2 high. */
    static int nibble(MemorySegment values, int e, int g) {
        int groupStart = e - e % g, j = e % g, half = g / 2;
        int b = values.get(ValueLayout.JAVA_BYTE, groupStart / 2 + j % half) & 0xFF;
        return j < half ? b & 0xF : b >>> 4;
    }

    // ---------------------------------------------------------------- packing

    private void packFloats(WeightTensor w, MemorySegment values) {
        float[] row = new float[columns];
        for (int r = 0; r < rows; r++) {
            format.decode(w.data(), w.rowOffset(r), row, 0, columns);
            MemorySegment.copy(row, 0, values, FLOAT, (long) r * columns * Float.BYTES, columns);
        }
    }

    private void packHalves(WeightTensor w, MemorySegment values) {
        long n = (long) rows * columns;
        for (long e = 0; e < n; e++) values.setAtIndex(SHORT, e, w.data().get(LittleEndian.SHORT, 2 * e));
    }

    private void packQ8_0(WeightTensor w, MemorySegment values, MemorySegment scales) {
        int blocks = rows * (columns / 32);
        for (int b = 0; b < blocks; b++) {
            long block = (long) b * 34;
            scales.setAtIndex(FLOAT, b, F16.toFloat(w.data().get(LittleEndian.SHORT, block)));
            MemorySegment.copy(w.data(), block + 2, values, (long) b * 32, 32);
        }
    }

    private void packQ4_0(WeightTensor w, MemorySegment values, MemorySegment scales) {
        int blocks = rows * (columns / 32);
        for (int b = 0; b < blocks; b++) {
            long block = (long) b * 18;
            scales.setAtIndex(FLOAT, b, F16.toFloat(w.data().get(LittleEndian.SHORT, block)));
            MemorySegment.copy(w.data(), block + 2, values, (long) b * 16, 16);
        }
    }

    /** Q6_K: the oracle's per-16 scale {@code d·sc} and the signed code {@code q − 32} of every element. */
    private void packQ6_K(WeightTensor w, MemorySegment values, MemorySegment scales) {
        int superBlocks = rows * (columns / 256);
        for (int s = 0; s < superBlocks; s++) {
            long block = (long) s * Q6_K.BLOCK_BYTES;
            float d = F16.toFloat(w.data().get(LittleEndian.SHORT, block + Q6_K.D_OFFSET));
            for (int sub = 0; sub < 16; sub++) {
                scales.setAtIndex(FLOAT, 16L * s + sub, d * w.data().get(ValueLayout.JAVA_BYTE, block + Q6_K.SCALES_OFFSET + sub));
            }
            for (int e = 0; e < 256; e++) values.set(ValueLayout.JAVA_BYTE, 256L * s + e, (byte) (Q6_K.code(w.data(), block, e) - 32));
        }
    }

    /** MXFP4: the scale 2^(e − 127) of each block, its 16 bytes of nibbles as they are. */
    private void packMXFP4(WeightTensor w, MemorySegment values, MemorySegment scales) {
        int blocks = rows * (columns / MXFP4.BLOCK_ELEMENTS);
        for (int b = 0; b < blocks; b++) {
            long block = (long) b * MXFP4.BLOCK_BYTES;
            scales.setAtIndex(FLOAT, b, E8M0.toFloat(w.data().get(ValueLayout.JAVA_BYTE, block)));
            MemorySegment.copy(w.data(), block + MXFP4.QS_OFFSET, values, 16L * b, 16);
        }
    }

    /** NVFP4: the oracle's sub-block scale {@code UE4M3(d) · tensorScale} (rounded once, as it does), the 32 bytes of nibbles as they are. */
    private void packNVFP4(NVFP4 nv, WeightTensor w, MemorySegment values, MemorySegment scales) {
        int blocks = rows * (columns / NVFP4.BLOCK_ELEMENTS);
        for (int b = 0; b < blocks; b++) {
            long block = (long) b * NVFP4.BLOCK_BYTES;
            for (int s = 0; s < 4; s++) {
                scales.setAtIndex(FLOAT, 4L * b + s, NVFP4.scaleValue(w.data().get(ValueLayout.JAVA_BYTE, block + s)) * nv.tensorScale());
            }
            MemorySegment.copy(w.data(), block + NVFP4.QS_OFFSET, values, 32L * b, 32);
        }
    }

    /** MXFP8: the scale 2^(e − 127) of each block, its 32 codes as they are. */
    private void packMXFP8(WeightTensor w, MemorySegment values, MemorySegment scales) {
        int blocks = rows * (columns / MXFP8.BLOCK_ELEMENTS);
        for (int b = 0; b < blocks; b++) {
            long block = (long) b * MXFP8.BLOCK_BYTES;
            scales.setAtIndex(FLOAT, b, E8M0.toFloat(w.data().get(ValueLayout.JAVA_BYTE, block)));
            MemorySegment.copy(w.data(), block + MXFP8.QS_OFFSET, values, 32L * b, 32);
        }
    }

    /** FP8 with a row scale: each row's FP32 scale and its codes as they are. */
    private void packFP8(WeightTensor w, MemorySegment values, MemorySegment scales) {
        for (int r = 0; r < rows; r++) {
            long row = w.rowOffset(r);
            scales.setAtIndex(FLOAT, r, w.data().get(LittleEndian.FLOAT, row));
            MemorySegment.copy(w.data(), row + FP8.SCALE_BYTES, values, (long) r * columns, columns);
        }
    }

    /** Q4_K: the oracle's per-32 scale {@code d·sc} and min {@code dmin·m}, nibbles regrouped into Q4_0 order. */
    private void packQ4_K(WeightTensor w, MemorySegment values, MemorySegment scales, MemorySegment mins) {
        int superBlocks = rows * (columns / 256);
        for (int s = 0; s < superBlocks; s++) {
            long block = (long) s * Q4_K.BLOCK_BYTES;
            float d = F16.toFloat(w.data().get(LittleEndian.SHORT, block + Q4_K.D_OFFSET));
            float dmin = F16.toFloat(w.data().get(LittleEndian.SHORT, block + Q4_K.DMIN_OFFSET));
            for (int j = 0; j < 8; j++) {
                int g = 8 * s + j;
                scales.setAtIndex(FLOAT, g, d * Q4_K.scale(w.data(), block, j));
                mins.setAtIndex(FLOAT, g, dmin * Q4_K.min(w.data(), block, j));
                long chunk = block + Q4_K.QS_OFFSET + 32L * (j / 2);
                int shift = 4 * (j % 2);
                for (int b = 0; b < 16; b++) {
                    int lo = (w.data().get(ValueLayout.JAVA_BYTE, chunk + b) & 0xFF) >>> shift & 0xF;
                    int hi = (w.data().get(ValueLayout.JAVA_BYTE, chunk + b + 16) & 0xFF) >>> shift & 0xF;
                    values.set(ValueLayout.JAVA_BYTE, 16L * g + b, (byte) (lo | hi << 4));
                }
            }
        }
    }
}
