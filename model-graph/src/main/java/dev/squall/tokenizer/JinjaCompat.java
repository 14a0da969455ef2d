package dev.squall.tokenizer;

/**
 * Source rewrites that make Jinja2 chat templates mean the same under Jinjava:
 * <ul>
 * <li>{@code \r\n} and {@code \r} become {@code \n}, and one trailing newline is dropped (Jinja2's
 *     {@code keep_trailing_newline = False}; llama.cpp does the same);</li>
 * <li>{@code [::-1]} becomes {@code |reverse} (Jinjava has no slice step);</li>
 * <li>a dict literal's closing brace is kept apart from the next one ({@code {'a': {'b': 1} } }),
 *     which Jinjava's scanner would otherwise take for the end of the expression;</li>
 * <li>a keyword argument's value is parenthesized, {@code namespace(i=messages|length - 1)} becoming
 *     {@code namespace(i=(messages|length - 1))}: Jinjava binds {@code name=value} tighter than the
 *     operators after a filter, Jinja2 does not.</li>
 * </ul>
 * Only the insides of {@code {{ }}} and {@code {% %}} are rewritten, string literals excepted.
 */
final class JinjaCompat {

    private JinjaCompat() {
    }

    static String prepare(String source) {
        String text = source.replace("\r\n", "\n").replace('\r', '\n');
        if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1);
        }
        return rewriteTags(text);
    }

    private static String rewriteTags(String text) {
        StringBuilder out = new StringBuilder(text.length() + 64);
        int i = 0;
        while (i < text.length()) {
            int open = nextTag(text, i);
            if (open < 0) {
                out.append(text, i, text.length());
                break;
            }
            out.append(text, i, open + 2);
            i = rewriteExpression(text, open + 2, out);
        }
        return out.toString();
    }

    private static int nextTag(String text, int from) {
        int expression = text.indexOf("{{", from);
        int statement = text.indexOf("{%", from);
        if (expression < 0) {
            return statement;
        }
        return statement < 0 ? expression : Math.min(expression, statement);
    }

    /** Copies one tag's inside from {@code start} through its closing delimiter; returns the index after it. */
    private static int rewriteExpression(String text, int start, StringBuilder out) {
        int depth = 0;
        // for each open bracket, whether a keyword value is being wrapped at that depth
        boolean[] wrapping = new boolean[64];
        char previousSignificant = '(';
        int i = start;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (depth == 0 && (text.startsWith("}}", i) || text.startsWith("%}", i))) {
                out.append(text, i, i + 2);
                return i + 2;
            }
            if (c == '\'' || c == '"') {
                int end = endOfString(text, i);
                out.append(text, i, end);
                i = end;
                previousSignificant = c;
                continue;
            }
            if (text.startsWith("[::-1]", i)) {
                out.append("|reverse");
                i += 6;
                previousSignificant = 'e';
                continue;
            }
            if (c == '(' || c == '[' || c == '{') {
                depth++;
                if (depth < wrapping.length) {
                    wrapping[depth] = false;
                }
                out.append(c);
                previousSignificant = c;
                i++;
                continue;
            }
            if (c == ')' || c == ']' || c == '}' || (c == ',' && depth > 0)) {
                if (depth > 0 && depth < wrapping.length && wrapping[depth]) {
                    out.append(')');
                    wrapping[depth] = false;
                }
                if (c != ',') {
                    depth = Math.max(0, depth - 1);
                }
                out.append(c);
                if (c == '}' && i + 1 < text.length() && text.charAt(i + 1) == '}') {
                    out.append(' ');
                }
                previousSignificant = c;
                i++;
                continue;
            }
            if (depth > 0 && depth < wrapping.length && (previousSignificant == '(' || previousSignificant == ',')
                    && Character.isJavaIdentifierStart(c)) {
                int nameEnd = i;
                while (nameEnd < text.length() && Character.isJavaIdentifierPart(text.charAt(nameEnd))) {
                    nameEnd++;
                }
                int eq = nameEnd;
                while (eq < text.length() && text.charAt(eq) == ' ') {
                    eq++;
                }
                if (eq < text.length() && text.charAt(eq) == '=' && !text.startsWith("==", eq)) {
                    out.append(text, i, eq + 1).append('(');
                    wrapping[depth] = true;
                    i = eq + 1;
                    previousSignificant = '=';
                    continue;
                }
                out.append(text, i, nameEnd);
                i = nameEnd;
                previousSignificant = 'a';
                continue;
            }
            out.append(c);
            if (!Character.isWhitespace(c)) {
                previousSignificant = c;
            }
            i++;
        }
        return i;
    }

    private static int endOfString(String text, int start) {
        char quote = text.charAt(start);
        int i = start + 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\') {
                i += 2;
                continue;
            }
            if (c == quote) {
                return i + 1;
            }
            i++;
        }
        return text.length();
    }
}
