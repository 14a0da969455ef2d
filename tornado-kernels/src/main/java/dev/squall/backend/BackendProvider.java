package dev.squall.backend;

import java.util.List;
import java.util.Optional;

/** A source of backends found through {@link java.util.ServiceLoader} (TornadoVM registers one). */
public interface BackendProvider {

    /** The backends this provider offers on this machine (empty when its runtime is missing). */
    List<Backend> backends();

    /** Why this provider offers nothing here, when it does not. */
    Optional<String> unavailableReason();
}
