package dev.squall.backend.tornado.kernels;

import dev.squall.backend.device.BatchFrame;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * Token embedding, one kernel per device layout: {@code x[t·width + i] = table[tokens[t]][i]},
 * decoded exactly (the oracle is the format's {@code decode}).
 *
 * <p>Launch: a {@code @Parallel} loop over the {@code T × width} elements of the call (global size
 * T × width, any local size). Reads the frame's token count and ids and the table; writes {@code x}.
 * Shape: {@code [WIDTH, GROUP_SHIFT (log2 of the elements per scale)]}.
 */
public final class EmbedKernels {

    private EmbedKernels() {}

    public static final int WIDTH = 0, GROUP_SHIFT = 1, SHAPE = 2;

    public static void embedF32(IntArray frame, IntArray shape, FloatArray table, FloatArray x) {
        int width = shape.get(WIDTH), capacity = frame.get(BatchFrame.CAPACITY);
        int n = frame.get(BatchFrame.TOKENS) * width;
        for (@Parallel int i = 0; i < n; i++) {
            int token = frame.get(BatchFrame.tokenAt(capacity, i / width));
            x.set(i, table.get(token * width + i % width));
        }
    }

    public static void embedF16(IntArray frame, IntArray shape, ShortArray table, FloatArray exponents, FloatArray x) {
        int width = shape.get(WIDTH), capacity = frame.get(BatchFrame.CAPACITY);
        int n = frame.get(BatchFrame.TOKENS) * width;
        for (@Parallel int i = 0; i < n; i++) {
            int token = frame.get(BatchFrame.tokenAt(capacity, i / width));
            x.set(i, Decode.f16(table, token * width + i % width, exponents));
        }
    }

    public static void embedBF16(IntArray frame, IntArray shape, ShortArray table, FloatArray exponents, FloatArray x) {
        int width = shape.get(WIDTH), capacity = frame.get(BatchFrame.CAPACITY);
        int n = frame.get(BatchFrame.TOKENS) * width;
        for (@Parallel int i = 0; i < n; i++) {
            int token = frame.get(BatchFrame.tokenAt(capacity, i / width));
            x.set(i, Decode.bf16(table, token * width + i % width, exponents));
        }
    }

    public static void embedInt8Groups(IntArray frame, IntArray shape, ByteArray q, FloatArray scales, FloatArray x) {
        int width = shape.get(WIDTH), groupShift = shape.get(GROUP_SHIFT), capacity = frame.get(BatchFrame.CAPACITY);
        int n = frame.get(BatchFrame.TOKENS) * width;
        for (@Parallel int i = 0; i < n; i++) {
            int token = frame.get(BatchFrame.tokenAt(capacity, i / width));
            x.set(i, Decode.int8(q, scales, token * width + i % width, groupShift));
        }
    }

    public static void embedQ4_0(IntArray frame, IntArray shape, ByteArray q, FloatArray scales, FloatArray x) {
        int width = shape.get(WIDTH), capacity = frame.get(BatchFrame.CAPACITY);
        int n = frame.get(BatchFrame.TOKENS) * width;
        for (@Parallel int i = 0; i < n; i++) {
            int token = frame.get(BatchFrame.tokenAt(capacity, i / width));
            x.set(i, Decode.q4_0(q, scales, token * width + i % width));
        }
    }

    public static void embedQ4Affine(IntArray frame, IntArray shape, ByteArray q, FloatArray scales, FloatArray mins, FloatArray x) {
        int width = shape.get(WIDTH), capacity = frame.get(BatchFrame.CAPACITY);
        int n = frame.get(BatchFrame.TOKENS) * width;
        for (@Parallel int i = 0; i < n; i++) {
            int token = frame.get(BatchFrame.tokenAt(capacity, i / width));
            x.set(i, Decode.q4Affine(q, scales, mins, token * width + i % width));
        }
    }

    /** TABLE4_GROUPS (MXFP4, NVFP4): {@code table[code] · scale}, {@code 2^shape[GROUP_SHIFT]} elements per scale. */
    public static void embedTable4Groups(IntArray frame, IntArray shape, ByteArray q, FloatArray table, FloatArray scales, FloatArray x) {
        int width = shape.get(WIDTH), groupShift = shape.get(GROUP_SHIFT), capacity = frame.get(BatchFrame.CAPACITY);
        int n = frame.get(BatchFrame.TOKENS) * width;
        for (@Parallel int i = 0; i < n; i++) {
            int token = frame.get(BatchFrame.tokenAt(capacity, i / width));
            x.set(i, Decode.table4(q, table, scales, token * width + i % width, groupShift));
        }
    }

    /** TABLE8_GROUPS (MXFP8): {@code table[code] · scale}, {@code 2^shape[GROUP_SHIFT]} elements per scale. */
    public static void embedTable8Groups(IntArray frame, IntArray shape, ByteArray q, FloatArray table, FloatArray scales, FloatArray x) {
        int width = shape.get(WIDTH), groupShift = shape.get(GROUP_SHIFT), capacity = frame.get(BatchFrame.CAPACITY);
        int n = frame.get(BatchFrame.TOKENS) * width;
        for (@Parallel int i = 0; i < n; i++) {
            int token = frame.get(BatchFrame.tokenAt(capacity, i / width));
            x.set(i, Decode.table8(q, table, scales, token * width + i % width, groupShift));
        }
    }

    /** TABLE8_ROWS (FP8 with a row scale): {@code table[code] · scales[token]}. */
    public static void embedTable8Rows(IntArray frame, IntArray shape, ByteArray q, FloatArray table, FloatArray scales, FloatArray x) {
        int width = shape.get(WIDTH), capacity = frame.get(BatchFrame.CAPACITY);
        int n = frame.get(BatchFrame.TOKENS) * width;
        for (@Parallel int i = 0; i < n; i++) {
            int token = frame.get(BatchFrame.tokenAt(capacity, i / width));
            x.set(i, Decode.code8(q, table, token * width + i % width) * scales.get(token));
        }
    }
}
