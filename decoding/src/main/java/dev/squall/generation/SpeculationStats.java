package dev.squall.generation;

import java.util.Locale;

/**
 * What a decoder's guesses achieved: target forward calls that verified (each commits the
 * accepted guesses plus one token of its own), tokens drafted and accepted, and where the time
 * went (drafting, verifying).
 */
public final class SpeculationStats {

    private long verifications, drafted, accepted, committed;
    private long draftNanos, draftForwards;
    private String lossy;

    /** Marks the output as not lossless ({@code how}: e.g. "typical acceptance"); the metrics line says so. */
    public void lossy(String how) { this.lossy = how; }

    /** How the output departs from plain decoding, or null when lossless. */
    public String lossy() { return lossy; }

    /** One verification that checked {@code drafted} guesses, kept {@code accepted} of them and committed {@code committed} tokens. */
    public void verified(int drafted, int accepted, int committed) {
        verifications++;
        this.drafted += drafted;
        this.accepted += accepted;
        this.committed += committed;
    }

    /** Time spent drafting, and the draft's own forward calls. */
    public void drafting(long nanos, int forwards) {
        draftNanos += nanos;
        draftForwards += forwards;
    }

    public long verifications() { return verifications; }

    public long drafted() { return drafted; }

    public long accepted() { return accepted; }

    public long committed() { return committed; }

    public long draftNanos() { return draftNanos; }

    public long draftForwards() { return draftForwards; }

    /** τ: tokens committed per verifying forward call. */
    public double tau() { return verifications == 0 ? 0 : committed / (double) verifications; }

    /** Target forward calls per committed token. */
    public double forwardsPerToken() { return committed == 0 ? 0 : verifications / (double) committed; }

    /** The metrics line of {@code generate --speculate}. */
    public String line(String algorithm) {
        return String.format(Locale.ROOT, "speculate %s: tau=%.2f forwards/token=%.3f accepted=%d/%d drafted", algorithm, tau(),
                forwardsPerToken(), accepted, drafted) + (lossy == null ? "" : " (" + lossy + ": lossy, output differs from plain decoding)");
    }
}
