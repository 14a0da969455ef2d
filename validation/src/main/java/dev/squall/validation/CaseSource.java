package dev.squall.validation;

import dev.squall.backend.Backend;
import java.util.List;

/** A family of cases (op parity, model parity, …) for the backends present. */
public interface CaseSource {

    List<ValidationCase> cases(Context context, List<Backend> backends);
}
