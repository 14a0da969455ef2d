package dev.squall.fuzz;

import dev.squall.fuzz.GgufFields.Field;
import dev.squall.fuzz.GgufFields.Kind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Hostile variants of a well-formed GGUF file, aimed at its fields ({@link GgufFields}): bit flips,
 * truncation at field boundaries, counts and lengths near 2^31, 2^32, 2^63 and 2^64, tensor extents
 * past the end or overlapping, misaligned offsets, unknown value and tensor types, duplicate keys and
 * tensor names, invalid UTF-8, spliced bytes. One seeded {@link Random} drives everything, so a
 * (seed file, iteration seed) pair reproduces its input.
 */
public final class GgufMutator {

    /** The mutations, by name (reports count inputs per mutation). */
    public enum Mutation {
        BIT_FLIPS, TRUNCATE_AT_FIELD, TRUNCATE_ANYWHERE, EXTREME_COUNT, EXTREME_FIELD, UNKNOWN_TYPE, TENSOR_PAST_END,
        TENSOR_OVERLAP, TENSOR_MISALIGNED, DUPLICATE_NAME, INVALID_UTF8, SPLICE, ALIGNMENT
    }

    /** Values near the edges of 32- and 64-bit counts and of the file. */
    private static final long[] EXTREMES = {0, 1, 2, 0x7FFF_FFFEL, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL, 0x1_0000_0000L,
            0x1_0000_0001L, Long.MAX_VALUE, Long.MIN_VALUE, -1L, -2L, 0x3FFF_FFFF_FFFF_FFFFL, 0xFFFF_FFFF_FFFFL};

    private final byte[] seed;
    private final GgufFields fields;

    public GgufMutator(byte[] seed) {
        this.seed = seed;
        this.fields = GgufFields.of(seed);
    }

    /** The input for {@code random}'s next draw: 1 to 3 mutations of the seed; {@code applied} receives their names. */
    public byte[] next(Random random, List<Mutation> applied) {
        byte[] b = seed.clone();
        int n = 1 + (random.nextInt(4) == 0 ? random.nextInt(3) : 0);
        for (int i = 0; i < n; i++) {
            Mutation m = Mutation.values()[random.nextInt(Mutation.values().length)];
            applied.add(m);
            b = apply(m, b, random);
        }
        return b;
    }

    /** {@code b} after mutation {@code m} (a new array when the length changes). */
    public byte[] apply(Mutation m, byte[] b, Random r) {
        if (b.length < 2) return b;
        return switch (m) {
            case BIT_FLIPS -> {
                int flips = 1 + r.nextInt(8);
                long limit = r.nextInt(8) == 0 ? b.length : Math.min(b.length, fields.headerEnd() + 64);
                for (int i = 0; i < flips; i++) {
                    int at = (int) (r.nextLong(limit));
                    b[at] ^= (byte) (1 << r.nextInt(8));
                }
                yield b;
            }
            case TRUNCATE_AT_FIELD -> {
                Field f = pick(fields.fields(), r);
                long at = r.nextBoolean() ? f.offset() : f.offset() + r.nextInt(Math.max(1, f.length()));
                yield Arrays.copyOf(b, (int) Math.min(b.length, at));
            }
            case TRUNCATE_ANYWHERE -> Arrays.copyOf(b, r.nextInt(b.length));
            case EXTREME_COUNT -> overwrite(b, pickOf(r, Kind.TENSOR_COUNT, Kind.KV_COUNT, Kind.KEY_LENGTH, Kind.STRING_LENGTH,
                    Kind.ARRAY_COUNT, Kind.NAME_LENGTH, Kind.DIM), extreme(r, b.length));
            case EXTREME_FIELD -> overwrite(b, pick(fields.fields(), r), extreme(r, b.length));
            case UNKNOWN_TYPE -> {
                Field f = pickOf(r, Kind.VALUE_TYPE, Kind.ARRAY_TYPE, Kind.TENSOR_TYPE, Kind.N_DIMS, Kind.VERSION);
                long v = switch (r.nextInt(3)) {
                    case 0 -> 13 + r.nextInt(64);
                    case 1 -> r.nextInt(13);
                    default -> r.nextInt() & 0xFFFF_FFFFL;
                };
                yield overwrite(b, f, v);
            }
            case TENSOR_PAST_END -> overwrite(b, pickOf(r, Kind.TENSOR_OFFSET), b.length + (long) r.nextInt(1 << 20) * (r.nextBoolean() ? 32 : 1));
            case TENSOR_OVERLAP -> {
                List<Field> offsets = fields.of(Kind.TENSOR_OFFSET);
                if (offsets.size() < 2) yield b;
                Field a = pick(offsets, r), other = pick(offsets, r);
                long v = read(b, other) + (r.nextBoolean() ? 0 : 32L * r.nextInt(4));
                yield overwrite(b, a, v);
            }
            case TENSOR_MISALIGNED -> {
                Field f = pickOf(r, Kind.TENSOR_OFFSET);
                yield f == null ? b : overwrite(b, f, read(b, f) + 1 + r.nextInt(31));
            }
            case DUPLICATE_NAME -> duplicate(b, r);
            case INVALID_UTF8 -> {
                Field f = pickOf(r, Kind.KEY_BYTES, Kind.STRING_BYTES, Kind.NAME_BYTES);
                if (f == null || f.length() == 0) yield b;
                byte[][] bad = {{(byte) 0xFF}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
                        {(byte) 0xE2, (byte) 0x82}, {(byte) 0x80}, {(byte) 0xC3}};
                byte[] s = bad[r.nextInt(bad.length)];
                int at = (int) f.offset() + r.nextInt(f.length());
                for (int i = 0; i < s.length && at + i < Math.min(f.end(), b.length); i++) b[at + i] = s[i];
                yield b;
            }
            case SPLICE -> {
                int len = 1 + r.nextInt(Math.min(64, b.length));
                int from = r.nextInt(b.length - len + 1), to = r.nextInt((int) Math.max(1, Math.min(b.length - len + 1, fields.headerEnd())));
                System.arraycopy(b, from, b, to, len);
                yield b;
            }
            case ALIGNMENT -> {
                Field f = fields.fields().stream().filter(x -> x.kind() == Kind.VALUE && "general.alignment".equals(x.key())).findFirst()
                        .orElse(pickOf(r, Kind.TENSOR_OFFSET));
                yield f == null ? b : overwrite(b, f, r.nextBoolean() ? r.nextInt(100) : 1L << r.nextInt(40));
            }
        };
    }

    /** Makes a metadata key or tensor name equal to another of the same length, when there is such a pair. */
    private byte[] duplicate(byte[] b, Random r) {
        Kind kind = r.nextBoolean() ? Kind.KEY_BYTES : Kind.NAME_BYTES;
        List<Field> names = fields.of(kind);
        if (names.size() < 2) return b;
        Field a = pick(names, r);
        List<Field> same = names.stream().filter(f -> f.length() == a.length() && f.offset() != a.offset()).toList();
        if (same.isEmpty()) return b;
        Field other = pick(same, r);
        if (a.end() > b.length || other.end() > b.length) return b;
        System.arraycopy(b, (int) other.offset(), b, (int) a.offset(), a.length());
        return b;
    }

    private static long extreme(Random r, int fileSize) {
        return switch (r.nextInt(4)) {
            case 0 -> fileSize + r.nextInt(3) - 1;
            case 1 -> r.nextLong();
            default -> EXTREMES[r.nextInt(EXTREMES.length)];
        };
    }

    private Field pickOf(Random r, Kind... kinds) {
        List<Kind> ks = List.of(kinds);
        List<Field> candidates = fields.fields().stream().filter(f -> ks.contains(f.kind())).toList();
        return candidates.isEmpty() ? null : pick(candidates, r);
    }

    private static <T> T pick(List<T> list, Random r) {
        return list.get(r.nextInt(list.size()));
    }

    private static long read(byte[] b, Field f) {
        if (f.end() > b.length) return 0;
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        return switch (f.length()) {
            case 1 -> buf.get((int) f.offset());
            case 2 -> buf.getShort((int) f.offset());
            case 4 -> buf.getInt((int) f.offset()) & 0xFFFF_FFFFL;
            case 8 -> buf.getLong((int) f.offset());
            default -> 0;
        };
    }

    /** Writes {@code v} over a field of 1, 2, 4 or 8 bytes (other fields: over their first 8 bytes, if they have them). */
    private static byte[] overwrite(byte[] b, Field f, long v) {
        if (f == null) return b;
        int width = switch (f.length()) {
            case 1, 2, 4, 8 -> f.length();
            default -> f.length() >= 8 ? 8 : 0;
        };
        if (width == 0 || f.offset() + width > b.length) return b;
        for (int i = 0; i < width; i++) b[(int) f.offset() + i] = (byte) (v >>> (8 * i));
        return b;
    }

    /** For tests: every field boundary of the seed (each field's start and end), where a truncation may land. */
    public long[] boundaries() {
        return fields.fields().stream().flatMapToLong(f -> java.util.stream.LongStream.of(f.offset(), f.end())).distinct().sorted().toArray();
    }

    /** The seed's fields. */
    public GgufFields fields() { return fields; }
}
