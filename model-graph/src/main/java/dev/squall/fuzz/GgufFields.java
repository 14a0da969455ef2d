package dev.squall.fuzz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields of a well-formed GGUF file, found by walking its header, metadata and tensor table:
 * where each count, length, type id, value, dimension and offset lies, so that a mutation can aim
 * at a field boundary or overwrite one field with a hostile value. Only for seed files that
 * {@link dev.squall.gguf.GgufFile} accepts: the walk trusts what it reads.
 */
public record GgufFields(List<Field> fields, long headerEnd) {

    /** What a field holds. */
    public enum Kind {
        MAGIC, VERSION, TENSOR_COUNT, KV_COUNT,
        KEY_LENGTH, KEY_BYTES, VALUE_TYPE, VALUE, STRING_LENGTH, STRING_BYTES, ARRAY_TYPE, ARRAY_COUNT,
        NAME_LENGTH, NAME_BYTES, N_DIMS, DIM, TENSOR_TYPE, TENSOR_OFFSET
    }

    /** {@code length} bytes at {@code offset}; {@code key} is the metadata key or tensor name it belongs to. */
    public record Field(Kind kind, long offset, int length, String key) {
        public long end() { return offset + length; }
    }

    /** The fields of {@code file}, in file order, and where the tensor table ends. */
    public static GgufFields of(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        List<Field> out = new ArrayList<>();
        Walker w = new Walker(b, out);
        w.fixed(Kind.MAGIC, 4, null);
        w.fixed(Kind.VERSION, 4, null);
        long tensors = w.u64(Kind.TENSOR_COUNT, null);
        long kvs = w.u64(Kind.KV_COUNT, null);
        for (long i = 0; i < kvs; i++) {
            String key = w.string(Kind.KEY_LENGTH, Kind.KEY_BYTES, null);
            int type = w.u32(Kind.VALUE_TYPE, key);
            w.value(type, key);
        }
        for (long i = 0; i < tensors; i++) {
            String name = w.string(Kind.NAME_LENGTH, Kind.NAME_BYTES, null);
            int dims = w.u32(Kind.N_DIMS, name);
            for (int d = 0; d < dims; d++) w.u64(Kind.DIM, name);
            w.u32(Kind.TENSOR_TYPE, name);
            w.u64(Kind.TENSOR_OFFSET, name);
        }
        return new GgufFields(List.copyOf(out), b.position());
    }

    /** The fields of one kind. */
    public List<Field> of(Kind kind) {
        return fields.stream().filter(f -> f.kind() == kind).toList();
    }

    private record Walker(ByteBuffer b, List<Field> out) {
        void fixed(Kind kind, int length, String key) {
            out.add(new Field(kind, b.position(), length, key));
            b.position(b.position() + length);
        }

        int u32(Kind kind, String key) {
            out.add(new Field(kind, b.position(), 4, key));
            return b.getInt();
        }

        long u64(Kind kind, String key) {
            out.add(new Field(kind, b.position(), 8, key));
            return b.getLong();
        }

        String string(Kind lengthKind, Kind bytesKind, String key) {
            int n = (int) u64(lengthKind, key);
            byte[] raw = new byte[n];
            out.add(new Field(bytesKind, b.position(), n, key));
            b.get(raw);
            return new String(raw, java.nio.charset.StandardCharsets.UTF_8);
        }

        void value(int type, String key) {
            switch (type) {
                case 0, 1, 7 -> fixed(Kind.VALUE, 1, key);
                case 2, 3 -> fixed(Kind.VALUE, 2, key);
                case 4, 5, 6 -> fixed(Kind.VALUE, 4, key);
                case 10, 11, 12 -> fixed(Kind.VALUE, 8, key);
                case 8 -> string(Kind.STRING_LENGTH, Kind.STRING_BYTES, key);
                case 9 -> {
                    int element = u32(Kind.ARRAY_TYPE, key);
                    long count = u64(Kind.ARRAY_COUNT, key);
                    int size = switch (element) {
                        case 0, 1, 7 -> 1;
                        case 2, 3 -> 2;
                        case 4, 5, 6 -> 4;
                        case 10, 11, 12 -> 8;
                        default -> -1;
                    };
                    if (size > 0) {
                        // one field for the whole run of fixed-size elements
                        fixed(Kind.VALUE, (int) (count * size), key);
                    } else {
                        for (long i = 0; i < count; i++) value(element, key);
                    }
                }
                default -> throw new IllegalArgumentException("not a well-formed seed: value type " + type + " of key " + key);
            }
        }
    }
}
