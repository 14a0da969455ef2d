package dev.squall.tokenizer;

/** A chat template that cannot be rendered, or that rejected the conversation with {@code raise_exception}. */
public final class ChatTemplateException extends RuntimeException {

    public ChatTemplateException(String message) {
        super(message);
    }

    public ChatTemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
