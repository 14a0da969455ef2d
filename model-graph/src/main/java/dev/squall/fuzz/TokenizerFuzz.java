package dev.squall.fuzz;

import dev.squall.tokenizer.StreamingDecoder;
import dev.squall.tokenizer.Tokenizer;
import dev.squall.tokenizer.TokenType;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.function.BiPredicate;
import java.util.function.LongConsumer;

/**
 * Random text and random token ids against a tokenizer. Properties, for every input:
 * <ul>
 * <li>{@code encode} never throws, with any combination of its flags, and gives ids in the vocabulary;</li>
 * <li>where the vocabulary can spell every byte (byte-level BPE, or SentencePiece with byte
 *     fallback) and the text has no lone surrogate (which UTF-8 cannot carry):
 *     {@code decode(encode(text))} is the text, or differs from it only in a way the caller allows
 *     (llama.cpp's own round trip changes, e.g. SentencePiece's U+2581 coming back as a space);</li>
 * <li>a {@link StreamingDecoder} fed random ids (and the ids of the text) never emits a lone
 *     surrogate, i.e. never invalid UTF-8, and its pieces add up to {@code decode} of the same ids;</li>
 * <li>at most {@link #TIME_BOUND_NANOS} per input and {@link #allocationBound} bytes of heap.</li>
 * </ul>
 */
public final class TokenizerFuzz {

    /** Per-input time bound (inputs are at most {@link #MAX_CHARS} characters). */
    public static final long TIME_BOUND_NANOS = 2_000_000_000L;

    /** Longest generated text. */
    public static final int MAX_CHARS = 2048;

    /** Heap one input may take: the tokenizer's working arrays grow with the text, a few hundred bytes per character at most. */
    public static long allocationBound(int chars) {
        return 1024L * chars + 8L * 1024 * 1024;
    }

    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** How inputs are made (reports count inputs per generator). */
    public enum Generator { RANDOM_BYTES_AS_UTF8, RANDOM_BYTES_AS_LATIN1, RANDOM_CODE_POINTS, VOCABULARY_PIECES, WHITESPACE_AND_PUNCTUATION, LONG_RUN, RANDOM_IDS }

    private final Tokenizer tokenizer;
    private final boolean roundTrips;
    private final BiPredicate<String, String> allowedChange;
    private final int[] special;

    /**
     * @param allowedChange how {@code decode(encode(text))} may differ from {@code text} for this
     *     vocabulary (given text and decoded), beyond equality
     */
    public TokenizerFuzz(Tokenizer tokenizer, BiPredicate<String, String> allowedChange) {
        this.tokenizer = tokenizer;
        this.allowedChange = allowedChange;
        this.roundTrips = spellsEveryByte(tokenizer);
        this.special = java.util.stream.IntStream.range(0, tokenizer.vocabSize())
                .filter(i -> tokenizer.vocabulary().tokenType(i) != TokenType.NORMAL).limit(4096).toArray();
    }

    /** Whether every byte has a token: byte-level BPE does, SentencePiece when it has all 256 {@code <0xNN>} tokens. */
    static boolean spellsEveryByte(Tokenizer t) {
        if (!"llama".equals(t.vocabulary().model())) return true;
        for (int b = 0; b < 256; b++) {
            if (t.tokenId(String.format("<0x%02X>", b)).isEmpty()) return false;
        }
        return true;
    }

    /** Whether round trips are checked for this vocabulary. */
    public boolean checksRoundTrips() { return roundTrips; }

    /** One generated text. */
    public String text(Generator g, Random r) {
        int n = 1 + r.nextInt(r.nextInt(8) == 0 ? MAX_CHARS : 64);
        StringBuilder sb = new StringBuilder();
        switch (g) {
            case RANDOM_BYTES_AS_UTF8, RANDOM_BYTES_AS_LATIN1 -> {
                byte[] b = new byte[n];
                r.nextBytes(b);
                if (r.nextBoolean()) for (int i = 0; i < n; i++) if (r.nextInt(3) > 0) b[i] &= 0x7F;
                sb.append(new String(b, g == Generator.RANDOM_BYTES_AS_UTF8 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1));
            }
            case RANDOM_CODE_POINTS -> {
                while (sb.length() < n) {
                    int kind = r.nextInt(10);
                    if (kind == 0) {
                        sb.append((char) (0xD800 + r.nextInt(0x800))); // a lone surrogate, now and then
                    } else if (kind < 4) {
                        sb.appendCodePoint(r.nextInt(0x80));
                    } else if (kind < 7) {
                        sb.appendCodePoint(0x80 + r.nextInt(0x3000));
                    } else {
                        int cp = r.nextInt(Character.MAX_CODE_POINT + 1);
                        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
                        sb.appendCodePoint(cp);
                    }
                }
            }
            case VOCABULARY_PIECES -> {
                while (sb.length() < n) {
                    int id = special.length > 0 && r.nextInt(4) == 0 ? special[r.nextInt(special.length)] : r.nextInt(tokenizer.vocabSize());
                    String piece = tokenizer.tokenText(id);
                    sb.append(r.nextInt(5) == 0 ? piece.replace('\u2581', ' ') : piece);
                }
            }
            case WHITESPACE_AND_PUNCTUATION -> {
                String alphabet = " \t\n\r\u00a0\u3000.,;:!?'\"()[]{}<>-_=+*/\\|@#$%^&~`0123456789aZ\u2581\u200b\ufeff";
                for (int i = 0; i < n; i++) sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            case LONG_RUN -> {
                String unit = switch (r.nextInt(5)) {
                    case 0 -> "a";
                    case 1 -> " ";
                    case 2 -> "ab";
                    case 3 -> "\u00e9";
                    default -> new String(Character.toChars(0x1F600 + r.nextInt(64)));
                };
                sb.append(unit.repeat(Math.max(1, MAX_CHARS / unit.length())));
            }
            case RANDOM_IDS -> throw new IllegalArgumentException("RANDOM_IDS makes ids, not text");
        }
        return sb.length() > MAX_CHARS ? sb.substring(0, MAX_CHARS) : sb.toString();
    }

    /** {@code iterations} inputs from the random stream of {@code seed}. */
    public FuzzReport run(String target, long iterations, long seed, LongConsumer progress) {
        FuzzReport report = new FuzzReport(target);
        Random r = new Random(seed);
        long start = System.nanoTime();
        for (long i = 0; i < iterations; i++) {
            Generator g = Generator.values()[r.nextInt(Generator.values().length)];
            report.kind(g.name());
            long a0 = THREADS.getCurrentThreadAllocatedBytes(), t0 = System.nanoTime();
            String problem;
            int size;
            String shown;
            if (g == Generator.RANDOM_IDS) {
                int[] ids = new int[1 + r.nextInt(64)];
                for (int k = 0; k < ids.length; k++) ids[k] = r.nextInt(tokenizer.vocabSize());
                size = ids.length;
                shown = java.util.Arrays.toString(ids);
                problem = checkIds(ids, r.nextBoolean());
            } else {
                String text = text(g, r);
                size = text.length();
                shown = escape(text);
                problem = checkText(text);
            }
            long nanos = System.nanoTime() - t0, allocated = THREADS.getCurrentThreadAllocatedBytes() - a0;
            report.inputs++;
            if (problem == null) {
                report.accepted++;
            } else {
                report.unexpected++;
                report.finding("input " + i + " (" + g + ") " + shown + ": " + problem);
            }
            report.maxNanos = Math.max(report.maxNanos, nanos);
            report.maxAllocatedBytes = Math.max(report.maxAllocatedBytes, allocated);
            report.maxAllocationPerByte = Math.max(report.maxAllocationPerByte, allocated / (double) Math.max(1, size));
            if (nanos > TIME_BOUND_NANOS) {
                report.slow++;
                report.finding("input " + i + " (" + g + ") of " + size + ": " + nanos / 1_000_000 + " ms");
            }
            if (allocated > allocationBound(size)) {
                report.overAllocated++;
                report.finding("input " + i + " (" + g + ") of " + size + ": allocated " + allocated + " bytes");
            }
            if (progress != null && (i + 1) % 1000 == 0) progress.accept(i + 1);
        }
        report.seconds = (System.nanoTime() - start) / 1e9;
        return report;
    }

    /** The first property {@code text} breaks, or null. */
    public String checkText(String text) {
        int[] plain = null;
        for (int flags = 0; flags < 4; flags++) {
            boolean addSpecial = (flags & 1) != 0, parseSpecial = (flags & 2) != 0;
            int[] ids;
            try {
                ids = tokenizer.encode(text, addSpecial, parseSpecial);
            } catch (RuntimeException | StackOverflowError e) {
                return "encode(addSpecial " + addSpecial + ", parseSpecial " + parseSpecial + ") threw " + e;
            }
            for (int id : ids) if (id < 0 || id >= tokenizer.vocabSize()) return "encode gave id " + id + " outside the vocabulary";
            if (flags == 0) plain = ids;
        }
        if (roundTrips && !hasLoneSurrogate(text)) {
            String decoded;
            try {
                decoded = tokenizer.decode(plain, false);
            } catch (RuntimeException e) {
                return "decode threw " + e;
            }
            if (!decoded.equals(text) && !allowedChange.test(text, decoded)) {
                return "round trip gave " + escape(decoded);
            }
        }
        return checkIds(plain, false);
    }

    /** The first property a stream of {@code ids} breaks in the streaming decoder, or null. */
    public String checkIds(int[] ids, boolean renderSpecial) {
        StreamingDecoder d = tokenizer.streamingDecoder(renderSpecial);
        StringBuilder all = new StringBuilder();
        try {
            for (int id : ids) {
                String piece = d.push(id);
                if (hasLoneSurrogate(piece)) return "streaming decoder emitted invalid UTF-8 (a lone surrogate) for id " + id;
                all.append(piece);
            }
            String rest = d.flush();
            if (hasLoneSurrogate(rest)) return "streaming decoder emitted invalid UTF-8 at the end";
            all.append(rest);
        } catch (RuntimeException e) {
            return "streaming decoder threw " + e;
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int id : ids) bytes.writeBytes(tokenizer.tokenBytes(id, renderSpecial));
        String whole = dev.squall.tokenizer.Utf8.decode(bytes.toByteArray());
        if (!whole.contentEquals(all)) return "streamed text " + escape(all.toString()) + " differs from the bytes decoded at once " + escape(whole);
        return null;
    }

    static boolean hasLoneSurrogate(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return true;
            }
            if (Character.isLowSurrogate(c)) return true;
        }
        return false;
    }

    /** The text with control and non-ASCII characters as escapes, at most 120 characters. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length() && b.length() < 120; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') b.append(c);
            else b.append(String.format("\\u%04x", (int) c));
        }
        return b.append(s.length() > 120 ? "\"…" : "\"").toString();
    }
}
