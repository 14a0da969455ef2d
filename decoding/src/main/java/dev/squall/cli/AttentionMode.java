package dev.squall.cli;

import dev.squall.graph.AttentionPolicy;
import dev.squall.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One value of {@code --attention}: {@code dense} (causal) or {@code lm-infinite[:SINKS,WINDOW]}
 * ({@link AttentionPolicy#lmInfinite}); {@code window} null stands for the model's training
 * context ({@code context_length} of its GGUF file).
 */
public record AttentionMode(boolean lmInfinite, int sinks, Integer window) {

    /**
     * Sinks when none are given: the starting tokens LM-Infinite's global branch keeps. The paper
     * keeps "a few" starting tokens (n_global, ten in its experiments); a handful suffices because
     * the first positions absorb the attention that has nowhere else to go.
     */
    public static final int DEFAULT_SINKS = 10;

    /** What the flag accepts, for messages. */
    static final String EXPECTED = "expected dense or lm-infinite[:SINKS,WINDOW]";

    /** Dense (causal) attention. */
    public static final AttentionMode DENSE = new AttentionMode(false, 0, null);

    /** Parses one mode; a bad value is an error naming {@code --attention} and the value. */
    public static AttentionMode parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("dense")) return DENSE;
        if (t.equals("lm-infinite")) return new AttentionMode(true, DEFAULT_SINKS, null);
        if (!t.startsWith("lm-infinite:")) throw new IllegalArgumentException("--attention " + text + ": unknown mode (" + EXPECTED + ")");
        String[] parts = t.substring("lm-infinite:".length()).split(",", -1);
        if (parts.length != 2) throw new IllegalArgumentException("--attention " + text + ": expected lm-infinite:SINKS,WINDOW (two counts)");
        int sinks = count(text, "SINKS", parts[0]), window = count(text, "WINDOW", parts[1]);
        if (sinks < 0) throw new IllegalArgumentException("--attention " + text + ": SINKS " + sinks + " is out of range (0 or more)");
        if (window < 1) throw new IllegalArgumentException("--attention " + text + ": WINDOW " + window + " is out of range (1 or more)");
        return new AttentionMode(true, sinks, window);
    }

    /**
     * Parses a comma-separated list of modes ({@code dense,lm-infinite:4,512}): the piece after
     * {@code lm-infinite:SINKS} is its WINDOW, so the two counts stay together.
     */
    public static List<AttentionMode> parseList(String text) {
        List<AttentionMode> modes = new ArrayList<>();
        String[] pieces = text.split(",", -1);
        for (int i = 0; i < pieces.length; i++) {
            String one = pieces[i];
            if (one.strip().toLowerCase(Locale.ROOT).startsWith("lm-infinite:") && i + 1 < pieces.length) one += "," + pieces[++i];
            modes.add(parse(one));
        }
        return modes;
    }

    private static int count(String text, String what, String digits) {
        try {
            return Integer.parseInt(digits.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--attention " + text + ": " + what + " '" + digits + "' is not a whole number");
        }
    }

    /** The window for {@code config}: the one given, or the model's training context. */
    public int window(ModelConfig config) { return window != null ? window : config.contextLength(); }

    /** The policy for a model of {@code config}. */
    public AttentionPolicy policy(ModelConfig config) {
        return lmInfinite ? AttentionPolicy.lmInfinite(sinks, window(config)) : AttentionPolicy.causal();
    }

    /** The mode as the flag would give it, with the window resolved: {@code dense} or {@code lm-infinite:10,1024}. */
    public String label(ModelConfig config) { return lmInfinite ? "lm-infinite:" + sinks + "," + window(config) : "dense"; }
}
