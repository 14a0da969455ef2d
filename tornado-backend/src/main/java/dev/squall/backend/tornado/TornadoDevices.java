package dev.squall.backend.tornado;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import uk.ac.manchester.tornado.api.TornadoBackend;
import uk.ac.manchester.tornado.api.TornadoDeviceMap;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

/**
 * The devices TornadoVM's runtime reports, each as a {@link TornadoBackend} with id
 * {@code tornado:B:D} (backend index B, device index D, as {@code tornado --devices} numbers them).
 * Backends are discovered, never named: whatever TornadoVM offers (OpenCL, PTX, SPIR-V, CUDA,
 * Metal) is listed by the name it gives.
 */
final class TornadoDevices {

    private TornadoDevices() {}

    static List<dev.squall.backend.Backend> discover() {
        TornadoDeviceMap map = TornadoExecutionPlan.getTornadoDeviceMap();
        List<dev.squall.backend.Backend> found = new ArrayList<>();
        List<TornadoBackend> backends = map.getAllBackends();
        for (int b = 0; b < backends.size(); b++) {
            TornadoBackend backend = backends.get(b);
            for (int d = 0; d < backend.getNumDevices(); d++) {
                TornadoDevice device = backend.getDevice(d);
                found.add(new dev.squall.backend.tornado.TornadoBackend("tornado:" + b + ":" + d, device, describe(backend, device)));
            }
        }
        return found;
    }

    /** One line: backend, platform and device names, kind, compute units, memories, FP16/FP64. */
    static String describe(TornadoBackend backend, TornadoDevice device) {
        String info = device.getPhysicalDevice().getDeviceInfo();
        boolean fp16 = info != null && info.toLowerCase(Locale.ROOT).contains("fp16");
        return String.format(Locale.ROOT, "TornadoVM %s: %s %s (%s), %d compute units, %s global memory, %s local memory, FP16 %s, FP64 %s",
                backend.getBackendType().name(), device.getPlatformName(), device.getPhysicalDevice().getDeviceName(), device.getDeviceType(),
                device.getPhysicalDevice().getDeviceMaxComputeUnits(), memory(device.getMaxGlobalMemory()), memory(device.getDeviceLocalMemorySize()),
                fp16 ? "yes" : "no", device.getDeviceContext().isFP64Supported() ? "yes" : "no");
    }

    static String memory(long bytes) {
        if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        if (bytes >= 1L << 20) return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        return String.format(Locale.ROOT, "%d KiB", bytes >> 10);
    }
}
