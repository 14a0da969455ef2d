package dev.squall.validation;

/** The outcome of one validation case. */
public enum Status {
    PASS,
    FAIL,
    /** The device lacks the operator or format: reported, not a failure. */
    UNSUPPORTED
}
