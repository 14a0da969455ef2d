package dev.squall.validation;

/**
 * What one case found.
 *
 * @param measure  the number judged, e.g. {@code NMSE 3.1e-12 ≤ 2.7e-10} or {@code 2000/2000 lines}
 * @param detail   why it failed or is unsupported, or extra figures worth keeping; may be empty
 */
public record CaseResult(String group, String name, String device, String subject, Status status, String measure,
                         String detail, double seconds) {

    public static CaseResult of(ValidationCase c, Status status, String measure, String detail, double seconds) {
        return new CaseResult(c.group(), c.name(), c.device(), c.subject(), status, measure, detail, seconds);
    }
}
