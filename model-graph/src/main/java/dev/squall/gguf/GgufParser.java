package dev.squall.gguf;

import dev.squall.format.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Parses the header, metadata and tensor table of a GGUF file (v2 or v3, little-endian) held in
 * a memory segment, checking every count, length, type id, shape, offset and extent against the
 * file before it is used. Nothing is allocated from a count the remaining bytes could not hold.
 */
final class GgufParser {

    /** Arrays of arrays deeper than this are rejected: no model needs them and recursion is bounded. */
    static final int MAX_ARRAY_DEPTH = 8;

    /** What the header, metadata and tensor table say. */
    record Parsed(int version, GgufMetadata metadata, long alignment, long dataOffset, List<GgufTensorInfo> tensors) {}

    private record RawTensor(String name, long[] dims, GgmlType type, long offset) {}

    private final GgufReader in;

    private GgufParser(GgufReader in) {
        this.in = in;
    }

    static Parsed parse(MemorySegment file, String name) {
        return new GgufParser(new GgufReader(file, name)).parse();
    }

    private Parsed parse() {
        int magic = in.u32("magic");
        if (magic != GgufLayout.MAGIC) {
            throw in.error(String.format("magic is 0x%08x, expected \"GGUF\" (0x%08x)", magic, GgufLayout.MAGIC));
        }
        int version = checkVersion(in.u32("version"));
        long tensorCount = in.u64("tensor_count");
        long kvCount = in.u64("kv_count");
        checkCount("tensor_count", tensorCount, GgufLayout.MIN_TENSOR_INFO_BYTES, "a tensor info");
        checkCount("kv_count", kvCount, GgufLayout.MIN_KV_BYTES, "a metadata entry");

        GgufMetadata metadata = readMetadata(kvCount);
        long alignment = alignmentOf(metadata);
        List<RawTensor> raw = readTensorInfos(tensorCount);

        long dataOffset = tensorCount > 0 ? GgufLayout.alignUp(in.position(), alignment) : in.position();
        if (dataOffset > in.size()) {
            throw in.error("data section starts at offset " + dataOffset + " (tensor infos end at " + in.position()
                    + ", alignment " + alignment + "), past the end of the file (" + in.size() + " bytes)");
        }
        List<GgufTensorInfo> tensors = placeTensors(raw, alignment, dataOffset);
        return new Parsed(version, metadata, alignment, dataOffset, tensors);
    }

    private int checkVersion(int version) {
        if (version == 2 || version == 3) return version;
        String shown = Integer.toUnsignedString(version);
        if (version != 0 && (version & 0xFFFF) == 0) {
            throw in.error(String.format("version is 0x%08x, which looks byte-swapped: big-endian GGUF files are "
                    + "not supported, expected version 2 or 3", version));
        }
        throw in.error("GGUF version " + shown + " is not supported, expected version 2 or 3");
    }

    /** A header count must fit in the bytes that follow the header, at its smallest entry size. */
    private void checkCount(String field, long count, int minBytes, String entry) {
        if (Long.compareUnsigned(count, in.remaining() / minBytes) > 0) {
            throw in.error("header: " + field + " is " + Long.toUnsignedString(count) + ", more than the "
                    + in.remaining() + " bytes after the header can hold (" + entry + " takes at least "
                    + minBytes + " bytes)");
        }
    }

    // --- metadata --------------------------------------------------------------------------------

    private GgufMetadata readMetadata(long count) {
        LinkedHashMap<String, GgufValue> values = new LinkedHashMap<>();
        Map<String, Long> firstSeen = new HashMap<>();
        for (long i = 0; i < count; i++) {
            String key = in.string("metadata key #" + i);
            if (key.isEmpty()) throw in.error("metadata key #" + i + " is empty");
            Long earlier = firstSeen.putIfAbsent(key, i);
            if (earlier != null) {
                throw in.error("metadata key #" + i + ": duplicate key " + GgufText.quote(key) + " (first seen as key #" + earlier + ")");
            }
            String what = "key " + GgufText.quote(key);
            GgufValueType type = valueType(in.u32("value type of " + what), what);
            values.put(key, readValue(type, "value of " + what, 0));
        }
        return new GgufMetadata(in.file(), values);
    }

    private GgufValueType valueType(int id, String what) {
        Optional<GgufValueType> type = GgufValueType.fromId(Integer.toUnsignedLong(id));
        if (type.isEmpty()) {
            throw in.error(what + ": unknown value type id " + Integer.toUnsignedString(id) + ", expected 0 to "
                    + (GgufValueType.values().length - 1));
        }
        return type.get();
    }

    private GgufValue readValue(GgufValueType type, String what, int depth) {
        return switch (type) {
            case UINT8 -> GgufValue.uint8(in.u8(what, -1));
            case INT8 -> GgufValue.int8((byte) in.u8(what, -1));
            case UINT16 -> GgufValue.uint16(in.u16(what, -1) & 0xFFFF);
            case INT16 -> GgufValue.int16(in.u16(what, -1));
            case UINT32 -> GgufValue.uint32(in.u32(what) & 0xFFFF_FFFFL);
            case INT32 -> GgufValue.int32(in.u32(what));
            case UINT64 -> GgufValue.uint64(in.u64(what));
            case INT64 -> GgufValue.int64(in.u64(what));
            case FLOAT32 -> GgufValue.float32(Float.intBitsToFloat(in.u32(what)));
            case FLOAT64 -> GgufValue.float64(Double.longBitsToDouble(in.u64(what)));
            case BOOL -> GgufValue.bool(bool(in.u8(what, -1), what, -1));
            case STRING -> GgufValue.string(in.string(what));
            case ARRAY -> readArray(what, depth + 1);
        };
    }

    private boolean bool(int b, String what, long index) {
        if (b > 1) throw in.error(GgufReader.describe(what, index) + ": BOOL byte is " + b + ", expected 0 or 1");
        return b == 1;
    }

    private GgufArray readArray(String what, int depth) {
        if (depth > MAX_ARRAY_DEPTH) {
            throw in.error(what + ": arrays nested more than " + MAX_ARRAY_DEPTH + " deep");
        }
        GgufValueType elementType = valueType(in.u32("element type of " + what), "element type of " + what);
        long countOffset = in.position();
        long count = in.u64("element count of " + what);
        int minBytes = elementType.minEncodedSize();
        if (Long.compareUnsigned(count, in.remaining() / minBytes) > 0) {
            throw in.error(what + ": array count " + Long.toUnsignedString(count) + " at offset " + countOffset + " ("
                    + elementType + ", at least " + minBytes + " bytes each) exceeds the " + in.remaining()
                    + " bytes left in the file");
        }
        if (count > GgufArray.MAX_LENGTH) {
            throw in.error(what + ": array count " + count + " at offset " + countOffset + " exceeds the "
                    + GgufArray.MAX_LENGTH + " elements an array may hold");
        }
        int n = (int) count;
        Object data = GgufArray.newStorage(elementType, n);
        switch (data) {
            case byte[] a ->
                    in.copyTo(a, ValueLayout.JAVA_BYTE, n, what);
            case short[] a -> in.copyTo(a, GgufReader.U16, n, what);
            case int[] a -> in.copyTo(a, GgufReader.U32, n, what);
            case long[] a -> in.copyTo(a, GgufReader.U64, n, what);
            case float[] a -> in.copyTo(a, GgufReader.F32, n, what);
            case double[] a -> in.copyTo(a, GgufReader.F64, n, what);
            case boolean[] a -> {
                for (int i = 0; i < n; i++) a[i] = bool(in.u8(what, i), what, i);
            }
            case String[] a -> {
                for (int i = 0; i < n; i++) a[i] = in.string(what, i);
            }
            case GgufArray[] a -> {
                for (int i = 0; i < n; i++) a[i] = readArray(GgufReader.describe(what, i), depth + 1);
            }
            default -> throw new AssertionError(elementType);
        }
        return new GgufArray(elementType, data);
    }

    private long alignmentOf(GgufMetadata metadata) {
        Optional<GgufValue> value = metadata.find(GgufLayout.ALIGNMENT_KEY);
        if (value.isEmpty()) return GgufLayout.DEFAULT_ALIGNMENT;
        if (!(value.get() instanceof GgufValue.Int i) || i.type() != GgufValueType.UINT32) {
            throw in.error("key " + GgufText.quote(GgufLayout.ALIGNMENT_KEY) + " is " + value.get().typeName() + ", expected UINT32");
        }
        if (!GgufLayout.isValidAlignment(i.value())) {
            throw in.error("key " + GgufText.quote(GgufLayout.ALIGNMENT_KEY) + " is " + i.value() + ", expected a non-zero power of two");
        }
        return i.value();
    }

    // --- tensor table ----------------------------------------------------------------------------

    private List<RawTensor> readTensorInfos(long count) {
        List<RawTensor> tensors = new ArrayList<>();
        Map<String, Long> firstSeen = new HashMap<>();
        for (long i = 0; i < count; i++) {
            String name = in.string("name of tensor info #" + i);
            Long earlier = firstSeen.putIfAbsent(name, i);
            if (earlier != null) {
                throw in.error("tensor info #" + i + ": duplicate tensor name " + GgufText.quote(name) + " (first seen as tensor #"
                        + earlier + ")");
            }
            String what = "tensor " + GgufText.quote(name);
            int nDims = in.u32("n_dims of " + what);
            if (nDims < 1 || nDims > GgufLayout.MAX_DIMS) {
                throw in.error(what + ": n_dims is " + Integer.toUnsignedString(nDims) + ", expected 1 to "
                        + GgufLayout.MAX_DIMS);
            }
            long[] dims = new long[nDims];
            for (int d = 0; d < nDims; d++) dims[d] = in.u64("dimension #" + d + " of " + what);
            int typeId = in.u32("type of " + what);
            GgmlType type = GgmlType.fromId(Integer.toUnsignedLong(typeId)).orElseThrow(() -> in.error(
                    what + ": unknown tensor type id " + Integer.toUnsignedString(typeId) + " (not a ggml type)"));
            String problem = GgufLayout.shapeProblem(type, dims);
            if (problem != null) throw in.error(what + ": " + problem);
            long offset = in.u64("data offset of " + what);
            tensors.add(new RawTensor(name, dims, type, offset));
        }
        return tensors;
    }

    /** Checks each tensor's offset and extent and that no two tensors share bytes. */
    private List<GgufTensorInfo> placeTensors(List<RawTensor> raw, long alignment, long dataOffset) {
        long fileSize = in.size();
        List<GgufTensorInfo> tensors = new ArrayList<>(raw.size());
        for (RawTensor t : raw) {
            String what = "tensor " + GgufText.quote(t.name());
            if (Long.remainderUnsigned(t.offset(), alignment) != 0) {
                throw in.error(what + ": data offset " + Long.toUnsignedString(t.offset())
                        + " is not a multiple of the alignment " + alignment);
            }
            long byteSize = GgufLayout.byteSize(t.type(), t.dims());
            if (Long.compareUnsigned(t.offset(), fileSize - dataOffset) > 0) {
                throw in.error(what + ": data offset " + Long.toUnsignedString(t.offset()) + " (data section at "
                        + dataOffset + ") is past the end of the file (" + fileSize + " bytes)");
            }
            long start = dataOffset + t.offset();
            if (byteSize > fileSize - start) {
                throw in.error(what + ": data [" + start + ", " + Long.toUnsignedString(start + byteSize)
                        + ") extends past the end of the file (" + fileSize + " bytes)");
            }
            tensors.add(new GgufTensorInfo(t.name(), t.type(), t.dims(), t.offset(), byteSize, start));
        }
        List<GgufTensorInfo> byStart = new ArrayList<>(tensors);
        byStart.sort(Comparator.comparingLong(GgufTensorInfo::fileOffset));
        for (int i = 1; i < byStart.size(); i++) {
            GgufTensorInfo a = byStart.get(i - 1), b = byStart.get(i);
            if (b.fileOffset() < a.fileOffset() + a.byteSize()) {
                throw in.error("tensor " + GgufText.quote(b.name()) + ": data " + extent(b) + " overlaps tensor "
                        + GgufText.quote(a.name()) + " " + extent(a));
            }
        }
        return List.copyOf(tensors);
    }

    private static String extent(GgufTensorInfo t) {
        return "[" + t.fileOffset() + ", " + (t.fileOffset() + t.byteSize()) + ")";
    }
}
