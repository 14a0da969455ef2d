package dev.squall.tokenizer;

import java.util.function.IntPredicate;

/**
 * One pass of a pre-tokenizer: cuts every segment of a code point sequence into smaller segments.
 * llama.cpp applies its list of regexes one after another in the same way, each regex seeing only
 * one segment of the previous pass at a time ({@code unicode_regex_split}).
 *
 * <p>The passes below reproduce llama.cpp exactly: its hand-written splitters for the GPT-2,
 * Llama 3 and Qwen 2 regexes (which differ from a textbook regex engine in small ways that matter
 * for parity), and the few {@code std::regex} patterns that the supported pre-tokenizers use,
 * evaluated with llama.cpp's category semantics.
 */
@FunctionalInterface
interface SplitStage {

    /**
     * Appends to {@code out} the lengths of the pieces of {@code cps[start, end)}, in order; they
     * sum to {@code end - start}.
     */
    void split(int[] cps, int start, int end, IntList out);

    /**
     * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)} as llama.cpp's
     * {@code unicode_regex_split_custom_gpt2}: contractions are case-sensitive, and a whitespace run
     * before a non-space gives up only its last character.
     */
    SplitStage GPT2 = (cps, start, end, out) -> {
        Cursor c = new Cursor(cps, start, end, out);
        while (c.pos < end) {
            int cpt = cps[c.pos];
            int flags = c.flags(c.pos);
            if (cpt == '\'' && c.pos + 1 < end) {
                int next = cps[c.pos + 1];
                if (next == 's' || next == 't' || next == 'm' || next == 'd') {
                    c.cut(c.pos + 2);
                    continue;
                }
                if (c.pos + 2 < end) {
                    int next2 = cps[c.pos + 2];
                    if ((next == 'r' && next2 == 'e') || (next == 'v' && next2 == 'e') || (next == 'l' && next2 == 'l')) {
                        c.cut(c.pos + 3);
                        continue;
                    }
                }
            }
            int flags2 = cpt == ' ' ? c.flags(c.pos + 1) : flags;
            int pos = c.pos + (cpt == ' ' ? 1 : 0);
            if (UnicodeCategories.isLetter(flags2)) {
                while (UnicodeCategories.isLetter(c.flags(pos))) {
                    pos++;
                }
                c.cut(pos);
                continue;
            }
            if (UnicodeCategories.isNumber(flags2)) {
                while (UnicodeCategories.isNumber(c.flags(pos))) {
                    pos++;
                }
                c.cut(pos);
                continue;
            }
            if (isOther(flags2)) {
                while (isOther(c.flags(pos))) {
                    pos++;
                }
                c.cut(pos);
                continue;
            }
            c.cutWhitespace(false);
        }
    };

    /** {@code [^\s\p{L}\p{N}]}: a code point inside the text that is none of space, letter, number. */
    private static boolean isOther(int flags) {
        return flags != 0 && (flags & (UnicodeCategories.WHITESPACE | UnicodeCategories.LETTER
                | UnicodeCategories.NUMBER)) == 0;
    }

    /**
     * {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,maxDigits}|
     * ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+} as llama.cpp's
     * {@code unicode_regex_split_custom_llama3} ({@code maxDigits} 3) and {@code _qwen2}
     * ({@code maxDigits} 1); with {@code marks}, letter runs also take combining marks and
     * punctuation runs exclude them ({@code _qwen35}).
     */
    static SplitStage llama3(int maxDigits, boolean marks) {
        int letterish = UnicodeCategories.LETTER | (marks ? UnicodeCategories.MARK : 0);
        int notOther = UnicodeCategories.WHITESPACE | UnicodeCategories.LETTER | UnicodeCategories.NUMBER
                | (marks ? UnicodeCategories.MARK : 0);
        return (cps, start, end, out) -> {
            Cursor c = new Cursor(cps, start, end, out);
            while (c.pos < end) {
                int cpt = cps[c.pos];
                int flags = c.flags(c.pos);
                if (cpt == '\'' && c.pos + 1 < end) {
                    int next = asciiLower(cps[c.pos + 1]);
                    if (next == 's' || next == 't' || next == 'm' || next == 'd') {
                        c.cut(c.pos + 2);
                        continue;
                    }
                    if (c.pos + 2 < end) {
                        int next2 = asciiLower(cps[c.pos + 2]);
                        if ((next == 'r' && next2 == 'e') || (next == 'v' && next2 == 'e') || (next == 'l' && next2 == 'l')) {
                            c.cut(c.pos + 3);
                            continue;
                        }
                    }
                }
                if (!(cpt == '\r' || cpt == '\n' || UnicodeCategories.isNumber(flags))
                        && ((flags & letterish) != 0 || (c.flags(c.pos + 1) & letterish) != 0)) {
                    int pos = c.pos + 1;
                    while ((c.flags(pos) & letterish) != 0) {
                        pos++;
                    }
                    c.cut(pos);
                    continue;
                }
                if (UnicodeCategories.isNumber(flags)) {
                    int pos = c.pos;
                    int runStart = pos;
                    while (UnicodeCategories.isNumber(c.flags(pos))) {
                        pos++;
                        if (pos - runStart >= maxDigits) {
                            c.cut(pos);
                            runStart = pos;
                        }
                    }
                    c.cut(pos);
                    continue;
                }
                // llama.cpp tests the first code point's own flags here, not the one after the space:
                // a lone trailing space therefore becomes a piece of its own through this branch.
                int flags2 = cpt == ' ' ? c.flags(c.pos + 1) : flags;
                if ((flags2 & notOther) == 0 && flags != 0) {
                    int pos = c.pos + (cpt == ' ' ? 1 : 0);
                    while (c.flags(pos) != 0 && (c.flags(pos) & notOther) == 0) {
                        pos++;
                    }
                    while (pos < end && (cps[pos] == '\r' || cps[pos] == '\n')) {
                        pos++;
                    }
                    c.cut(pos);
                    continue;
                }
                c.cutWhitespace(true);
            }
        };
    }

    private static int asciiLower(int cp) {
        return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
    }

    /**
     * A {@code std::regex} of the form {@code [class]+}: maximal runs of class members are pieces,
     * and so is each stretch between them.
     */
    static SplitStage runs(IntPredicate member) {
        return (cps, start, end, out) -> {
            int pos = start;
            while (pos < end) {
                boolean in = member.test(cps[pos]);
                int runStart = pos;
                while (pos < end && member.test(cps[pos]) == in) {
                    pos++;
                }
                out.add(pos - runStart);
            }
        };
    }

    /** A {@code std::regex} matching one class member: each member alone, the stretches between. */
    static SplitStage singles(IntPredicate member) {
        return (cps, start, end, out) -> {
            int pos = start;
            while (pos < end) {
                if (member.test(cps[pos])) {
                    out.add(1);
                    pos++;
                    continue;
                }
                int runStart = pos;
                while (pos < end && !member.test(cps[pos])) {
                    pos++;
                }
                out.add(pos - runStart);
            }
        };
    }

    /** {@code [0-9][0-9][0-9]}: leftmost non-overlapping triples of ASCII digits. */
    SplitStage ASCII_DIGIT_TRIPLES = (cps, start, end, out) -> {
        int gapStart = start;
        int pos = start;
        while (pos + 3 <= end) {
            if (isAsciiDigit(cps[pos]) && isAsciiDigit(cps[pos + 1]) && isAsciiDigit(cps[pos + 2])) {
                if (pos > gapStart) {
                    out.add(pos - gapStart);
                }
                out.add(3);
                pos += 3;
                gapStart = pos;
            } else {
                pos++;
            }
        }
        if (end > gapStart) {
            out.add(end - gapStart);
        }
    };

    private static boolean isAsciiDigit(int cp) {
        return cp >= '0' && cp <= '9';
    }

    /** {@code [^\n]+|[\n]+}: alternating runs of newlines and of everything else. */
    SplitStage NEWLINE_RUNS = runs(cp -> cp == '\n');

    /**
     * Walks one segment: {@link #cut} closes the piece that ends at a position, mirroring llama.cpp's
     * {@code _add_token}; positions outside the segment have no flags.
     */
    final class Cursor {
        private final int[] cps;
        private final int start;
        private final int end;
        private final IntList out;
        int pos;

        Cursor(int[] cps, int start, int end, IntList out) {
            this.cps = cps;
            this.start = start;
            this.end = end;
            this.out = out;
            this.pos = start;
        }

        int flags(int at) {
            return at >= start && at < end ? UnicodeCategories.flags(cps[at]) : 0;
        }

        void cut(int at) {
            if (at > pos) {
                out.add(at - pos);
            }
            pos = at;
        }

        /**
         * {@code \s*[\r\n]+} (when {@code newlines}), then {@code \s+(?!\S)}, then {@code \s+}, then a
         * single code point when nothing matched.
         */
        void cutWhitespace(boolean newlines) {
            int n = 0;
            int afterLastNewline = -1;
            while (UnicodeCategories.isWhitespace(flags(pos + n))) {
                int cp = cps[pos + n];
                if (cp == '\r' || cp == '\n') {
                    afterLastNewline = pos + n + 1;
                }
                n++;
            }
            if (newlines && afterLastNewline > 0) {
                cut(afterLastNewline);
            } else if (n > 1 && pos + n < end) {
                cut(pos + n - 1);
            } else if (n > 0) {
                cut(pos + n);
            } else {
                cut(pos + 1);
            }
        }
    }
}
