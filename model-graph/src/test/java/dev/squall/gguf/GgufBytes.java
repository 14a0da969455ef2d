package dev.squall.gguf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Builds GGUF bytes by hand, field by field, so tests can make files no writer would: a wrong
 * magic, an absurd count, a misaligned offset. Little-endian, as GGUF is.
 */
final class GgufBytes {

    private ByteBuffer buf = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);

    /** The number of bytes so far: the offset the next field will be at. */
    int size() { return buf.position(); }

    private GgufBytes room(int n) {
        if (buf.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n)).order(ByteOrder.LITTLE_ENDIAN);
            bigger.put(buf.flip());
            buf = bigger;
        }
        return this;
    }

    GgufBytes u8(int v) { room(1).buf.put((byte) v); return this; }
    GgufBytes u16(int v) { room(2).buf.putShort((short) v); return this; }
    GgufBytes u32(long v) { room(4).buf.putInt((int) v); return this; }
    GgufBytes u64(long v) { room(8).buf.putLong(v); return this; }
    GgufBytes f32(float v) { room(4).buf.putFloat(v); return this; }
    GgufBytes f64(double v) { room(8).buf.putDouble(v); return this; }
    GgufBytes raw(byte[] b) { room(b.length).buf.put(b); return this; }
    GgufBytes zeros(int n) { return raw(new byte[n]); }

    /** A GGUF string: u64 byte length, then UTF-8. */
    GgufBytes str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return u64(b.length).raw(b);
    }

    /** Zero bytes up to the next multiple of {@code alignment}. */
    GgufBytes alignTo(int alignment) {
        return zeros((alignment - size() % alignment) % alignment);
    }

    /** Magic "GGUF", version, tensor_count, kv_count. */
    GgufBytes header(int version, long tensorCount, long kvCount) {
        return raw("GGUF".getBytes(StandardCharsets.US_ASCII)).u32(version).u64(tensorCount).u64(kvCount);
    }

    /** A metadata key and its value type id; the value follows. */
    GgufBytes key(String key, GgufValueType type) {
        return str(key).u32(type.id());
    }

    GgufBytes kvUint32(String key, long v) { return key(key, GgufValueType.UINT32).u32(v); }

    GgufBytes kvString(String key, String v) { return key(key, GgufValueType.STRING).str(v); }

    /** The start of an array value: element type and count; the elements follow. */
    GgufBytes arrayOf(GgufValueType elementType, long count) {
        return u32(elementType.id()).u64(count);
    }

    /** A tensor info: name, n_dims, dims, type id, offset. */
    GgufBytes tensorInfo(String name, int typeId, long offset, long... dims) {
        str(name).u32(dims.length);
        for (long d : dims) u64(d);
        return u32(typeId).u64(offset);
    }

    byte[] toArray() { return Arrays.copyOf(buf.array(), buf.position()); }

    /** Writes the bytes to {@code dir/name} and returns that path. */
    Path writeTo(Path dir, String name) {
        try {
            return Files.write(dir.resolve(name), toArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
