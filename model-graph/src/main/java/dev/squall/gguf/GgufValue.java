package dev.squall.gguf;

import java.util.Objects;

/**
 * One metadata value: its {@link GgufValueType} and its Java value. Match on the records to read
 * one generically; {@link GgufMetadata}'s typed getters are the usual way in.
 *
 * <p>The eight integer types share {@link Int}, which holds the value in a {@code long}: the
 * mathematical value for all of them but {@code UINT64}, whose 64 bits are kept as they are (a
 * negative {@code value} means {@code value + 2^64}). Arrays are {@link GgufArray}s and keep their
 * element type; their elements may themselves be arrays.
 */
public sealed interface GgufValue permits GgufValue.Int, GgufValue.Float32, GgufValue.Float64,
        GgufValue.Bool, GgufValue.Str, GgufArray {

    GgufValueType type();

    /** The type as an info listing shows it: {@code UINT32}, or {@code ARRAY<STRING>} for arrays. */
    default String typeName() {
        return type().name();
    }

    /** The value on one line, long strings and arrays summarized: {@code [32000 × STRING]}. */
    String describe();

    /** An integer of one of the eight integer types. */
    record Int(GgufValueType type, long value) implements GgufValue {
        public Int {
            Objects.requireNonNull(type, "type");
            if (!type.isInteger()) throw new IllegalArgumentException(type + " is not an integer type");
            if (!fits(type, value)) {
                throw new IllegalArgumentException(value + " is out of range for " + type);
            }
        }

        /** False only for a {@code UINT64} of {@code 2^63} or more. */
        public boolean fitsInLong() {
            return type != GgufValueType.UINT64 || value >= 0;
        }

        @Override public String describe() {
            return type == GgufValueType.UINT64 ? Long.toUnsignedString(value) : Long.toString(value);
        }

        @Override public String toString() { return describe(); }

        static boolean fits(GgufValueType type, long v) {
            return switch (type) {
                case UINT8 -> v >= 0 && v <= 0xFF;
                case INT8 -> v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE;
                case UINT16 -> v >= 0 && v <= 0xFFFF;
                case INT16 -> v >= Short.MIN_VALUE && v <= Short.MAX_VALUE;
                case UINT32 -> v >= 0 && v <= 0xFFFF_FFFFL;
                case INT32 -> v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
                case UINT64, INT64 -> true;
                default -> false;
            };
        }
    }

    record Float32(float value) implements GgufValue {
        @Override public GgufValueType type() { return GgufValueType.FLOAT32; }
        @Override public String describe() { return Float.toString(value); }
        @Override public String toString() { return describe(); }
    }

    record Float64(double value) implements GgufValue {
        @Override public GgufValueType type() { return GgufValueType.FLOAT64; }
        @Override public String describe() { return Double.toString(value); }
        @Override public String toString() { return describe(); }
    }

    record Bool(boolean value) implements GgufValue {
        @Override public GgufValueType type() { return GgufValueType.BOOL; }
        @Override public String describe() { return Boolean.toString(value); }
        @Override public String toString() { return describe(); }
    }

    record Str(String value) implements GgufValue {
        public Str {
            Objects.requireNonNull(value, "value");
        }

        @Override public GgufValueType type() { return GgufValueType.STRING; }
        @Override public String describe() { return GgufText.quoteValue(value); }
        @Override public String toString() { return describe(); }
    }

    static Int uint8(int v) { return new Int(GgufValueType.UINT8, v); }
    static Int int8(int v) { return new Int(GgufValueType.INT8, v); }
    static Int uint16(int v) { return new Int(GgufValueType.UINT16, v); }
    static Int int16(int v) { return new Int(GgufValueType.INT16, v); }
    static Int uint32(long v) { return new Int(GgufValueType.UINT32, v); }
    static Int int32(int v) { return new Int(GgufValueType.INT32, v); }
    /** {@code bits} as an unsigned 64-bit integer. */
    static Int uint64(long bits) { return new Int(GgufValueType.UINT64, bits); }
    static Int int64(long v) { return new Int(GgufValueType.INT64, v); }
    static Float32 float32(float v) { return new Float32(v); }
    static Float64 float64(double v) { return new Float64(v); }
    static Bool bool(boolean v) { return new Bool(v); }
    static Str string(String v) { return new Str(v); }
}
