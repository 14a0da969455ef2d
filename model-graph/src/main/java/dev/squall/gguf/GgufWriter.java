package dev.squall.gguf;

import dev.squall.format.GgmlType;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Writes a GGUF file: metadata (put through {@link #metadata()}) and tensors, each filled in place.
 *
 * <p>{@link #write} lays the file out as llama.cpp does: header, metadata and tensor infos in the
 * order they were added, zero padding to the alignment ({@code general.alignment}, default 32),
 * then each tensor's data at an aligned offset, padded with zeros to the next multiple of the
 * alignment. It maps the new file read-write and hands each tensor's filler its own slice, so a
 * model of many gigabytes never sits on the Java heap; bytes a filler does not write stay zero
 * (and sparse on file systems that allow it). The same input gives the same bytes.
 *
 * <p>The file is written beside {@code path} as {@code <name>.part} and moved onto {@code path}
 * when complete, so a failed write never leaves a truncated model under the real name.
 */
public final class GgufWriter {

    private record PendingTensor(String name, GgmlType type, long[] dims, long byteSize, Consumer<MemorySegment> filler) {}

    private final GgufMetadata.Builder metadata = GgufMetadata.builder();
    private final List<PendingTensor> tensors = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private int version = 3;

    /** The metadata to write, in insertion order; put {@code general.alignment} (UINT32) here to change it. */
    public GgufMetadata.Builder metadata() {
        return metadata;
    }

    /** The version in the header: 3 (the default) or 2, which has the same layout. */
    public GgufWriter version(int version) {
        if (version != 2 && version != 3) {
            throw new IllegalArgumentException("GGUF version " + version + " cannot be written, expected 2 or 3");
        }
        this.version = version;
        return this;
    }

    /**
     * Adds a tensor whose bytes {@code filler} writes into the slice it is given (zeroed, exactly
     * {@link GgufTensorInfo#byteSizeOf} bytes, valid only during the call, writable from any
     * thread, so a quantizer may fill rows in parallel).
     *
     * @param dims ggml order, {@code dims[0]} the row length; 1 to 4 dimensions, each at least 1, the
     *             row a whole number of {@code type}'s blocks
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] dims, Consumer<MemorySegment> filler) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(filler, "filler");
        long[] shape = dims.clone();
        String problem = GgufLayout.shapeProblem(type, shape);
        if (problem != null) throw new IllegalArgumentException("tensor " + GgufText.quote(name) + ": " + problem);
        if (!names.add(name)) throw new IllegalArgumentException("tensor " + GgufText.quote(name) + " was already added");
        tensors.add(new PendingTensor(name, type, shape, GgufLayout.byteSize(type, shape), filler));
        return this;
    }

    /** Adds a tensor whose bytes are {@code data}, copied when the file is written. */
    public GgufWriter addTensor(String name, GgmlType type, long[] dims, MemorySegment data) {
        long expected = GgufTensorInfo.byteSizeOf(type, dims);
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("tensor " + GgufText.quote(name) + ": " + data.byteSize() + " bytes given, "
                    + expected + " expected for " + type + " " + Arrays.toString(dims));
        }
        return addTensor(name, type, dims, slice -> MemorySegment.copy(data, 0, slice, 0, expected));
    }

    /**
     * Writes the file, replacing any file at {@code path}.
     *
     * @throws GgufException when the file cannot be written; a filler's exception propagates as is
     */
    public void write(Path path) {
        long alignment = alignment();
        long[] offsets = new long[tensors.size()];
        long dataSize = 0;
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = dataSize;
            dataSize = Math.addExact(dataSize, GgufLayout.alignUp(tensors.get(i).byteSize(), alignment));
        }
        byte[] head = header(offsets);
        long dataOffset = GgufLayout.alignUp(head.length, alignment);
        long fileSize = Math.addExact(dataOffset, dataSize);

        Path target = path.toAbsolutePath();
        Path part = target.resolveSibling(target.getFileName() + ".part");
        boolean done = false;
        try {
            try (FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 Arena arena = Arena.ofShared()) {
                MemorySegment file = channel.map(FileChannel.MapMode.READ_WRITE, 0, fileSize, arena);
                MemorySegment.copy(head, 0, file, ValueLayout.JAVA_BYTE, 0, head.length);
                for (int i = 0; i < tensors.size(); i++) {
                    PendingTensor t = tensors.get(i);
                    t.filler().accept(file.asSlice(dataOffset + offsets[i], t.byteSize()));
                }
                file.force();
            }
            move(part, target);
            done = true;
        } catch (IOException e) {
            throw new GgufException(path + ": cannot write: " + e, e);
        } finally {
            if (!done) {
                try {
                    Files.deleteIfExists(part);
                } catch (IOException ignored) {
                    // the original failure is the one to report
                }
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private long alignment() {
        Optional<GgufValue> value = metadata.find(GgufLayout.ALIGNMENT_KEY);
        if (value.isEmpty()) return GgufLayout.DEFAULT_ALIGNMENT;
        if (!(value.get() instanceof GgufValue.Int i) || i.type() != GgufValueType.UINT32) {
            throw new IllegalArgumentException("key " + GgufText.quote(GgufLayout.ALIGNMENT_KEY) + " is " + value.get().typeName()
                    + ", expected UINT32");
        }
        if (!GgufLayout.isValidAlignment(i.value())) {
            throw new IllegalArgumentException("key " + GgufText.quote(GgufLayout.ALIGNMENT_KEY) + " is " + i.value()
                    + ", expected a non-zero power of two");
        }
        return i.value();
    }

    /** Everything before the data section, without the padding. */
    private byte[] header(long[] offsets) {
        GgufMetadata md = metadata.build();
        Sink out = new Sink();
        out.u32(GgufLayout.MAGIC);
        out.u32(version);
        out.u64(tensors.size());
        out.u64(md.size());
        for (String key : md.keys()) {
            GgufValue v = md.get(key);
            out.string(key, "key " + GgufText.quote(key));
            out.u32(v.type().id());
            out.value(v, "value of key " + GgufText.quote(key));
        }
        for (int i = 0; i < offsets.length; i++) {
            PendingTensor t = tensors.get(i);
            out.string(t.name(), "tensor name " + GgufText.quote(t.name()));
            out.u32(t.dims().length);
            for (long d : t.dims()) out.u64(d);
            out.u32(t.type().id());
            out.u64(offsets[i]);
        }
        return out.toByteArray();
    }

    /** A growable little-endian byte buffer for the header. */
    private static final class Sink {
        private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
        private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
        private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

        private final CharsetEncoder utf8 = StandardCharsets.UTF_8.newEncoder();
        private byte[] buf = new byte[4096];
        private int size;

        private void ensure(long more) {
            long needed = size + more;
            if (needed > buf.length) {
                if (needed > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("metadata exceeds 2 GiB");
                buf = Arrays.copyOf(buf, (int) Math.max(needed, Math.min(Integer.MAX_VALUE - 8, 2L * buf.length)));
            }
        }

        void u8(int v) {
            ensure(1);
            buf[size++] = (byte) v;
        }

        void u16(int v) {
            ensure(2);
            SHORT.set(buf, size, (short) v);
            size += 2;
        }

        void u32(int v) {
            ensure(4);
            INT.set(buf, size, v);
            size += 4;
        }

        void u64(long v) {
            ensure(8);
            LONG.set(buf, size, v);
            size += 8;
        }

        void string(String s, String what) {
            ByteBuffer bytes;
            try {
                bytes = utf8.reset().encode(CharBuffer.wrap(s));
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException(what + ": string is not valid Unicode (an unpaired surrogate?)", e);
            }
            int n = bytes.remaining();
            u64(n);
            ensure(n);
            bytes.get(buf, size, n);
            size += n;
        }

        void value(GgufValue v, String what) {
            switch (v) {
                case GgufValue.Int i -> integer(i.type(), i.value());
                case GgufValue.Float32 f -> u32(Float.floatToRawIntBits(f.value()));
                case GgufValue.Float64 f -> u64(Double.doubleToRawLongBits(f.value()));
                case GgufValue.Bool b -> u8(b.value() ? 1 : 0);
                case GgufValue.Str s -> string(s.value(), what);
                case GgufArray a -> array(a, what);
            }
        }

        private void integer(GgufValueType type, long v) {
            switch (type.fixedSize()) {
                case 1 -> u8((int) v);
                case 2 -> u16((int) v);
                case 4 -> u32((int) v);
                default -> u64(v);
            }
        }

        private void array(GgufArray a, String what) {
            u32(a.elementType().id());
            u64(a.length());
            switch (a.storage()) {
                case byte[] x -> { for (byte e : x) u8(e); }
                case short[] x -> { for (short e : x) u16(e); }
                case int[] x -> { for (int e : x) u32(e); }
                case long[] x -> { for (long e : x) u64(e); }
                case float[] x -> { for (float e : x) u32(Float.floatToRawIntBits(e)); }
                case double[] x -> { for (double e : x) u64(Double.doubleToRawLongBits(e)); }
                case boolean[] x -> { for (boolean e : x) u8(e ? 1 : 0); }
                case String[] x -> { for (int i = 0; i < x.length; i++) string(x[i], GgufReader.describe(what, i)); }
                case GgufArray[] x -> { for (int i = 0; i < x.length; i++) array(x[i], GgufReader.describe(what, i)); }
                default -> throw new AssertionError(a.elementType());
            }
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, size);
        }
    }
}
