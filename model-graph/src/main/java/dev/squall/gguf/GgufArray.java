package dev.squall.gguf;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A metadata array: an element type and its elements, held compactly (a vocabulary of 150,000
 * strings is one {@code String[]}, its scores one {@code float[]}). Elements of an
 * {@link GgufValueType#ARRAY} array are arrays themselves, each with its own element type.
 *
 * <p>Immutable: the factories copy what they are given and the bulk getters return copies.
 */
public final class GgufArray implements GgufValue {

    /** The longest array a Java array can hold, and so the longest this reader accepts. */
    public static final int MAX_LENGTH = Integer.MAX_VALUE - 8;

    /** Arrays longer than this are summarized by {@link #describe()} as {@code [n × TYPE]}. */
    public static final int DESCRIBE_MAX_ELEMENTS = 16;

    /** {@link #describe()} stops adding elements once its output is this long. */
    static final int DESCRIBE_MAX_CHARS = 160;

    private final GgufValueType elementType;
    /**
     * byte[] for UINT8/INT8, short[] for UINT16/INT16, int[] for UINT32/INT32, long[] for
     * UINT64/INT64, float[], double[], boolean[], String[], GgufArray[]; never shared outside.
     */
    private final Object data;
    private final int length;

    /** Takes ownership of {@code data}, which must be the storage {@link #newStorage} would make. */
    GgufArray(GgufValueType elementType, Object data) {
        this.elementType = elementType;
        this.data = data;
        this.length = java.lang.reflect.Array.getLength(data);
    }

    /** Empty storage of {@code n} elements of {@code t}. */
    static Object newStorage(GgufValueType t, int n) {
        return switch (t) {
            case UINT8, INT8 -> new byte[n];
            case UINT16, INT16 -> new short[n];
            case UINT32, INT32 -> new int[n];
            case UINT64, INT64 -> new long[n];
            case FLOAT32 -> new float[n];
            case FLOAT64 -> new double[n];
            case BOOL -> new boolean[n];
            case STRING -> new String[n];
            case ARRAY -> new GgufArray[n];
        };
    }

    /** The backing array, for the writer; never handed out of the package. */
    Object storage() { return data; }

    public static GgufArray ofStrings(String... values) {
        String[] copy = values.clone();
        requireElements(copy);
        return new GgufArray(GgufValueType.STRING, copy);
    }

    public static GgufArray ofStrings(List<String> values) {
        return ofStrings(values.toArray(String[]::new));
    }

    public static GgufArray ofInt32(int... values) {
        return new GgufArray(GgufValueType.INT32, values.clone());
    }

    /** An array of any integer type; each value must be in the type's range (UINT64: raw bits). */
    public static GgufArray ofIntegers(GgufValueType type, long... values) {
        if (!type.isInteger()) throw new IllegalArgumentException(type + " is not an integer type");
        Object data = newStorage(type, values.length);
        for (int i = 0; i < values.length; i++) {
            long v = values[i];
            if (!GgufValue.Int.fits(type, v)) {
                throw new IllegalArgumentException("element #" + i + " = " + v + " is out of range for " + type);
            }
            switch (data) {
                case byte[] a -> a[i] = (byte) v;
                case short[] a -> a[i] = (short) v;
                case int[] a -> a[i] = (int) v;
                case long[] a -> a[i] = v;
                default -> throw new AssertionError(type);
            }
        }
        return new GgufArray(type, data);
    }

    public static GgufArray ofFloat32(float... values) {
        return new GgufArray(GgufValueType.FLOAT32, values.clone());
    }

    public static GgufArray ofFloat64(double... values) {
        return new GgufArray(GgufValueType.FLOAT64, values.clone());
    }

    public static GgufArray ofBools(boolean... values) {
        return new GgufArray(GgufValueType.BOOL, values.clone());
    }

    /** A nested array: each element is an array with its own element type. */
    public static GgufArray ofArrays(GgufArray... values) {
        GgufArray[] copy = values.clone();
        requireElements(copy);
        return new GgufArray(GgufValueType.ARRAY, copy);
    }

    private static void requireElements(Object[] values) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) throw new NullPointerException("element #" + i + " is null");
        }
    }

    /** An empty array of {@code elementType}. */
    public static GgufArray empty(GgufValueType elementType) {
        return new GgufArray(elementType, newStorage(elementType, 0));
    }

    /** An array of the given values, each of which must have type {@code elementType}. */
    public static GgufArray of(GgufValueType elementType, List<? extends GgufValue> values) {
        Object data = newStorage(elementType, values.size());
        for (int i = 0; i < values.size(); i++) {
            GgufValue v = values.get(i);
            if (v.type() != elementType) {
                throw new IllegalArgumentException("element #" + i + " is " + v.type() + ", expected " + elementType);
            }
            switch (v) {
                case Int x -> {
                    switch (data) {
                        case byte[] a -> a[i] = (byte) x.value();
                        case short[] a -> a[i] = (short) x.value();
                        case int[] a -> a[i] = (int) x.value();
                        case long[] a -> a[i] = x.value();
                        default -> throw new AssertionError(elementType);
                    }
                }
                case Float32 x -> ((float[]) data)[i] = x.value();
                case Float64 x -> ((double[]) data)[i] = x.value();
                case Bool x -> ((boolean[]) data)[i] = x.value();
                case Str x -> ((String[]) data)[i] = x.value();
                case GgufArray x -> ((GgufArray[]) data)[i] = x;
            }
        }
        return new GgufArray(elementType, data);
    }

    @Override public GgufValueType type() { return GgufValueType.ARRAY; }

    @Override public String typeName() { return "ARRAY<" + elementType + ">"; }

    public GgufValueType elementType() { return elementType; }

    public int length() { return length; }

    /** Element {@code i} as a value of {@link #elementType()}. */
    public GgufValue get(int i) {
        Objects.checkIndex(i, length);
        return switch (elementType) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> new Int(elementType, longAt(i));
            case FLOAT32 -> new Float32(((float[]) data)[i]);
            case FLOAT64 -> new Float64(((double[]) data)[i]);
            case BOOL -> new Bool(((boolean[]) data)[i]);
            case STRING -> new Str(((String[]) data)[i]);
            case ARRAY -> ((GgufArray[]) data)[i];
        };
    }

    /** Integer element {@code i} (as {@link Int#value()}: a {@code UINT64} keeps its raw bits). */
    public long longAt(int i) {
        return switch (elementType) {
            case UINT8 -> ((byte[]) data)[i] & 0xFFL;
            case INT8 -> ((byte[]) data)[i];
            case UINT16 -> ((short[]) data)[i] & 0xFFFFL;
            case INT16 -> ((short[]) data)[i];
            case UINT32 -> ((int[]) data)[i] & 0xFFFF_FFFFL;
            case INT32 -> ((int[]) data)[i];
            case UINT64, INT64 -> ((long[]) data)[i];
            default -> throw wrongElements("integer");
        };
    }

    /** Floating-point element {@code i}. */
    public double doubleAt(int i) {
        return switch (elementType) {
            case FLOAT32 -> ((float[]) data)[i];
            case FLOAT64 -> ((double[]) data)[i];
            default -> throw wrongElements("floating-point");
        };
    }

    public boolean boolAt(int i) {
        if (elementType != GgufValueType.BOOL) throw wrongElements("BOOL");
        return ((boolean[]) data)[i];
    }

    public String stringAt(int i) {
        if (elementType != GgufValueType.STRING) throw wrongElements("STRING");
        return ((String[]) data)[i];
    }

    public GgufArray arrayAt(int i) {
        if (elementType != GgufValueType.ARRAY) throw wrongElements("ARRAY");
        return ((GgufArray[]) data)[i];
    }

    /** A copy of the elements of a STRING array. */
    public String[] toStringArray() {
        if (elementType != GgufValueType.STRING) throw wrongElements("STRING");
        return ((String[]) data).clone();
    }

    /** The elements of a FLOAT32 array, or of a FLOAT64 array rounded to float. */
    public float[] toFloatArray() {
        if (data instanceof float[] a) return a.clone();
        if (!(data instanceof double[] a)) throw wrongElements("floating-point");
        float[] out = new float[length];
        for (int i = 0; i < length; i++) out[i] = (float) a[i];
        return out;
    }

    /** The elements of any integer array, as {@link #longAt} gives them. */
    public long[] toLongArray() {
        if (!elementType.isInteger()) throw wrongElements("integer");
        long[] out = new long[length];
        for (int i = 0; i < length; i++) out[i] = longAt(i);
        return out;
    }

    private IllegalStateException wrongElements(String wanted) {
        return new IllegalStateException("an array of " + elementType + " has no " + wanted + " elements");
    }

    /**
     * {@code [1, 2, 3]}; more than {@value #DESCRIBE_MAX_ELEMENTS} elements: {@code [32000 × STRING]};
     * elements past about {@value #DESCRIBE_MAX_CHARS} characters of output become {@code …}.
     */
    @Override public String describe() {
        if (length > DESCRIBE_MAX_ELEMENTS) return "[" + length + " × " + elementType + "]";
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < length; i++) {
            if (i > 0) b.append(", ");
            if (b.length() > DESCRIBE_MAX_CHARS) {
                b.append('…');
                break;
            }
            b.append(get(i).describe());
        }
        return b.append(']').toString();
    }

    @Override public String toString() { return describe(); }

    @Override public boolean equals(Object o) {
        return o instanceof GgufArray that && elementType == that.elementType
                && Arrays.deepEquals(new Object[] {data}, new Object[] {that.data});
    }

    @Override public int hashCode() {
        return 31 * elementType.hashCode() + Arrays.deepHashCode(new Object[] {data});
    }
}
