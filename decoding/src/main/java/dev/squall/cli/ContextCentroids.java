package dev.squall.cli;

/** The value of {@code --centroids}: a percentage of a context's tokens ({@code 5%}) or a count ({@code 256}). */
public final class ContextCentroids {

    private ContextCentroids() {}

    /** {@code 5%} → 0.05 (a fraction below 1); {@code 300} → 300 (a count); 100% → just under 1, every key its own cluster. */
    public static double parse(String s) {
        try {
            boolean percent = s.endsWith("%");
            double v = percent ? Double.parseDouble(s.substring(0, s.length() - 1)) / 100 : Double.parseDouble(s);
            if (percent ? !(v > 0 && v <= 1) : !(v >= 1 && v == Math.rint(v))) throw new NumberFormatException();
            return percent && v == 1 ? Math.nextDown(1.0) : v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--centroids " + s + ": expected a percentage in (0%, 100%] such as 5%, or a whole count such as 256");
        }
    }
}
