package dev.squall.gguf;

/**
 * A GGUF file that cannot be read or written as asked: malformed bytes, an unsupported version, a
 * missing or mistyped metadata key, an I/O failure.
 *
 * <p>The message is one line that names the file, the field (header field, metadata key, tensor)
 * and the value seen against the value expected, e.g.
 * {@code model.gguf: tensor 'blk.0.attn_q.weight': data [1234, 5678) extends past the end of the
 * file (4096 bytes)}.
 */
public final class GgufException extends RuntimeException {

    public GgufException(String message) {
        super(message);
    }

    public GgufException(String message, Throwable cause) {
        super(message, cause);
    }
}
