package dev.squall.model;

import dev.squall.gguf.GgufFile;
import dev.squall.gguf.GgufMetadata;
import dev.squall.gguf.GgufTensorInfo;
import dev.squall.gguf.GgufWriter;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Copies of a valid GGUF file with one thing changed, for tests of how loading fails. */
final class GgufEdits {

    private GgufEdits() {}

    static Path rewrite(Path source, Path target, Consumer<GgufMetadata.Builder> editMetadata, Predicate<GgufTensorInfo> keepTensor) {
        try (GgufFile f = GgufFile.open(source)) {
            GgufWriter w = new GgufWriter();
            w.metadata().putAll(f.metadata());
            editMetadata.accept(w.metadata());
            for (GgufTensorInfo t : f.tensors()) if (keepTensor.test(t)) w.addTensor(t.name(), t.type(), t.dims(), f.data(t));
            w.write(target);
        }
        return target;
    }
}
