package dev.squall.generation;

/** Why generation ended. */
public enum StopReason {
    /** The model produced an end-of-generation token (EOS, EOT, …). */
    END_OF_GENERATION,
    /** A stop string appeared in the text. */
    STOP_STRING,
    /** The token budget was spent. */
    TOKEN_BUDGET,
    /** The sequence filled the context. */
    CONTEXT_FULL
}
