package dev.squall.model;

import dev.squall.gguf.GgufMetadata;
import dev.squall.tokenizer.Vocabulary;

/** Reads and writes a {@link Vocabulary} as the {@code tokenizer.*} keys of GGUF metadata. */
public final class VocabularyKeys {

    private VocabularyKeys() {}

    public static Vocabulary read(GgufMetadata md) {
        String model = md.getString("tokenizer.ggml.model");
        String[] tokens = md.getStringArray("tokenizer.ggml.tokens");
        Vocabulary.Builder b = Vocabulary.builder(model, tokens);
        md.findString("tokenizer.ggml.pre").ifPresent(b::pre);
        md.findFloatArray("tokenizer.ggml.scores").ifPresent(b::scores);
        md.findIntArray("tokenizer.ggml.token_type").ifPresent(b::tokenTypes);
        md.findStringArray("tokenizer.ggml.merges").ifPresent(b::merges);
        md.findInt("tokenizer.ggml.bos_token_id").ifPresent(b::bos);
        md.findInt("tokenizer.ggml.eos_token_id").ifPresent(b::eos);
        md.findInt("tokenizer.ggml.unknown_token_id").ifPresent(b::unk);
        md.findInt("tokenizer.ggml.padding_token_id").ifPresent(b::pad);
        md.findInt("tokenizer.ggml.eot_token_id").ifPresent(b::eot);
        md.findInt("tokenizer.ggml.eom_token_id").ifPresent(b::eom);
        md.findBool("tokenizer.ggml.add_bos_token").ifPresent(b::addBos);
        md.findBool("tokenizer.ggml.add_eos_token").ifPresent(b::addEos);
        md.findBool("tokenizer.ggml.add_space_prefix").ifPresent(b::addSpacePrefix);
        md.findString("tokenizer.chat_template").ifPresent(b::chatTemplate);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(md.source() + ": " + e.getMessage(), e);
        }
    }

    public static void write(Vocabulary v, GgufMetadata.Builder md) {
        md.putString("tokenizer.ggml.model", v.model());
        if (v.pre() != null) md.putString("tokenizer.ggml.pre", v.pre());
        md.putStringArray("tokenizer.ggml.tokens", v.tokens());
        if (v.scores() != null) md.putFloat32Array("tokenizer.ggml.scores", v.scores());
        if (v.tokenTypes() != null) md.putInt32Array("tokenizer.ggml.token_type", v.tokenTypes());
        if (v.merges() != null) md.putStringArray("tokenizer.ggml.merges", v.merges());
        if (v.bos() >= 0) md.putUint32("tokenizer.ggml.bos_token_id", v.bos());
        if (v.eos() >= 0) md.putUint32("tokenizer.ggml.eos_token_id", v.eos());
        if (v.unk() >= 0) md.putUint32("tokenizer.ggml.unknown_token_id", v.unk());
        if (v.pad() >= 0) md.putUint32("tokenizer.ggml.padding_token_id", v.pad());
        if (v.eot() >= 0) md.putUint32("tokenizer.ggml.eot_token_id", v.eot());
        if (v.eom() >= 0) md.putUint32("tokenizer.ggml.eom_token_id", v.eom());
        md.putBool("tokenizer.ggml.add_bos_token", v.addBos());
        md.putBool("tokenizer.ggml.add_eos_token", v.addEos());
        if (v.model().equals(Vocabulary.MODEL_SPM)) md.putBool("tokenizer.ggml.add_space_prefix", v.addSpacePrefix());
        if (v.chatTemplate() != null) md.putString("tokenizer.chat_template", v.chatTemplate());
    }
}
