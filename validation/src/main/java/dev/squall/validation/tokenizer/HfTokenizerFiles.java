package dev.squall.validation.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The Hugging Face files a vocabulary is converted from, as parsed JSON: {@code tokenizer.json}
 * (required), {@code tokenizer_config.json} and the model's {@code config.json} (each
 * {@link MissingNode} when absent).
 *
 * @param source where the files came from, for messages
 */
public record HfTokenizerFiles(String source, JsonNode tokenizer, JsonNode tokenizerConfig, JsonNode config) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public HfTokenizerFiles {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(tokenizer, "tokenizer.json");
        tokenizerConfig = tokenizerConfig == null ? MissingNode.getInstance() : tokenizerConfig;
        config = config == null ? MissingNode.getInstance() : config;
    }

    /** Reads {@code tokenizer.json}, and {@code tokenizer_config.json} and {@code config.json} when present, from {@code folder}. */
    public static HfTokenizerFiles read(Path folder) {
        Path tokenizer = folder.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizer)) throw new IllegalArgumentException(tokenizer + " is missing");
        return new HfTokenizerFiles(folder.toString(), parse(tokenizer), parseIfPresent(folder.resolve("tokenizer_config.json")),
                parseIfPresent(folder.resolve("config.json")));
    }

    /** The same tokenizer files with another model {@code config.json}. */
    public HfTokenizerFiles withConfig(JsonNode modelConfig) {
        return new HfTokenizerFiles(source, tokenizer, tokenizerConfig, modelConfig);
    }

    /** Parses JSON text (for tests and hand-made configs). */
    public static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
    }

    private static JsonNode parseIfPresent(Path file) {
        return Files.isRegularFile(file) ? parse(file) : MissingNode.getInstance();
    }

    private static JsonNode parse(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " as JSON", e);
        }
    }
}
