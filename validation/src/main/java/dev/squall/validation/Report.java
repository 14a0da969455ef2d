package dev.squall.validation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The suite's table (one line per case, then counts) and its JSON report. */
public final class Report {

    private Report() {}

    public static String line(CaseResult r) {
        return String.format(Locale.ROOT, "%-11s %-9s %-12s %-58s %s%s", r.status(), r.group(), r.device(), r.name(),
                r.measure(), r.detail().isEmpty() ? "" : "  (" + r.detail() + ")");
    }

    public static String header() {
        return String.format(Locale.ROOT, "%-11s %-9s %-12s %-58s %s", "STATUS", "GROUP", "DEVICE", "CASE", "MEASURE");
    }

    /** Counts per group and status. */
    public static Map<String, Map<Status, Integer>> summary(List<CaseResult> results) {
        Map<String, Map<Status, Integer>> s = new TreeMap<>();
        for (CaseResult r : results) s.computeIfAbsent(r.group(), g -> new EnumMap<>(Status.class)).merge(r.status(), 1, Integer::sum);
        return s;
    }

    public static void printSummary(PrintWriter out, List<CaseResult> results) {
        out.println();
        for (var e : summary(results).entrySet()) {
            Map<Status, Integer> c = e.getValue();
            out.printf(Locale.ROOT, "%-10s %4d pass  %4d fail  %4d unsupported%n", e.getKey(),
                    c.getOrDefault(Status.PASS, 0), c.getOrDefault(Status.FAIL, 0), c.getOrDefault(Status.UNSUPPORTED, 0));
        }
    }

    public static void writeJson(Path file, List<CaseResult> results, Filter filter, List<String> devices) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("date", ZonedDateTime.now().toString());
        doc.put("machine", Map.of("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                "cores", Runtime.getRuntime().availableProcessors(), "java", Runtime.version().toString()));
        doc.put("devices", devices);
        doc.put("filter", filter);
        doc.put("summary", summary(results));
        doc.put("results", results);
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), doc);
    }
}
