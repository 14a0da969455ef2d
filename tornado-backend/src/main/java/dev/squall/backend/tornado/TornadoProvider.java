package dev.squall.backend.tornado;

import dev.squall.backend.Backend;
import dev.squall.backend.BackendProvider;
import java.util.List;
import java.util.Optional;

/**
 * Offers a backend per TornadoVM device. The class refers to no TornadoVM type, so the service
 * loader can create it in a JVM started without TornadoVM's flags; it then offers nothing and says
 * why. Devices are discovered once per JVM.
 */
public final class TornadoProvider implements BackendProvider {

    private static final String RUNTIME_CLASS = "uk.ac.manchester.tornado.api.TornadoExecutionPlan";

    /**
     * TornadoVM compiles each TaskGraph into bytecodes in a buffer of {@code tornado.tvm.maxbytecodesize}
     * bytes (4096 by default), which a layer graph with K-quant weights and every shared array
     * overflows. Set before TornadoVM reads it (on its first graph), unless the user set it.
     */
    private static final String BYTECODE_SIZE = "tornado.tvm.maxbytecodesize";

    private record Discovery(List<Backend> backends, String problem) {}

    private static Discovery discovery;

    private static synchronized Discovery discovery() {
        if (discovery == null) discovery = discover();
        return discovery;
    }

    private static Discovery discover() {
        try {
            Class.forName(RUNTIME_CLASS, false, TornadoProvider.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            String home = System.getenv("TORNADOVM_HOME");
            return new Discovery(List.of(), "tornado: the TornadoVM backend is built but this JVM was started without TornadoVM's flags"
                    + (home == null ? "" : " (SDK " + home + ")") + "; ./squall adds them for devices, validate and --device tornado:*");
        }
        if (System.getProperty(BYTECODE_SIZE) == null) System.setProperty(BYTECODE_SIZE, "65536");
        try {
            List<Backend> found = TornadoDevices.discover();
            return new Discovery(found, found.isEmpty() ? "tornado: TornadoVM found no device (see tornado --devices)" : null);
        } catch (RuntimeException | LinkageError e) {
            return new Discovery(List.of(), "tornado: TornadoVM failed to start: " + e);
        }
    }

    @Override public List<Backend> backends() { return discovery().backends(); }

    @Override public Optional<String> unavailableReason() { return Optional.ofNullable(discovery().problem()); }
}
