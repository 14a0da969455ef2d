package dev.squall.gguf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.SequencedMap;
import java.util.SequencedSet;
import java.util.function.Predicate;

/**
 * The key-value metadata of a GGUF file, immutable and in file order.
 *
 * <p>Typed getters come in three shapes: {@code getX(key)} for a required key, {@code getX(key,
 * orDefault)} and {@code findX(key)} for an optional one. All of them fail with a
 * {@link GgufException} naming the file and the key when the key is present with the wrong type
 * or a value out of the asked type's range; only absence is optional. Integer getters accept any
 * of the eight integer types, float getters both FLOAT32 and FLOAT64.
 */
public final class GgufMetadata {

    private final String source;
    private final SequencedMap<String, GgufValue> values;

    /** Takes ownership of {@code values} (insertion-ordered). */
    GgufMetadata(String source, LinkedHashMap<String, GgufValue> values) {
        this.source = source;
        this.values = Collections.unmodifiableSequencedMap(values);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The name errors start with: the file this metadata was read from. */
    public String source() { return source; }

    public int size() { return values.size(); }

    public boolean contains(String key) { return values.containsKey(key); }

    /** The keys in file order. */
    public SequencedSet<String> keys() {
        return values.sequencedKeySet();
    }

    public Optional<GgufValue> find(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public GgufValue get(String key) {
        GgufValue v = values.get(key);
        if (v == null) throw error("missing required key " + GgufText.quote(key));
        return v;
    }

    // --- strings -------------------------------------------------------------------------------

    public String getString(String key) { return asString(key, get(key)); }

    public String getString(String key, String orDefault) { return findString(key).orElse(orDefault); }

    public Optional<String> findString(String key) { return find(key).map(v -> asString(key, v)); }

    // --- integers ------------------------------------------------------------------------------

    /** Any integer type; a UINT64 of 2^63 or more is an error. */
    public long getLong(String key) { return asLong(key, get(key)); }

    public long getLong(String key, long orDefault) {
        GgufValue v = values.get(key);
        return v == null ? orDefault : asLong(key, v);
    }

    public OptionalLong findLong(String key) {
        GgufValue v = values.get(key);
        return v == null ? OptionalLong.empty() : OptionalLong.of(asLong(key, v));
    }

    /** Any integer type whose value fits in an int. */
    public int getInt(String key) { return asInt(key, get(key)); }

    public int getInt(String key, int orDefault) {
        GgufValue v = values.get(key);
        return v == null ? orDefault : asInt(key, v);
    }

    public OptionalInt findInt(String key) {
        GgufValue v = values.get(key);
        return v == null ? OptionalInt.empty() : OptionalInt.of(asInt(key, v));
    }

    // --- floating point ------------------------------------------------------------------------

    /** FLOAT32, or a FLOAT64 rounded to float (one that overflows a float is an error). */
    public float getFloat(String key) { return asFloat(key, get(key)); }

    public float getFloat(String key, float orDefault) {
        GgufValue v = values.get(key);
        return v == null ? orDefault : asFloat(key, v);
    }

    public Optional<Float> findFloat(String key) { return find(key).map(v -> asFloat(key, v)); }

    /** FLOAT32 or FLOAT64. */
    public double getDouble(String key) { return asDouble(key, get(key)); }

    public double getDouble(String key, double orDefault) {
        GgufValue v = values.get(key);
        return v == null ? orDefault : asDouble(key, v);
    }

    // --- booleans ------------------------------------------------------------------------------

    public boolean getBool(String key) { return asBool(key, get(key)); }

    public boolean getBool(String key, boolean orDefault) {
        GgufValue v = values.get(key);
        return v == null ? orDefault : asBool(key, v);
    }

    public Optional<Boolean> findBool(String key) { return find(key).map(v -> asBool(key, v)); }

    // --- arrays --------------------------------------------------------------------------------

    /** An array of any element type. */
    public GgufArray getArray(String key) { return asArray(key, get(key)); }

    public Optional<GgufArray> findArray(String key) { return find(key).map(v -> asArray(key, v)); }

    public String[] getStringArray(String key) { return asStringArray(key, get(key)); }

    public Optional<String[]> findStringArray(String key) { return find(key).map(v -> asStringArray(key, v)); }

    /** An array of FLOAT32, or of FLOAT64 rounded to float. */
    public float[] getFloatArray(String key) { return asFloatArray(key, get(key)); }

    public Optional<float[]> findFloatArray(String key) { return find(key).map(v -> asFloatArray(key, v)); }

    /** An array of any integer type whose elements all fit in an int. */
    public int[] getIntArray(String key) { return asIntArray(key, get(key)); }

    public Optional<int[]> findIntArray(String key) { return find(key).map(v -> asIntArray(key, v)); }

    /** An array of any integer type whose elements all fit in a long. */
    public long[] getLongArray(String key) { return asLongArray(key, get(key)); }

    public Optional<long[]> findLongArray(String key) { return find(key).map(v -> asLongArray(key, v)); }

    // --- description ---------------------------------------------------------------------------

    /** One line for an info listing: {@code tokenizer.ggml.tokens: ARRAY<STRING> = [32000 × STRING]}. */
    public String describe(String key) {
        GgufValue v = get(key);
        return GgufText.plain(key) + ": " + v.typeName() + " = " + v.describe();
    }

    /** {@link #describe} of every key, one per line, in file order. */
    @Override public String toString() {
        StringBuilder b = new StringBuilder();
        for (String key : values.keySet()) b.append(describe(key)).append('\n');
        return b.toString();
    }

    @Override public boolean equals(Object o) {
        return o instanceof GgufMetadata that && values.equals(that.values)
                && List.copyOf(values.keySet()).equals(List.copyOf(that.values.keySet()));
    }

    @Override public int hashCode() { return values.hashCode(); }

    // --- conversions ---------------------------------------------------------------------------

    private GgufException error(String message) {
        return new GgufException(source + ": " + message);
    }

    private GgufException wrongType(String key, GgufValue v, String expected) {
        return error("key " + GgufText.quote(key) + " is " + v.typeName() + ", expected " + expected);
    }

    private String asString(String key, GgufValue v) {
        if (v instanceof GgufValue.Str s) return s.value();
        throw wrongType(key, v, "STRING");
    }

    private long asLong(String key, GgufValue v) {
        if (!(v instanceof GgufValue.Int i)) throw wrongType(key, v, "an integer");
        if (!i.fitsInLong()) throw error("key " + GgufText.quote(key) + " is " + i.describe() + " (UINT64), which does not fit in a long");
        return i.value();
    }

    private int asInt(String key, GgufValue v) {
        long x = asLong(key, v);
        if (x != (int) x) throw error("key " + GgufText.quote(key) + " is " + x + " (" + v.type() + "), which does not fit in an int");
        return (int) x;
    }

    private double asDouble(String key, GgufValue v) {
        return switch (v) {
            case GgufValue.Float32 f -> f.value();
            case GgufValue.Float64 f -> f.value();
            default -> throw wrongType(key, v, "FLOAT32 or FLOAT64");
        };
    }

    private float asFloat(String key, GgufValue v) {
        double d = asDouble(key, v);
        float f = (float) d;
        if (Float.isInfinite(f) && !Double.isInfinite(d)) {
            throw error("key " + GgufText.quote(key) + " is " + d + " (FLOAT64), which does not fit in a float");
        }
        return f;
    }

    private boolean asBool(String key, GgufValue v) {
        if (v instanceof GgufValue.Bool b) return b.value();
        throw wrongType(key, v, "BOOL");
    }

    private GgufArray asArray(String key, GgufValue v) {
        if (v instanceof GgufArray a) return a;
        throw wrongType(key, v, "an ARRAY");
    }

    private GgufArray asArrayOf(String key, GgufValue v, String expected, Predicate<GgufValueType> accepts) {
        if (v instanceof GgufArray a && accepts.test(a.elementType())) return a;
        throw wrongType(key, v, expected);
    }

    private String[] asStringArray(String key, GgufValue v) {
        return asArrayOf(key, v, "ARRAY<STRING>", t -> t == GgufValueType.STRING).toStringArray();
    }

    private float[] asFloatArray(String key, GgufValue v) {
        GgufArray a = asArrayOf(key, v, "ARRAY<FLOAT32> or ARRAY<FLOAT64>", GgufValueType::isFloat);
        float[] out = a.toFloatArray();
        for (int i = 0; i < out.length; i++) {
            if (Float.isInfinite(out[i]) && !Double.isInfinite(a.doubleAt(i))) {
                throw error("key " + GgufText.quote(key) + " element #" + i + " is " + a.doubleAt(i) + " (FLOAT64), which does not fit in a float");
            }
        }
        return out;
    }

    private long[] asLongArray(String key, GgufValue v) {
        GgufArray a = asArrayOf(key, v, "an ARRAY of an integer type", GgufValueType::isInteger);
        long[] out = a.toLongArray();
        if (a.elementType() == GgufValueType.UINT64) {
            for (int i = 0; i < out.length; i++) {
                if (out[i] < 0) {
                    throw error("key " + GgufText.quote(key) + " element #" + i + " is " + Long.toUnsignedString(out[i])
                            + " (UINT64), which does not fit in a long");
                }
            }
        }
        return out;
    }

    private int[] asIntArray(String key, GgufValue v) {
        GgufArray a = asArrayOf(key, v, "an ARRAY of an integer type", GgufValueType::isInteger);
        int[] out = new int[a.length()];
        for (int i = 0; i < out.length; i++) {
            long x = a.longAt(i);
            if (x != (int) x) {
                String shown = a.elementType() == GgufValueType.UINT64 ? Long.toUnsignedString(x) : Long.toString(x);
                throw error("key " + GgufText.quote(key) + " element #" + i + " is " + shown + " (" + a.elementType()
                        + "), which does not fit in an int");
            }
            out[i] = (int) x;
        }
        return out;
    }

    /**
     * Builds metadata in insertion order. Putting a key again replaces its value and keeps its
     * place, so a copied file's metadata can be edited without reordering it.
     */
    public static final class Builder {
        private final LinkedHashMap<String, GgufValue> values = new LinkedHashMap<>();

        private Builder() {}

        public Builder put(String key, GgufValue value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, () -> "value of " + GgufText.quote(key));
            if (key.isEmpty()) throw new IllegalArgumentException("a metadata key must not be empty");
            values.put(key, value);
            return this;
        }

        public Builder putAll(GgufMetadata metadata) {
            metadata.values.forEach(this::put);
            return this;
        }

        public Builder remove(String key) {
            values.remove(key);
            return this;
        }

        public boolean contains(String key) { return values.containsKey(key); }

        public Optional<GgufValue> find(String key) { return Optional.ofNullable(values.get(key)); }

        public Builder putUint8(String key, int v) { return put(key, GgufValue.uint8(v)); }
        public Builder putInt8(String key, int v) { return put(key, GgufValue.int8(v)); }
        public Builder putUint16(String key, int v) { return put(key, GgufValue.uint16(v)); }
        public Builder putInt16(String key, int v) { return put(key, GgufValue.int16(v)); }
        public Builder putUint32(String key, long v) { return put(key, GgufValue.uint32(v)); }
        public Builder putInt32(String key, int v) { return put(key, GgufValue.int32(v)); }
        /** {@code bits} as an unsigned 64-bit integer. */
        public Builder putUint64(String key, long bits) { return put(key, GgufValue.uint64(bits)); }
        public Builder putInt64(String key, long v) { return put(key, GgufValue.int64(v)); }
        public Builder putFloat32(String key, float v) { return put(key, GgufValue.float32(v)); }
        public Builder putFloat64(String key, double v) { return put(key, GgufValue.float64(v)); }
        public Builder putBool(String key, boolean v) { return put(key, GgufValue.bool(v)); }
        public Builder putString(String key, String v) { return put(key, GgufValue.string(v)); }
        public Builder putStringArray(String key, String... v) { return put(key, GgufArray.ofStrings(v)); }
        public Builder putInt32Array(String key, int... v) { return put(key, GgufArray.ofInt32(v)); }
        public Builder putFloat32Array(String key, float... v) { return put(key, GgufArray.ofFloat32(v)); }
        public Builder putArray(String key, GgufArray v) { return put(key, v); }

        /** Metadata whose errors name {@code source} (usually the file it will be written to). */
        public GgufMetadata build(String source) {
            return new GgufMetadata(source, new LinkedHashMap<>(values));
        }

        public GgufMetadata build() {
            return build("<metadata>");
        }
    }
}
