package dev.squall.tokenizer;

import java.util.Objects;

/**
 * One turn of a conversation as chat templates see it: {@code message.role} and
 * {@code message.content} (also {@code message['role']}).
 *
 * @param role {@code "system"}, {@code "user"}, {@code "assistant"} or {@code "tool"}
 * @param content the text of the turn
 */
public record ChatMessage(String role, String content) {

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }
}
