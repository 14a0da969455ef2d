package dev.squall.gguf;

/**
 * How names and strings from a file appear in messages and descriptions: quoted, on one line
 * (control characters escaped), cut short when long. A key read from a corrupt file may hold a
 * newline or megabytes of bytes; an error message must still be one readable line.
 */
final class GgufText {

    /** Names (keys, tensor names) longer than this many characters are cut in messages. */
    static final int NAME_CHARS = 96;
    /** String values longer than this many characters are cut by {@link GgufValue#describe()}. */
    static final int VALUE_CHARS = 64;

    private GgufText() {}

    /** {@code 'name'}, escaped and cut after {@value #NAME_CHARS} characters. */
    static String quote(String name) {
        return quote(name, '\'', NAME_CHARS);
    }

    /** {@code name} as it is when it is short and printable, else {@link #quote quoted}. */
    static String plain(String name) {
        if (name.length() > NAME_CHARS) return quote(name);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= 0x20 || c == '\'' || c == 0x7F || c == 0x85 || c == 0x2028 || c == 0x2029) return quote(name);
        }
        return name;
    }

    /** {@code "value"}, escaped and cut after {@value #VALUE_CHARS} characters with the full length noted. */
    static String quoteValue(String value) {
        return quote(value, '"', VALUE_CHARS);
    }

    private static String quote(String s, char quote, int maxChars) {
        int n = Math.min(s.length(), maxChars);
        if (n < s.length() && Character.isHighSurrogate(s.charAt(n - 1))) n--;
        StringBuilder b = new StringBuilder(n + 16).append(quote);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c == quote) b.append('\\').append(c);
                    else if (c < 0x20 || c == 0x7F || c == 0x2028 || c == 0x2029 || c == 0x85) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else b.append(c);
                }
            }
        }
        if (n < s.length()) b.append('…').append(quote).append(" (").append(s.length()).append(" chars)");
        else b.append(quote);
        return b.toString();
    }
}
