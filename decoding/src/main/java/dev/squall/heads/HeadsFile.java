package dev.squall.heads;

import dev.squall.format.WeightFormat;
import dev.squall.format.WeightFormats;
import dev.squall.format.GgmlType;
import dev.squall.gguf.GgufFile;
import dev.squall.gguf.GgufMetadata;
import dev.squall.gguf.GgufTensorInfo;
import dev.squall.gguf.GgufWriter;
import dev.squall.model.Model;
import dev.squall.model.ModelFamily;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A heads file: {@link DraftHeads} as a GGUF file of their own ({@code general.architecture =
 * squall-heads}), tied to the model they were trained for.
 *
 * <pre>
 *   squall.heads.kind              medusa | hydra
 *   squall.heads.count             heads
 *   squall.heads.embedding_length  the model's dim        squall.heads.vocab_size  its vocabulary
 *   squall.heads.base_model        the model's general.name
 *   squall.heads.base_output_sha256  SHA-256 of the bytes of the model's output matrix (token_embd when tied)
 *   squall.heads.rank_accuracy     count × 10: P(true token is head k's rank-r guess), measured after training
 *   squall.heads.heldout_loss      per head, nats/token on the held-out split
 *   squall.heads.train_tokens / train_steps / corpus
 *   heads.K.weight [inputs, dim]   heads.K.bias [dim]   heads.K.output [dim, vocab]   (F32, ggml order)
 * </pre>
 * A checkpoint is the same file plus the AdamW moments ({@code heads.K.{weight,bias,output}.m/.v})
 * and the step and corpus position to resume from.
 */
public final class HeadsFile {

    public static final String ARCHITECTURE = "squall-heads";

    /** What the file says besides the weights. */
    public record Info(String baseModel, String baseFingerprint, float[] rankAccuracy, float[] heldoutLoss, long trainTokens, long trainSteps, String corpus) {

        /** P(true token of head k is its rank-r guess). */
        public double accuracy(int k, int r) { return rankAccuracy == null ? 0 : rankAccuracy[k * HeadTrainer.RANKS + r]; }
    }

    /** A loaded heads file. */
    public record Loaded(DraftHeads heads, Info info) {}

    /** Where a checkpoint stopped: AdamW steps, documents consumed and the token offset inside the next. */
    public record Position(long step, int document, int offset, long tokens) {}

    private HeadsFile() {}

    /** SHA-256 of the bytes of {@code model}'s output matrix: what ties heads to the model they were trained on. */
    public static String fingerprint(Model model) {
        GgufTensorInfo t = outputTensor(model);
        MemorySegment data = model.file().data(t);
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (long at = 0; at < data.byteSize(); at += buf.length) {
                int n = (int) Math.min(buf.length, data.byteSize() - at);
                MemorySegment.copy(data, ValueLayout.JAVA_BYTE, at, buf, 0, n);
                sha.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static GgufTensorInfo outputTensor(Model model) {
        return model.file().tensor(ModelFamily.OUTPUT).or(() -> model.file().tensor(ModelFamily.TOKEN_EMBEDDING))
                .orElseThrow(() -> new IllegalArgumentException(model.file().path() + ": no " + ModelFamily.OUTPUT + " or " + ModelFamily.TOKEN_EMBEDDING + " tensor"));
    }

    /** The model's output matrix as F32, vocab × dim. */
    public static float[] output(Model model) { return decode(model, outputTensor(model)); }

    /** The model's input embeddings as F32, vocab × dim. */
    public static float[] embeddings(Model model) {
        return decode(model, model.file().tensor(ModelFamily.TOKEN_EMBEDDING)
                .orElseThrow(() -> new IllegalArgumentException(model.file().path() + ": no " + ModelFamily.TOKEN_EMBEDDING + " tensor")));
    }

    private static float[] decode(Model model, GgufTensorInfo t) {
        WeightFormat f = WeightFormats.forType(t.type()).orElseThrow(() -> new IllegalArgumentException(model.file().path() + ": tensor '" + t.name() + "' has type " + t.type() + ", which Squall cannot decode"));
        int cols = Math.toIntExact(t.dim(0)), rows = Math.toIntExact(t.dims().length > 1 ? t.dim(1) : 1);
        float[] v = new float[rows * cols];
        MemorySegment data = model.file().data(t);
        long rowBytes = f.rowBytes(cols);
        for (int r = 0; r < rows; r++) f.decode(data, r * rowBytes, v, r * cols, cols);
        return v;
    }

    /** Writes {@code heads} with {@code info} to {@code path} (moved into place when complete). */
    public static void write(Path path, DraftHeads heads, Info info) { writer(heads, info).write(path); }

    /** Writes a checkpoint: the heads, the trainer's moments and the position to resume from. */
    public static void writeCheckpoint(Path path, HeadTrainer trainer, Info info, Position at) {
        GgufWriter w = writer(trainer.heads(), info);
        w.metadata().putInt64("squall.train.step", at.step()).putInt32("squall.train.document", at.document())
                .putInt32("squall.train.offset", at.offset()).putInt64("squall.train.tokens", at.tokens());
        DraftHeads h = trainer.heads();
        for (int k = 0; k < h.count(); k++) {
            tensor(w, "heads." + k + ".weight.m", trainer.mw[k], h.inputs(k), h.dim());
            tensor(w, "heads." + k + ".weight.v", trainer.vw[k], h.inputs(k), h.dim());
            tensor(w, "heads." + k + ".bias.m", trainer.mb[k], h.dim(), 1);
            tensor(w, "heads." + k + ".bias.v", trainer.vb[k], h.dim(), 1);
            tensor(w, "heads." + k + ".output.m", trainer.mu[k], h.dim(), h.vocab());
            tensor(w, "heads." + k + ".output.v", trainer.vu[k], h.dim(), h.vocab());
        }
        w.write(path);
    }

    private static GgufWriter writer(DraftHeads heads, Info info) {
        GgufWriter w = new GgufWriter();
        GgufMetadata.Builder m = w.metadata();
        m.putString("general.architecture", ARCHITECTURE).putString("general.name", info.baseModel() + " " + heads.kind().label() + " heads")
                .putString("squall.heads.kind", heads.kind().label()).putUint32("squall.heads.count", heads.count())
                .putUint32("squall.heads.embedding_length", heads.dim()).putUint32("squall.heads.vocab_size", heads.vocab())
                .putString("squall.heads.base_model", info.baseModel()).putString("squall.heads.base_output_sha256", info.baseFingerprint())
                .putInt64("squall.heads.train_tokens", info.trainTokens()).putInt64("squall.heads.train_steps", info.trainSteps())
                .putString("squall.heads.corpus", info.corpus() == null ? "" : info.corpus());
        if (info.rankAccuracy() != null) m.putFloat32Array("squall.heads.rank_accuracy", info.rankAccuracy());
        if (info.heldoutLoss() != null) m.putFloat32Array("squall.heads.heldout_loss", info.heldoutLoss());
        for (int k = 0; k < heads.count(); k++) {
            tensor(w, "heads." + k + ".weight", heads.w[k], heads.inputs(k), heads.dim());
            tensor(w, "heads." + k + ".bias", heads.b[k], heads.dim(), 1);
            tensor(w, "heads." + k + ".output", heads.u[k], heads.dim(), heads.vocab());
        }
        return w;
    }

    private static void tensor(GgufWriter w, String name, float[] v, long cols, long rows) {
        long[] dims = rows == 1 ? new long[] {cols} : new long[] {cols, rows};
        w.addTensor(name, GgmlType.F32, dims, slice -> MemorySegment.copy(v, 0, slice, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, v.length));
    }

    /**
     * Loads heads for {@code base}: a file that is not a heads file, lacks a tensor or a field, has
     * shapes other than its header says, or was trained for another model (its output matrix's
     * fingerprint differs) is an error naming the file and the problem.
     */
    public static Loaded load(Path path, Model base, Path basePath) {
        try (GgufFile f = GgufFile.open(path)) {
            return read(f, path, base, basePath);
        }
    }

    /** A checkpoint loaded: a trainer holding its heads and moments, and where it stopped. */
    public record Resumed(HeadTrainer trainer, Position at) {}

    /** Loads a checkpoint into a new trainer (heads, moments). */
    public static Resumed resume(Path path, Model base, Path basePath, Dense dense, double weightDecay) {
        try (GgufFile f = GgufFile.open(path)) {
            Loaded l = read(f, path, base, basePath);
            GgufMetadata m = f.metadata();
            if (!m.contains("squall.train.step")) throw new IllegalArgumentException(path + ": not a checkpoint (no squall.train.step); pass a checkpoint written by --checkpoint");
            HeadTrainer t = new HeadTrainer(l.heads(), dense, weightDecay);
            DraftHeads h = l.heads();
            for (int k = 0; k < h.count(); k++) {
                read(f, path, "heads." + k + ".weight.m", t.mw[k]);
                read(f, path, "heads." + k + ".weight.v", t.vw[k]);
                read(f, path, "heads." + k + ".bias.m", t.mb[k]);
                read(f, path, "heads." + k + ".bias.v", t.vb[k]);
                read(f, path, "heads." + k + ".output.m", t.mu[k]);
                read(f, path, "heads." + k + ".output.v", t.vu[k]);
            }
            long step = m.getLong("squall.train.step");
            t.restoreSteps(step);
            return new Resumed(t, new Position(step, m.getInt("squall.train.document"), m.getInt("squall.train.offset"), m.getLong("squall.train.tokens")));
        }
    }

    private static Loaded read(GgufFile f, Path path, Model base, Path basePath) {
        GgufMetadata m = f.metadata();
        String arch = m.getString("general.architecture", "");
        if (!arch.equals(ARCHITECTURE)) {
            throw new IllegalArgumentException(path + ": not a heads file (general.architecture is '" + arch + "', expected '" + ARCHITECTURE + "'; make one with squall train-heads)");
        }
        DraftHeads.Kind kind = DraftHeads.Kind.of(m.getString("squall.heads.kind"));
        int count = m.getInt("squall.heads.count"), dim = m.getInt("squall.heads.embedding_length"), vocab = m.getInt("squall.heads.vocab_size");
        if (count < 1 || count > 16) throw new IllegalArgumentException(path + ": squall.heads.count is " + count + ", expected 1 to 16");
        String baseName = m.getString("squall.heads.base_model"), fp = m.getString("squall.heads.base_output_sha256");
        String actual = fingerprint(base);
        if (dim != base.config().embeddingSize() || vocab != base.config().vocabSize() || !fp.equals(actual)) {
            throw new IllegalArgumentException(path + ": these heads were trained for model '" + baseName + "' (dim " + dim + ", vocabulary " + vocab
                    + ", output fingerprint " + fp.substring(0, Math.min(12, fp.length())) + "…), not for " + basePath + " ('" + base.config().name() + "', dim "
                    + base.config().embeddingSize() + ", vocabulary " + base.config().vocabSize() + ", output fingerprint " + actual.substring(0, 12) + "…)");
        }
        float[][] w = new float[count][], b = new float[count][], u = new float[count][];
        for (int k = 0; k < count; k++) {
            w[k] = read(f, path, "heads." + k + ".weight", new float[dim * DraftHeads.inputs(kind, k, dim)]);
            b[k] = read(f, path, "heads." + k + ".bias", new float[dim]);
            u[k] = read(f, path, "heads." + k + ".output", new float[vocab * dim]);
        }
        float[] acc = m.findFloatArray("squall.heads.rank_accuracy").orElse(null);
        if (acc != null && acc.length != count * HeadTrainer.RANKS) {
            throw new IllegalArgumentException(path + ": squall.heads.rank_accuracy has " + acc.length + " values, expected " + count + " × " + HeadTrainer.RANKS);
        }
        float[] loss = m.findFloatArray("squall.heads.heldout_loss").orElse(null);
        Info info = new Info(baseName, fp, acc, loss, m.getLong("squall.heads.train_tokens", 0), m.getLong("squall.heads.train_steps", 0), m.getString("squall.heads.corpus", ""));
        DraftHeads heads = new DraftHeads(kind, dim, vocab, w, b, u, kind == DraftHeads.Kind.HYDRA ? embeddings(base) : null);
        return new Loaded(heads, info);
    }

    private static float[] read(GgufFile f, Path path, String name, float[] into) {
        GgufTensorInfo t = f.tensor(name).orElseThrow(() -> new IllegalArgumentException(path + ": tensor '" + name + "' is missing"));
        if (t.type() != GgmlType.F32 || t.byteSize() != 4L * into.length) {
            throw new IllegalArgumentException(path + ": tensor '" + name + "' is " + t.type() + " " + java.util.Arrays.toString(t.dims()) + ", expected F32 of " + into.length + " values");
        }
        MemorySegment.copy(f.data(t), ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, into, 0, into.length);
        return into;
    }
}
