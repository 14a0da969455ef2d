package dev.squall.cli;

import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.model.synthetic.SampleModels;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code -m sample:NAME[:FORMAT]} names a sample model (e.g. {@code sample:tiny},
 * {@code sample:134m:q4_0}): it resolves to {@code models/squall-NAME-FORMAT.gguf} (the folder
 * is {@code $SQUALL_MODELS} when set) and is written first when absent.
 */
final class SampleRef {

    private SampleRef() {}

    static final String PREFIX = "sample:";

    static boolean is(Path p) { return p.toString().startsWith(PREFIX); }

    static Path resolve(Path ref, PrintWriter err) {
        String[] parts = ref.toString().substring(PREFIX.length()).split(":");
        if (parts.length < 1 || parts.length > 2 || parts[0].isEmpty()) {
            throw new IllegalArgumentException("--model " + ref + ": expected sample:NAME or sample:NAME:FORMAT, e.g. sample:tiny:q8_0");
        }
        String name = parts[0].toLowerCase(Locale.ROOT);
        WeightFormat format = parts.length == 2 ? WeightFormats.byName(parts[1]) : WeightFormats.F32;
        if (!SampleModels.FORMATS.contains(format)) {
            throw new IllegalArgumentException("--model " + ref + ": sample models come as f32, f16, q8_0 or q4_0");
        }
        SampleModels.spec(name, format);
        String dir = System.getenv("SQUALL_MODELS");
        Path folder = Path.of(dir == null || dir.isBlank() ? "models" : dir);
        Path path = folder.resolve(SampleModels.fileName(name, format));
        if (!Files.isRegularFile(path)) {
            err.println("squall: writing sample model " + path + " (seeded random weights, generated vocabulary)");
            err.flush();
            try {
                Files.createDirectories(folder);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("--model " + ref + ": cannot create " + folder + ": " + e.getMessage(), e);
            }
            long bytes = SampleModels.spec(name, format).parameters() * format.blockBytes() / format.blockElements();
            if (Terminal.isInteractive() && bytes > (64L << 20)) {
                try (var bar = ModelOptions.progressBar("writing " + path.getFileName(), bytes)) {
                    SampleModels.write(name, format, folder, bar::stepTo);
                }
            } else {
                SampleModels.write(name, format, folder, null);
            }
        }
        return path;
    }
}
