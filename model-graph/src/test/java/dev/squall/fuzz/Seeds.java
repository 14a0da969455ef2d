package dev.squall.fuzz;

import dev.squall.format.WeightFormats;
import dev.squall.model.synthetic.SampleModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Seed GGUF files for the fuzz tests: sample models, written once per test run. */
final class Seeds {

    private static final Map<String, byte[]> CACHE = new ConcurrentHashMap<>();
    private static Path dir;

    private Seeds() {}

    /** The bytes of sample model {@code name} in {@code format} ("micro:q4_0"). */
    static byte[] sample(String ref) {
        return CACHE.computeIfAbsent(ref, r -> {
            String[] parts = r.split(":");
            try {
                synchronized (Seeds.class) {
                    if (dir == null) {
                        dir = Files.createTempDirectory("squall-fuzz-seeds");
                        dir.toFile().deleteOnExit();
                    }
                }
                Path file = SampleModels.write(parts[0], WeightFormats.byName(parts[1]), dir, null);
                file.toFile().deleteOnExit();
                return Files.readAllBytes(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static List<byte[]> all() {
        return List.of(sample("micro:q4_0"), sample("micro:f16"), sample("micro:q8_0"));
    }
}
