package dev.squall.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Finds backends by id. The Java backend is always present; others (TornadoVM devices) come from
 * {@link BackendProvider}s on the class path.
 */
public final class Backends {

    private Backends() {}

    /** Every backend present, the Java backend first. */
    public static List<Backend> all() {
        List<Backend> all = new ArrayList<>();
        all.add(new dev.squall.backend.java.JavaBackend());
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) all.addAll(p.backends());
        return all;
    }

    /** Status lines of providers that are known but unavailable here (e.g. TornadoVM not installed). */
    public static List<String> unavailable() {
        List<String> lines = new ArrayList<>();
        boolean anyProvider = false;
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            anyProvider = true;
            p.unavailableReason().ifPresent(lines::add);
        }
        if (!anyProvider) lines.add("tornado: the TornadoVM backend is not installed (see ./setup-tornado.sh)");
        return lines;
    }

    /** The backend with this id; an unknown id is an error listing the ids present. */
    public static Backend find(String id) {
        if (id.equals("java")) return new dev.squall.backend.java.JavaBackend();
        List<String> ids = new ArrayList<>();
        for (Backend b : all()) {
            if (b.id().equals(id)) return b;
            ids.add(b.id());
        }
        String extra = unavailable().isEmpty() ? "" : "; " + String.join("; ", unavailable());
        throw new IllegalArgumentException("--device " + id + ": no such device; present: " + String.join(", ", ids) + extra);
    }
}
