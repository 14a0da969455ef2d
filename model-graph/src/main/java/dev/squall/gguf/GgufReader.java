package dev.squall.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;

/**
 * A cursor over the bytes of a GGUF file that checks every read against the end of the file and
 * turns every problem into a one-line {@link GgufException} naming the file, what was being read
 * and where.
 *
 * <p>{@code what} arguments describe the field being read ("metadata key #3", "value of key
 * 'general.name'"); an {@code index} of 0 or more adds "element #index of" in front.
 */
final class GgufReader {

    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * The longest string accepted. Far above any real key, name or chat template, it keeps a
     * corrupt length inside a large file from asking for gigabytes of heap.
     */
    static final int MAX_STRING_BYTES = 256 << 20;

    private final MemorySegment bytes;
    private final long size;
    private final String file;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
    private long pos;

    GgufReader(MemorySegment bytes, String file) {
        this.bytes = bytes;
        this.size = bytes.byteSize();
        this.file = file;
    }

    long position() { return pos; }

    long size() { return size; }

    long remaining() { return size - pos; }

    String file() { return file; }

    GgufException error(String message) {
        return new GgufException(file + ": " + message);
    }

    static String describe(String what, long index) {
        return index < 0 ? what : "element #" + index + " of " + what;
    }

    /** Fails unless {@code n} more bytes can be read. */
    void need(long n, String what, long index) {
        if (n > size - pos) {
            throw error("truncated: reading " + describe(what, index) + " needs " + n + " bytes at offset " + pos
                    + ", file has " + size);
        }
    }

    int u8(String what, long index) {
        need(1, what, index);
        return bytes.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF;
    }

    short u16(String what, long index) {
        need(2, what, index);
        short v = bytes.get(U16, pos);
        pos += 2;
        return v;
    }

    /** The 32 bits as an int; mask with {@code 0xFFFF_FFFFL} for the unsigned value. */
    int u32(String what, long index) {
        need(4, what, index);
        int v = bytes.get(U32, pos);
        pos += 4;
        return v;
    }

    /** The 64 bits as a long; negative means {@code 2^63} or more. */
    long u64(String what, long index) {
        need(8, what, index);
        long v = bytes.get(U64, pos);
        pos += 8;
        return v;
    }

    int u32(String what) { return u32(what, -1); }

    long u64(String what) { return u64(what, -1); }

    /**
     * Copies {@code count} values of {@code layout} into {@code dst}, a Java array of at least
     * {@code count} elements; {@code count} is bounded by the caller.
     */
    void copyTo(Object dst, ValueLayout layout, int count, String what) {
        long n = count * layout.byteSize();
        need(n, what, -1);
        MemorySegment.copy(bytes, layout, pos, dst, 0, count);
        pos += n;
    }

    /** A u64 length and that many bytes of UTF-8. */
    String string(String what, long index) {
        long start = pos;
        long length = u64(what, index);
        if (Long.compareUnsigned(length, size - pos) > 0) {
            throw error(describe(what, index) + ": string length " + Long.toUnsignedString(length) + " at offset "
                    + start + " exceeds the " + (size - pos) + " bytes left in the file");
        }
        if (length > MAX_STRING_BYTES) {
            throw error(describe(what, index) + ": string length " + length + " at offset " + start
                    + " exceeds the " + MAX_STRING_BYTES + " bytes a string may take");
        }
        byte[] raw = new byte[(int) length];
        MemorySegment.copy(bytes, ValueLayout.JAVA_BYTE, pos, raw, 0, raw.length);
        pos += length;
        return decode(raw, what, index, start);
    }

    String string(String what) { return string(what, -1); }

    /** UTF-8 {@code raw}, which followed its length field at {@code start}. */
    private String decode(byte[] raw, String what, long index, long start) {
        boolean ascii = true;
        for (byte b : raw) {
            if (b < 0) { ascii = false; break; }
        }
        if (ascii) return new String(raw, StandardCharsets.ISO_8859_1);
        ByteBuffer in = ByteBuffer.wrap(raw);
        CharBuffer out = CharBuffer.allocate(raw.length);
        utf8.reset();
        CoderResult result = utf8.decode(in, out, true);
        if (!result.isError()) result = utf8.flush(out);
        if (result.isError()) {
            throw error(describe(what, index) + ": string at offset " + start + " is not valid UTF-8 (byte 0x"
                    + Integer.toHexString(raw[in.position()] & 0xFF) + " at offset " + (start + 8 + in.position()) + ")");
        }
        return out.flip().toString();
    }
}
