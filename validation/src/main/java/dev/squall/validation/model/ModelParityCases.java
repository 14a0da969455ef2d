package dev.squall.validation.model;

import dev.squall.backend.Backend;
import dev.squall.validation.CaseSource;
import dev.squall.validation.Context;
import dev.squall.validation.ValidationCase;
import java.util.List;

/** Model parity against llama.cpp (in progress). */
public final class ModelParityCases implements CaseSource {
    @Override public List<ValidationCase> cases(Context context, List<Backend> backends) { return List.of(); }
}
