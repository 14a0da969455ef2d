package dev.squall.validation.tokenizer;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Texts and id lists as failure details show them: one line, invisible characters escaped, long ones cut. */
final class Printable {

    private static final int MAX_CODE_POINTS = 160;
    private static final int MAX_IDS = 48;

    private Printable() {}

    /**
     * {@code text} in double quotes with {@code \n}, {@code \r}, {@code \t}, {@code \"},
     * {@code \\} and every control, format, separator (other than the space), private-use,
     * unassigned or combining code point written as {@code \x{XXXX}}; cut after 160 code points.
     */
    static String text(String text) {
        StringBuilder s = new StringBuilder("\"");
        int shown = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (shown++ == MAX_CODE_POINTS) {
                s.append("\"... (").append(text.codePointCount(0, text.length())).append(" code points)");
                return s.toString();
            }
            switch (cp) {
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                default -> {
                    if (visible(cp)) s.appendCodePoint(cp);
                    else s.append(String.format("\\x{%04X}", cp));
                }
            }
        }
        return s.append('"').toString();
    }

    private static boolean visible(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.PRIVATE_USE,
                 Character.UNASSIGNED, Character.SURROGATE, Character.NON_SPACING_MARK, Character.ENCLOSING_MARK -> false;
            case Character.SPACE_SEPARATOR -> cp == ' ';
            default -> true;
        };
    }

    /** The ids in brackets; a long list shows 48 ids around {@code focus} (e.g. the first difference). */
    static String ids(int[] ids, int focus) {
        if (ids.length <= MAX_IDS) return Arrays.toString(ids);
        int from = Math.max(0, Math.min(focus - MAX_IDS / 4, ids.length - MAX_IDS)), to = from + MAX_IDS;
        String shown = Arrays.stream(ids, from, to).mapToObj(Integer::toString).collect(Collectors.joining(", "));
        return "[" + (from > 0 ? "... " : "") + shown + (to < ids.length ? " ..." : "") + "] (" + ids.length + " ids, from index " + from + ")";
    }

    /** The first index where {@code a} and {@code b} differ (the shorter length when one is a prefix of the other). */
    static int firstDifference(int[] a, int[] b) {
        int i = Arrays.mismatch(a, b);
        return i < 0 ? a.length : i;
    }
}
