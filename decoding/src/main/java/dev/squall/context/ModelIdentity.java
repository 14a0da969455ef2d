package dev.squall.context;

import dev.squall.gguf.GgufTensorInfo;
import dev.squall.model.Model;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Which model computed a fixed context: a SHA-256 over the model file's metadata, its tensor table,
 * the formats it computes in (after any {@code --weights} conversion) and the first and last 4 KiB
 * of every tensor, so that another model, another quantisation or another file of the same name is
 * told apart without reading every weight.
 */
public final class ModelIdentity {

    private ModelIdentity() {}

    private static final int SAMPLE = 4096;

    public static String of(Model model) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        var meta = model.file().metadata();
        for (String key : meta.keys()) sha.update((key + "=" + meta.get(key).describe() + "\n").getBytes(StandardCharsets.UTF_8));
        sha.update(model.formatSummary().getBytes(StandardCharsets.UTF_8));
        for (GgufTensorInfo t : model.file().tensors()) {
            sha.update(t.toString().getBytes(StandardCharsets.UTF_8));
            MemorySegment data = model.file().data(t);
            long n = data.byteSize(), head = Math.min(SAMPLE, n);
            sha.update(data.asSlice(0, head).toArray(ValueLayout.JAVA_BYTE));
            if (n > head) sha.update(data.asSlice(Math.max(head, n - SAMPLE)).toArray(ValueLayout.JAVA_BYTE));
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
