package dev.squall.validation;

/**
 * One check of the suite. {@link #run} decides PASS, FAIL or UNSUPPORTED and says what it
 * measured; an exception it throws is reported as a FAIL naming the exception.
 */
public interface ValidationCase {

    /** op, model, tokenizer or invariant. */
    String group();

    /** What the case checks, unique in the suite, e.g. {@code matmul Q4_K rows=33 k=256 tokens=5}. */
    String name();

    /** The device the case runs on ({@code java}, {@code tornado:0:0}), or {@code -} when no device is involved. */
    String device();

    /** What the filters match: the operator (op cases) or the model / vocabulary (other groups). */
    String subject();

    /** Runs the case; returns its status and the measure it was judged by. */
    Outcome run(Context context) throws Exception;

    /** A case's verdict before the suite adds names and timing. */
    record Outcome(Status status, String measure, String detail) {
        public static Outcome pass(String measure) { return new Outcome(Status.PASS, measure, ""); }
        public static Outcome fail(String measure, String detail) { return new Outcome(Status.FAIL, measure, detail); }
        public static Outcome unsupported(String why) { return new Outcome(Status.UNSUPPORTED, "-", why); }
        public static Outcome judge(boolean ok, String measure, String detail) { return new Outcome(ok ? Status.PASS : Status.FAIL, measure, ok ? "" : detail); }
    }
}
