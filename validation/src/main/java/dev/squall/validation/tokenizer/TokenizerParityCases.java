package dev.squall.validation.tokenizer;

import dev.squall.backend.Backend;
import dev.squall.validation.CaseSource;
import dev.squall.validation.Context;
import dev.squall.validation.ValidationCase;
import java.util.List;

/** Tokenizer parity against llama.cpp (in progress). */
public final class TokenizerParityCases implements CaseSource {
    @Override public List<ValidationCase> cases(Context context, List<Backend> backends) { return List.of(); }
}
