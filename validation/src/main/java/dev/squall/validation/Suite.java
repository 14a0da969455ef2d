package dev.squall.validation;

import dev.squall.backend.Backend;
import dev.squall.validation.model.ModelParityCases;
import dev.squall.validation.op.OpParityCases;
import dev.squall.validation.quant.QuantParityCases;
import dev.squall.validation.tokenizer.TokenizerParityCases;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The validation suite: every operator on every backend against its oracle, models and tokenizers
 * against llama.cpp, and the invariants decoding relies on.
 */
public final class Suite {

    private Suite() {}

    public static final List<CaseSource> SOURCES = List.of(new OpParityCases(), new InvariantCases(),
            new ModelParityCases(), new TokenizerParityCases(), new QuantParityCases(), new dev.squall.validation.squeezed.SqueezedCases());

    /** Every case for these backends that the filter accepts, names checked for uniqueness. */
    public static List<ValidationCase> cases(Context context, List<Backend> backends, Filter filter) {
        List<ValidationCase> all = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (CaseSource s : SOURCES) {
            for (ValidationCase c : s.cases(context, backends)) {
                if (!names.add(c.device() + " " + c.name())) throw new IllegalStateException("two cases named " + c.name() + " on " + c.device());
                if (filter.accepts(c)) all.add(c);
            }
        }
        return all;
    }

    /** Runs one case; an exception is a FAIL that names it. */
    public static CaseResult run(ValidationCase c, Context context) {
        long t0 = System.nanoTime();
        ValidationCase.Outcome o;
        try {
            o = c.run(context);
        } catch (Exception | AssertionError | OutOfMemoryError e) {
            o = ValidationCase.Outcome.fail("-", e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return CaseResult.of(c, o.status(), o.measure(), o.detail(), (System.nanoTime() - t0) / 1e9);
    }

    public static List<CaseResult> runAll(List<ValidationCase> cases, Context context, Consumer<CaseResult> progress) {
        List<CaseResult> results = new ArrayList<>();
        for (ValidationCase c : cases) {
            CaseResult r = run(c, context);
            results.add(r);
            progress.accept(r);
        }
        return results;
    }
}
