package dev.squall.tokenizer;

import java.util.Map;

/**
 * The {@code tojson} filter as Hugging Face defines it for chat templates:
 * {@code json.dumps(value, ensure_ascii=False, indent=indent)}. Without an indent, items are
 * separated by {@code ", "} and keys by {@code ": "}; maps keep their insertion order; non-ASCII text
 * is written as is; doubles print as Python's {@code repr} would for the common cases.
 */
final class PythonJson {

    private PythonJson() {
    }

    static String dumps(Object value, int indent) {
        StringBuilder out = new StringBuilder();
        write(value, indent, 0, out);
        return out.toString();
    }

    private static void write(Object value, int indent, int depth, StringBuilder out) {
        switch (value) {
            case null -> out.append("null");
            case Boolean b -> out.append(b ? "true" : "false");
            case Double d -> out.append(pythonFloat(d));
            case Float f -> out.append(pythonFloat(f.doubleValue()));
            case Number n -> out.append(n);
            case CharSequence s -> string(s.toString(), out);
            case Character c -> string(c.toString(), out);
            case Map<?, ?> map -> {
                if (map.isEmpty()) {
                    out.append("{}");
                    return;
                }
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    separator(first, indent, depth + 1, out);
                    first = false;
                    string(String.valueOf(e.getKey()), out);
                    out.append(": ");
                    write(e.getValue(), indent, depth + 1, out);
                }
                close(indent, depth, out);
                out.append('}');
            }
            case Iterable<?> items -> {
                if (!items.iterator().hasNext()) {
                    out.append("[]");
                    return;
                }
                out.append('[');
                boolean first = true;
                for (Object item : items) {
                    separator(first, indent, depth + 1, out);
                    first = false;
                    write(item, indent, depth + 1, out);
                }
                close(indent, depth, out);
                out.append(']');
            }
            case Object[] array -> write(java.util.Arrays.asList(array), indent, depth, out);
            default -> string(value.toString(), out);
        }
    }

    private static void separator(boolean first, int indent, int depth, StringBuilder out) {
        if (!first) {
            out.append(indent >= 0 ? "," : ", ");
        }
        if (indent >= 0) {
            out.append('\n').append(" ".repeat(indent * depth));
        }
    }

    private static void close(int indent, int depth, StringBuilder out) {
        if (indent >= 0) {
            out.append('\n').append(" ".repeat(indent * depth));
        }
    }

    private static String pythonFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e16) {
            return String.valueOf((long) d) + ".0";
        }
        return Double.toString(d);
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
