package dev.squall.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE ({@code tokenizer.ggml.model = "gpt2"}: GPT-2, Llama 3, Qwen 2/3) as llama.cpp's
 * {@code llm_tokenizer_bpe_session}:
 * <ol>
 * <li>the {@link PreTokenizer} chosen by {@code tokenizer.ggml.pre} splits each text fragment into
 *     words;</li>
 * <li>with the Llama 3 pre-tokenizers ({@code ignore_merges}), a word that is itself a token is
 *     emitted whole;</li>
 * <li>otherwise the word's UTF-8 bytes start as one symbol each; repeatedly the adjacent pair with
 *     the lowest merge rank merges (ties: leftmost first);</li>
 * <li>each final symbol is its token; a symbol that is not a token falls back to the tokens of its
 *     single ASCII characters, any other byte being dropped (llama.cpp's behaviour; real
 *     vocabularies have every byte and every merge result).</li>
 * </ol>
 * Words repeat a lot in text, so their tokens are cached.
 */
final class ByteLevelBpeTokenizer extends BaseTokenizer {

    private static final int CACHE_LIMIT = 1 << 16;
    /** Longer words (runs of CJK, base64, ...) rarely repeat and would pin large strings. */
    private static final int CACHED_WORD_LENGTH = 64;

    private final PreTokenizer preTokenizer;
    private final MergeTable merges;
    private final int[] symbolTokens;
    private final ConcurrentHashMap<String, int[]> wordCache = new ConcurrentHashMap<>();

    ByteLevelBpeTokenizer(Vocabulary vocab) {
        this(vocab, PreTokenizer.forName(vocab.pre()));
    }

    private ByteLevelBpeTokenizer(Vocabulary vocab, PreTokenizer preTokenizer) {
        super(vocab, ByteLevel::decode, preTokenizer.cleanSpaces());
        if (vocab.merges() == null) {
            throw new IllegalArgumentException(
                    "tokenizer.ggml.merges is missing; byte-level BPE (tokenizer.ggml.model = \"gpt2\") needs it");
        }
        this.preTokenizer = preTokenizer;
        this.merges = new MergeTable(vocab.merges());
        symbolTokens = new int[merges.symbolCount()];
        for (int s = 0; s < symbolTokens.length; s++) {
            symbolTokens[s] = lookup(merges.symbolText(s));
        }
    }

    @Override
    void encodeText(String text, boolean afterSpecial, IntList out) {
        for (String word : preTokenizer.split(text)) {
            if (word.length() > CACHED_WORD_LENGTH) {
                out.addAll(encodeWord(word));
                continue;
            }
            int[] tokens = wordCache.get(word);
            if (tokens == null) {
                tokens = encodeWord(word);
                if (wordCache.size() >= CACHE_LIMIT) {
                    wordCache.clear();
                }
                wordCache.put(word, tokens);
            }
            out.addAll(tokens);
        }
    }

    private int[] encodeWord(String word) {
        byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
        if (preTokenizer.ignoreMerges()) {
            int whole = lookup(ByteLevel.encode(word));
            if (whole >= 0) {
                return new int[] {whole};
            }
        }
        int n = bytes.length;
        int[] symbol = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            symbol[i] = MergeTable.byteSymbol(bytes[i]);
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PairQueue queue = new PairQueue();
        for (int i = 1; i < n; i++) {
            offer(queue, symbol, i - 1, i);
        }
        while (!queue.isEmpty()) {
            queue.pop();
            int l = queue.poppedLeft;
            int r = queue.poppedRight;
            // still current when neither side has changed since the pair was offered
            if (symbol[l] < 0 || symbol[r] < 0 || symbol[r] != queue.poppedCheck || next[l] != r) {
                continue;
            }
            symbol[l] = (int) merges.lookup(symbol[l], symbol[r]);
            symbol[r] = -1;
            next[l] = next[r];
            if (next[r] >= 0) {
                prev[next[r]] = l;
            }
            if (prev[l] >= 0) {
                offer(queue, symbol, prev[l], l);
            }
            if (next[l] >= 0) {
                offer(queue, symbol, l, next[l]);
            }
        }
        IntList tokens = new IntList(n);
        for (int i = 0; n > 0 && i != -1; i = next[i]) {
            emit(symbol[i], tokens);
        }
        return tokens.toArray();
    }

    private void offer(PairQueue queue, int[] symbol, int l, int r) {
        long merge = merges.lookup(symbol[l], symbol[r]);
        if (merge >= 0) {
            queue.push(PairQueue.ascending((int) (merge >>> 32), l), l, r, symbol[r]);
        }
    }

    private void emit(int symbol, IntList out) {
        int token = symbolTokens[symbol];
        if (token >= 0) {
            out.add(token);
            return;
        }
        String text = merges.symbolText(symbol);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int single = c < 0x80 ? lookup(String.valueOf(c)) : -1;
            if (single >= 0) {
                out.add(single);
            }
        }
    }
}
