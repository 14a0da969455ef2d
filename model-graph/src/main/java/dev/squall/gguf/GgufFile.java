package dev.squall.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A GGUF file (version 2 or 3), memory-mapped once, read-only, for as long as it is open.
 *
 * <p>{@link #open} checks the whole header, metadata and tensor table against the file: every
 * count, string length, type id, shape, offset and tensor extent, before using any of it; a
 * malformed file is a {@link GgufException} whose one-line message names the file, the field and
 * the value seen against the value expected. Tensor data is never copied: {@link #data} is a slice
 * of the mapping, valid until {@link #close()}. Offsets are longs throughout, so files over 2 GiB
 * work.
 *
 * <p>Layout (all little-endian): magic "GGUF", u32 version, u64 tensor_count, u64 kv_count, the
 * metadata entries, the tensor infos, padding to {@link #alignment()}, then the data section that
 * tensor offsets are relative to.
 */
public final class GgufFile implements AutoCloseable {

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final GgufParser.Parsed parsed;
    private final Map<String, GgufTensorInfo> byName = new HashMap<>();
    private boolean closed;

    private GgufFile(Path path, Arena arena, MemorySegment mapping, GgufParser.Parsed parsed) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.parsed = parsed;
        for (GgufTensorInfo t : parsed.tensors()) byName.put(t.name(), t);
    }

    /**
     * Maps and checks {@code path}.
     *
     * @throws GgufException when the file cannot be read or is not a well-formed GGUF v2/v3 file
     */
    public static GgufFile open(Path path) {
        String name = path.toString();
        if (Files.isDirectory(path)) throw new GgufException(name + ": is a directory, not a GGUF file");
        Arena arena = Arena.ofShared();
        try {
            MemorySegment mapping;
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
                mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            }
            return new GgufFile(path, arena, mapping, GgufParser.parse(mapping, name));
        } catch (IOException e) {
            arena.close();
            throw new GgufException(name + ": cannot read: " + e, e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Checks a GGUF file held in memory, as {@link #open} checks a file on disk; {@code name} stands
     * for the file in error messages. The bytes are not copied: they must not change while the
     * result is in use.
     *
     * @throws GgufException when the bytes are not a well-formed GGUF v2/v3 file
     */
    public static GgufFile read(byte[] bytes, String name) {
        MemorySegment segment = MemorySegment.ofArray(bytes);
        return new GgufFile(Path.of(name), null, segment, GgufParser.parse(segment, name));
    }

    public Path path() { return path; }

    /** 2 or 3. */
    public int version() { return parsed.version(); }

    /** The alignment of the data section and of every tensor's offset in it. */
    public long alignment() { return parsed.alignment(); }

    public long fileSize() { return mapping.byteSize(); }

    /** Where the data section starts in the file. */
    public long dataOffset() { return parsed.dataOffset(); }

    public GgufMetadata metadata() { return parsed.metadata(); }

    /** The tensor table in file order. */
    public List<GgufTensorInfo> tensors() { return parsed.tensors(); }

    public Optional<GgufTensorInfo> tensor(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /**
     * The tensor's bytes: a read-only slice of the mapping, no copy. Valid until this file is
     * closed; using it afterwards throws {@link IllegalStateException}.
     */
    public MemorySegment data(GgufTensorInfo tensor) {
        if (!tensor.equals(byName.get(tensor.name()))) {
            throw new IllegalArgumentException(path + ": tensor " + GgufText.quote(tensor.name()) + " is not from this file");
        }
        return mapping.asSlice(tensor.fileOffset(), tensor.byteSize());
    }

    /** The bytes of the tensor named {@code name}; a missing tensor is a {@link GgufException}. */
    public MemorySegment data(String name) {
        GgufTensorInfo t = byName.get(name);
        if (t == null) throw new GgufException(path + ": missing tensor " + GgufText.quote(name));
        return data(t);
    }

    /** Unmaps the file; slices from {@link #data} become inaccessible. Closing twice is harmless. */
    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        if (arena != null) arena.close();
    }

    @Override public String toString() {
        return path + " (GGUF v" + version() + ", " + metadata().size() + " keys, " + tensors().size()
                + " tensors, " + fileSize() + " bytes)";
    }
}
