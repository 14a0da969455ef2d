package dev.squall.cli;

import dev.squall.model.Model;
import dev.squall.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.Arrays;

/** Checks that two models share a vocabulary (a draft drafts token ids the target reads). */
final class Vocabularies {

    private Vocabularies() {}

    static void requireSame(Model target, Path targetFile, Model draft, Path draftFile) {
        Tokenizer a = target.tokenizer(), b = draft.tokenizer();
        if (a.vocabSize() != b.vocabSize()) {
            throw new IllegalArgumentException("--draft " + draftFile + ": its vocabulary has " + b.vocabSize() + " tokens, the model "
                    + targetFile.getFileName() + " has " + a.vocabSize() + "; a draft model needs the same vocabulary");
        }
        for (int id = 0; id < a.vocabSize(); id++) {
            if (!Arrays.equals(a.tokenBytes(id, true), b.tokenBytes(id, true))) {
                throw new IllegalArgumentException("--draft " + draftFile + ": token " + id + " differs from the model's ('"
                        + new String(b.tokenBytes(id, true), java.nio.charset.StandardCharsets.UTF_8) + "' vs '"
                        + new String(a.tokenBytes(id, true), java.nio.charset.StandardCharsets.UTF_8) + "'); a draft model needs the same vocabulary");
            }
        }
    }
}
