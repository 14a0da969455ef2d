package dev.squall.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * What both vocabulary kinds share with llama.cpp's {@code llama_vocab}: the token index, special
 * tokens matched in text before tokenizing ({@code tokenizer_st_partition}), BOS/EOS,
 * {@code token_to_piece} and {@code detokenize}. Subclasses tokenize the plain-text fragments.
 */
abstract class BaseTokenizer implements Tokenizer {

    private static final byte[] NOTHING = new byte[0];

    final Vocabulary vocab;
    final String[] texts;
    final Map<String, Integer> ids;
    final TokenAttributes attributes;
    private final byte[][] pieces;
    private final boolean cleanSpaces;

    /**
     * @param normalPiece the output bytes of a NORMAL token's string
     * @param cleanSpaces whether {@link #decode} applies llama.cpp's space clean-up
     */
    BaseTokenizer(Vocabulary vocab, Function<String, byte[]> normalPiece, boolean cleanSpaces) {
        this.vocab = vocab;
        this.cleanSpaces = cleanSpaces;
        int n = vocab.size();
        texts = new String[n];
        ids = new HashMap<>(n * 2);
        for (int id = 0; id < n; id++) {
            String text = vocab.tokens()[id];
            texts[id] = text.isEmpty() ? "[EMPTY_" + id + "]" : text;
            Integer previous = ids.put(texts[id], id);
            if (previous != null) {
                throw new IllegalArgumentException("tokenizer.ggml.tokens has \"" + texts[id] + "\" twice, at "
                        + previous + " and " + id + "; token strings must be unique");
            }
        }
        attributes = new TokenAttributes(vocab, texts);
        pieces = new byte[n][];
        for (int id = 0; id < n; id++) {
            pieces[id] = piece(id, normalPiece);
        }
    }

    /** {@code token_to_piece} with {@code special = true}, as llama.cpp caches it. */
    private byte[] piece(int id, Function<String, byte[]> normalPiece) {
        if (attributes.has(id, TokenAttributes.UNKNOWN | TokenAttributes.CONTROL | TokenAttributes.USER_DEFINED)) {
            return texts[id].getBytes(StandardCharsets.UTF_8);
        }
        if (attributes.has(id, TokenAttributes.NORMAL)) {
            return normalPiece.apply(texts[id]);
        }
        if (attributes.has(id, TokenAttributes.BYTE)) {
            return new byte[] {(byte) hexByte(texts[id])};
        }
        return NOTHING;
    }

    /** llama.cpp's {@code token_to_byte}: {@code strtol} of the two characters after {@code "<0x"}. */
    private static int hexByte(String text) {
        int value = 0;
        for (int i = 3; i < Math.min(5, text.length()); i++) {
            int digit = Character.digit(text.charAt(i), 16);
            if (digit < 0) {
                break;
            }
            value = value * 16 + digit;
        }
        return value;
    }

    /**
     * Tokenizes one fragment of plain text.
     *
     * @param afterSpecial whether the fragment starts the text or follows a special token
     */
    abstract void encodeText(String text, boolean afterSpecial, IntList out);

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        String raw = wellFormed(text);
        IntList out = new IntList(Math.max(16, raw.length() / 3));
        if (addSpecial && vocab.addBos()) {
            out.add(vocab.bos());
        }
        boolean afterSpecial = true;
        for (Fragment fragment : partition(raw, parseSpecial)) {
            if (fragment.token >= 0) {
                out.add(fragment.token);
                afterSpecial = true;
            } else {
                encodeText(raw.substring(fragment.start, fragment.end), afterSpecial, out);
                afterSpecial = false;
            }
        }
        if (addSpecial && vocab.addEos()) {
            out.add(vocab.eos());
        }
        return out.toArray();
    }

    /** A lone surrogate becomes '?', as in the UTF-8 bytes llama.cpp would receive. */
    private static String wellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isSurrogate(text.charAt(i))) {
                return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
            }
        }
        return text;
    }

    /** A special token ({@code token >= 0}) or a stretch {@code [start, end)} of plain text. */
    private record Fragment(int token, int start, int end) {
    }

    /**
     * llama.cpp's {@code tokenizer_st_partition}: for each special token, longest first, every
     * occurrence in every remaining text fragment becomes that token. Without
     * {@code parseSpecial}, control and unknown tokens are left as text; user-defined tokens are
     * matched either way.
     */
    private List<Fragment> partition(String raw, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (raw.isEmpty()) {
            return fragments;
        }
        fragments.add(new Fragment(-1, 0, raw.length()));
        for (int special : attributes.matchOrder()) {
            if (!parseSpecial && attributes.has(special, TokenAttributes.CONTROL | TokenAttributes.UNKNOWN)) {
                continue;
            }
            String needle = texts[special];
            if (!raw.contains(needle)) {
                continue;
            }
            List<Fragment> next = new ArrayList<>(fragments.size() + 4);
            for (Fragment fragment : fragments) {
                if (fragment.token >= 0) {
                    next.add(fragment);
                    continue;
                }
                int from = fragment.start;
                while (true) {
                    int match = raw.indexOf(needle, from);
                    if (match < 0 || match + needle.length() > fragment.end) {
                        break;
                    }
                    if (match > from) {
                        next.add(new Fragment(-1, from, match));
                    }
                    next.add(new Fragment(special, match, match + needle.length()));
                    from = match + needle.length();
                }
                if (from < fragment.end) {
                    next.add(new Fragment(-1, from, fragment.end));
                }
            }
            fragments = next;
        }
        return fragments;
    }

    @Override
    public byte[] tokenBytes(int id, boolean renderSpecial) {
        checkId(id);
        if (!renderSpecial && attributes.has(id, TokenAttributes.UNKNOWN | TokenAttributes.CONTROL)) {
            return NOTHING;
        }
        return pieces[id].clone();
    }

    private byte[] pieceView(int id, boolean renderSpecial) {
        checkId(id);
        if (!renderSpecial && attributes.has(id, TokenAttributes.UNKNOWN | TokenAttributes.CONTROL)) {
            return NOTHING;
        }
        return pieces[id];
    }

    @Override
    public String decode(int[] tokenIds, boolean renderSpecial) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(tokenIds.length * 4);
        boolean removeSpace = vocab.addSpacePrefix();
        for (int id : tokenIds) {
            byte[] piece = pieceView(id, renderSpecial);
            int skip = removeSpace && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
            out.write(piece, skip, piece.length - skip);
            removeSpace = false;
        }
        byte[] bytes = out.toByteArray();
        if (cleanSpaces) {
            bytes = SpaceCleanup.apply(bytes);
        }
        return Utf8.decode(bytes);
    }

    @Override
    public StreamingDecoder streamingDecoder(boolean renderSpecial) {
        return new StreamingDecoder(this, renderSpecial);
    }

    @Override
    public int vocabSize() {
        return texts.length;
    }

    @Override
    public int bos() {
        return vocab.bos();
    }

    @Override
    public int eos() {
        return vocab.eos();
    }

    @Override
    public boolean isEndOfGeneration(int id) {
        return id >= 0 && id < texts.length && attributes.isEndOfGeneration(id);
    }

    @Override
    public boolean isControl(int id) {
        checkId(id);
        return attributes.has(id, TokenAttributes.CONTROL);
    }

    @Override
    public OptionalInt tokenId(String piece) {
        Integer id = ids.get(piece);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public String tokenText(int id) {
        checkId(id);
        return texts[id];
    }

    @Override
    public Vocabulary vocabulary() {
        return vocab;
    }

    /** The id of a token string, or -1; any type of token counts, as llama.cpp's {@code text_to_token}. */
    final int lookup(String text) {
        Integer id = ids.get(text);
        return id == null ? -1 : id;
    }

    private void checkId(int id) {
        if (id < 0 || id >= texts.length) {
            throw new IndexOutOfBoundsException("token id " + id + " is outside the vocabulary [0, "
                    + texts.length + ")");
        }
    }
}
