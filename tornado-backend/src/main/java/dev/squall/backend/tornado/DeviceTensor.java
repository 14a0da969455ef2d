package dev.squall.backend.tornado;

import dev.squall.backend.device.DeviceLayout;
import dev.squall.backend.device.DeviceWeight;
import dev.squall.backend.tornado.kernels.EmbedKernels;
import dev.squall.backend.tornado.kernels.MatmulKernels;
import dev.squall.tensor.WeightTensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * A weight tensor in TornadoVM arrays, packed in its {@link DeviceLayout}, and the choice of its
 * matmul and embedding kernels: the one place a layout picks a kernel (once, when a graph is
 * built).
 */
final class DeviceTensor {

    final DeviceLayout layout;
    private final FloatArray floats;
    private final ShortArray halves;
    private final ByteArray bytes;
    private final FloatArray scales, mins;
    /** The decode table: the exponent table of a 16-bit layout, every code's value for a code-table layout (refilled by {@link #pack}). */
    private final FloatArray table;
    private DeviceWeight packed;

    private DeviceTensor(DeviceLayout layout, int values, int groups) {
        this.layout = layout;
        this.floats = layout == DeviceLayout.F32 ? new FloatArray(values) : null;
        this.halves = layout.halves() ? new ShortArray(values) : null;
        this.bytes = layout == DeviceLayout.F32 || layout.halves() ? null : new ByteArray(values);
        this.scales = groups > 0 ? new FloatArray(groups) : null;
        this.mins = layout == DeviceLayout.Q4_AFFINE ? new FloatArray(groups) : null;
        this.table = layout.tableSize() > 0 ? new FloatArray(layout.tableSize()) : null;
    }

    /** {@code w} packed into arrays of its exact size. */
    static DeviceTensor of(WeightTensor w) {
        DeviceWeight d = DeviceWeight.of(w);
        DeviceTensor t = new DeviceTensor(d.layout(), d.valueCount(), d.scaleCount());
        t.pack(d, w);
        return t;
    }

    /** Empty arrays for tensors of {@code layout} up to the given sizes, refilled with {@link #pack}. */
    static DeviceTensor allocate(DeviceLayout layout, int values, int groups) {
        return new DeviceTensor(layout, values, Math.max(groups, 1));
    }

    /** Whether tensors of {@code d}'s size fit these arrays. */
    boolean fits(DeviceWeight d) {
        return d.layout() == layout && d.valueCount() <= capacity() && d.scaleCount() <= (scales == null ? 0 : scales.getSize());
    }

    private int capacity() {
        return floats != null ? floats.getSize() : halves != null ? halves.getSize() : bytes.getSize();
    }

    /** Packs {@code w} (described by {@code d}) into these arrays. */
    void pack(DeviceWeight d, WeightTensor w) {
        if (!fits(d)) throw new IllegalArgumentException(d + " does not fit arrays of " + capacity() + " values");
        Object values = floats != null ? floats : halves != null ? halves : bytes;
        d.pack(w, segment(values), scales == null ? null : scales.getSegment(), mins == null ? null : mins.getSegment());
        if (table != null) MemorySegment.copy(d.table(), 0, table.getSegment(), ValueLayout.JAVA_FLOAT, 0, table.getSize());
        packed = d;
    }

    private static MemorySegment segment(Object a) {
        if (a instanceof FloatArray f) return f.getSegment();
        if (a instanceof ShortArray s) return s.getSegment();
        return ((ByteArray) a).getSegment();
    }

    /** log2 of the elements per scale of the tensor last packed (0 for plain layouts and row scales; groups are 16 or 32). */
    int groupShift() {
        if (layout == DeviceLayout.TABLE8_ROWS) return 0;
        int g = packed.group();
        if (g != 0 && Integer.bitCount(g) != 1) throw new IllegalStateException(packed + ": " + g + " elements per scale is not a power of two");
        return g == 0 ? 0 : Integer.numberOfTrailingZeros(g);
    }

    int rows() { return packed.rows(); }

    int columns() { return packed.columns(); }

    /** The arrays to transfer to the device. */
    Object[] arrays() {
        List<Object> a = new ArrayList<>();
        for (Object o : new Object[] {floats, halves, bytes, scales, mins, table}) if (o != null) a.add(o);
        return a.toArray();
    }

    /** Bytes of the arrays (what moves to the device once). */
    long bytes() {
        long n = 0;
        for (Object o : arrays()) n += ((uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray) o).getNumBytesOfSegment();
        return n;
    }

    /** The shape array of a matmul over this tensor ({@link MatmulKernels}); {@code countIndex} is the frame's token or output count. */
    IntArray matmulShape(int countIndex, boolean bias) {
        IntArray s = new IntArray(MatmulKernels.SHAPE);
        setMatmulShape(s, countIndex, bias);
        return s;
    }

    void setMatmulShape(IntArray s, int countIndex, boolean bias) {
        s.set(MatmulKernels.ROWS, rows());
        s.set(MatmulKernels.COLUMNS, columns());
        s.set(MatmulKernels.COUNT, countIndex);
        s.set(MatmulKernels.BIAS, bias ? 1 : 0);
        s.set(MatmulKernels.GROUP_SHIFT, groupShift());
    }

    /** The matmul task of this tensor's layout: {@code out = x·Wᵀ (+ bias)}; bias is any array when the shape says none. */
    Launch matmul(DeviceGraph g, String name, Launch.Size size, IntArray frame, IntArray shape, FloatArray bias, FloatArray x, FloatArray out) {
        KernelContext ctx = new KernelContext();
        return switch (layout) {
            case F32 -> g.task(name, size, MatmulKernels::matmulF32, ctx, frame, shape, floats, bias, x, out);
            case F16 -> g.task(name, size, MatmulKernels::matmulF16, ctx, frame, shape, halves, table, bias, x, out);
            case BF16 -> g.task(name, size, MatmulKernels::matmulBF16, ctx, frame, shape, halves, table, bias, x, out);
            case INT8_GROUPS -> g.task(name, size, MatmulKernels::matmulInt8Groups, ctx, frame, shape, bytes, scales, bias, x, out);
            case Q4_0 -> g.task(name, size, MatmulKernels::matmulQ4_0, ctx, frame, shape, bytes, scales, bias, x, out);
            case Q4_AFFINE -> g.task(name, size, MatmulKernels::matmulQ4Affine, ctx, frame, shape, bytes, scales, mins, bias, x, out);
            case TABLE4_GROUPS -> g.task(name, size, MatmulKernels::matmulTable4Groups, ctx, frame, shape, bytes, table, scales, bias, x, out);
            case TABLE8_GROUPS -> g.task(name, size, MatmulKernels::matmulTable8Groups, ctx, frame, shape, bytes, table, scales, bias, x, out);
            case TABLE8_ROWS -> g.task(name, size, MatmulKernels::matmulTable8Rows, ctx, frame, shape, bytes, table, scales, bias, x, out);
        };
    }

    /** The shape array of an embedding lookup in this table ({@link EmbedKernels}). */
    IntArray embedShape() {
        IntArray s = new IntArray(EmbedKernels.SHAPE);
        setEmbedShape(s);
        return s;
    }

    void setEmbedShape(IntArray s) {
        s.set(EmbedKernels.WIDTH, columns());
        s.set(EmbedKernels.GROUP_SHIFT, groupShift());
    }

    /** The embedding task of this table's layout: {@code x[t] = row tokens[t]}. */
    Launch embed(DeviceGraph g, String name, Launch.Size size, IntArray frame, IntArray shape, FloatArray x) {
        return switch (layout) {
            case F32 -> g.task(name, size, EmbedKernels::embedF32, frame, shape, floats, x);
            case F16 -> g.task(name, size, EmbedKernels::embedF16, frame, shape, halves, table, x);
            case BF16 -> g.task(name, size, EmbedKernels::embedBF16, frame, shape, halves, table, x);
            case INT8_GROUPS -> g.task(name, size, EmbedKernels::embedInt8Groups, frame, shape, bytes, scales, x);
            case Q4_0 -> g.task(name, size, EmbedKernels::embedQ4_0, frame, shape, bytes, scales, x);
            case Q4_AFFINE -> g.task(name, size, EmbedKernels::embedQ4Affine, frame, shape, bytes, scales, mins, x);
            case TABLE4_GROUPS -> g.task(name, size, EmbedKernels::embedTable4Groups, frame, shape, bytes, table, scales, x);
            case TABLE8_GROUPS -> g.task(name, size, EmbedKernels::embedTable8Groups, frame, shape, bytes, table, scales, x);
            case TABLE8_ROWS -> g.task(name, size, EmbedKernels::embedTable8Rows, frame, shape, bytes, table, scales, x);
        };
    }
}
