package dev.squall.bench.study;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The study's outputs: the tables, the two findings it checks, a JSON document and a chart.
 *
 * <p>The findings are those of the floating-point quantization scaling-law paper the study follows:
 * (1) at equal width, exponent bits are slightly more valuable than mantissa bits, tested here on
 * the mirror pairs E5M2/E2M5, E4M3/E3M4 and E2M1/E1M2 at every granularity (which of the two has
 * the lower KL); (2) finer scale blocks are better, tested per element format as KL falling from
 * blocks of 128 to 64, 32 and 16.
 */
final class StudyReport {

    private StudyReport() {}

    private static final String[] GRANULARITIES = {"16", "32", "64", "128", "row"};

    /** A finding and whether the data bear it out. */
    record Finding(String claim, boolean holds, String evidence) {}

    static Optional<QuantStudy.GridPoint> point(QuantStudy.Result r, String element, String granularity) {
        return r.grid().stream().filter(p -> p.element().equals(element) && p.granularity().equals(granularity)).findFirst();
    }

    static List<Finding> findings(QuantStudy.Result r) {
        List<Finding> out = new ArrayList<>();
        String[][] mirrors = {{"E5M2", "E2M5"}, {"E4M3", "E3M4"}, {"E2M1", "E1M2"}};
        int wins = 0, total = 0;
        List<String> lines = new ArrayList<>();
        for (String[] m : mirrors) {
            int w = 0, n = 0;
            for (String g : GRANULARITIES) {
                var a = point(r, m[0], g);
                var b = point(r, m[1], g);
                if (a.isEmpty() || b.isEmpty()) continue;
                n++;
                if (a.get().kl() < b.get().kl()) w++;
            }
            wins += w;
            total += n;
            lines.add(String.format(Locale.ROOT, "%s beats %s at %d of %d granularities", m[0], m[1], w, n));
        }
        out.add(new Finding("exponent bits are slightly more valuable than mantissa bits at equal width",
                total > 0 && 2 * wins > total, String.join("; ", lines)));

        int monotone = 0, finerBeats = 0, formats = 0;
        List<String> ratios = new ArrayList<>();
        for (var e : QuantStudy.ELEMENTS) {
            List<Double> kls = new ArrayList<>();   // blocks of 16, 32, 64, 128, as far as the matrices allow
            for (String g : new String[] {"16", "32", "64", "128"}) point(r, e.name(), g).ifPresent(p -> kls.add(p.kl()));
            if (kls.size() < 2) continue;
            formats++;
            boolean mono = true;
            for (int i = 1; i < kls.size(); i++) if (kls.get(i) < kls.get(i - 1)) mono = false;
            if (mono) monotone++;
            if (kls.getFirst() < kls.getLast()) finerBeats++;
            ratios.add(String.format(Locale.ROOT, "%s %.2g×", e.name(), kls.getLast() / kls.getFirst()));
        }
        out.add(new Finding("finer scale blocks are better", formats > 0 && finerBeats == formats && 2 * monotone > formats,
                String.format(Locale.ROOT, "KL falls monotonically as blocks shrink to 16 for %d of %d formats; the finest block beats the coarsest"
                        + " for %d of %d (KL of the coarsest over KL at 16: %s)", monotone, formats, finerBeats, formats, String.join(", ", ratios))));
        return out;
    }

    static void printTables(PrintWriter out, QuantStudy.Result r) {
        out.printf(Locale.ROOT, "%nFormat study on %s (%,d weights in matrices, %d-token seeded stream, seed %d, %d threads), %.0f s%n",
                r.modelName(), r.matrixElements(), r.settings().tokens(), r.settings().seed(), r.settings().threads(), r.seconds());
        table(out, "mean KL(unquantized ‖ quantized) per position, nats", r, QuantStudy.GridPoint::kl, "%10.2e");
        table(out, "weight NMSE over all matrices", r, QuantStudy.GridPoint::weightNmse, "%10.2e");
        table(out, "top-1 agreement with the unquantized model", r, p -> 100 * p.top1(), "%9.1f%%");
        out.printf(Locale.ROOT, "%nbits per weight: element bits + 8 / block (E8M0 scale), or + 32 / row length (FP32 scale per row, rows of %d)%n",
                r.rowLength());
        out.printf(Locale.ROOT, "%nformats with kernels, run for real (unquantized: %.1f decode tokens/s)%n", r.referenceDecodeTokensPerSecond());
        out.printf(Locale.ROOT, "%-11s %10s %11s %11s %9s %12s%n", "format", "bits/wt", "weight NMSE", "KL", "top-1", "decode tok/s");
        for (QuantStudy.KernelPoint k : r.kernels()) {
            out.printf(Locale.ROOT, "%-11s %10.3f %11.2e %11.2e %8.1f%% %12.1f%n", k.format(), k.bitsPerWeight(), k.weightNmse(), k.kl(),
                    100 * k.top1(), k.decodeTokensPerSecond());
        }
        out.println();
        for (Finding f : findings(r)) out.printf("%s: %s (%s)%n", f.holds() ? "HOLDS" : "DOES NOT HOLD", f.claim(), f.evidence());
        out.println("(the sample models' weights are seeded Gaussians, not trained: no outliers, a narrow dynamic range per block)");
        out.flush();
    }

    private static void table(PrintWriter out, String title, QuantStudy.Result r, java.util.function.ToDoubleFunction<QuantStudy.GridPoint> v,
                              String cell) {
        out.printf(Locale.ROOT, "%n%s%n%-6s", title, "");
        for (String g : GRANULARITIES) out.printf(Locale.ROOT, "%10s", g.equals("row") ? "per row" : "block " + g);
        out.println();
        for (var e : QuantStudy.ELEMENTS) {
            out.printf(Locale.ROOT, "%-6s", e.name());
            for (String g : GRANULARITIES) {
                var p = point(r, e.name(), g);
                out.printf(Locale.ROOT, p.isPresent() ? cell : "%10s", p.isPresent() ? v.applyAsDouble(p.get()) : "-");
            }
            out.println();
        }
    }

    static void writeJson(Path file, QuantStudy.Result r) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("date", LocalDate.now().toString());
        doc.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(), "os", System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                "java", Runtime.version().toString()));
        doc.put("model", r.settings().model().toString());
        doc.put("modelName", r.modelName());
        doc.put("matrixElements", r.matrixElements());
        doc.put("tokens", r.settings().tokens());
        doc.put("seed", r.settings().seed());
        doc.put("threads", r.settings().threads());
        doc.put("decodeTokens", r.settings().decodeTokens());
        doc.put("seconds", r.seconds());
        doc.put("referenceDecodeTokensPerSecond", r.referenceDecodeTokensPerSecond());
        doc.put("grid", r.grid());
        doc.put("kernels", r.kernels());
        doc.put("findings", findings(r));
        try {
            if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), doc);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0x2ca02c), new Color(0x9467bd), new Color(0x8c564b),
            new Color(0xd62728), new Color(0xff7f0e), new Color(0xe377c2)};

    /** Left: KL against bits per weight (every grid point, and the kernel formats); right: weight NMSE against block size. */
    static void chart(Path file, QuantStudy.Result r) {
        System.setProperty("java.awt.headless", "true");
        String when = LocalDate.now() + ", " + Runtime.getRuntime().availableProcessors() + " cores";
        XYChart kl = new XYChartBuilder().width(760).height(560)
                .title("KL vs bits per weight, " + r.modelName() + " (" + when + ")").xAxisTitle("bits per weight (scales included)")
                .yAxisTitle("mean KL to the unquantized model (nats)").build();
        XYChart nmse = new XYChartBuilder().width(760).height(560)
                .title("Weight NMSE per element format and block size").xAxisTitle("elements per scale (per row plotted at the row length)")
                .yAxisTitle("weight NMSE").build();
        for (XYChart c : List.of(kl, nmse)) {
            c.getStyler().setYAxisLogarithmic(true);
            c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
            c.getStyler().setMarkerSize(7);
        }
        nmse.getStyler().setXAxisLogarithmic(true);
        kl.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        int i = 0;
        for (var e : QuantStudy.ELEMENTS) {
            List<Double> bits = new ArrayList<>(), kls = new ArrayList<>(), blocks = new ArrayList<>(), errs = new ArrayList<>();
            for (String g : GRANULARITIES) {
                var p = point(r, e.name(), g);
                if (p.isEmpty()) continue;
                bits.add(p.get().bitsPerWeight());
                kls.add(Math.max(p.get().kl(), 1e-12));
                blocks.add(g.equals("row") ? (double) r.rowLength() : Double.parseDouble(g));
                errs.add(p.get().weightNmse());
            }
            Color c = COLORS[i++ % COLORS.length];
            XYSeries k = kl.addSeries(e.name(), bits, kls);
            k.setMarker(e.bits() == 8 ? SeriesMarkers.CIRCLE : SeriesMarkers.DIAMOND);
            k.setMarkerColor(c);
            XYSeries s = nmse.addSeries(e.name(), blocks, errs);
            s.setMarker(e.bits() == 8 ? SeriesMarkers.CIRCLE : SeriesMarkers.DIAMOND);
            s.setMarkerColor(c);
            s.setLineColor(c);
        }
        var markers = List.of(SeriesMarkers.CROSS, SeriesMarkers.SQUARE, SeriesMarkers.TRIANGLE_UP, SeriesMarkers.TRIANGLE_DOWN,
                SeriesMarkers.OVAL, SeriesMarkers.RECTANGLE, SeriesMarkers.PLUS, SeriesMarkers.TRAPEZOID);
        int m = 0;
        for (QuantStudy.KernelPoint k : r.kernels()) {
            XYSeries s = kl.addSeries(k.format() + " (kernel)", List.of(k.bitsPerWeight()), List.of(Math.max(k.kl(), 1e-12)));
            s.setMarker(markers.get(m++ % markers.size()));
            s.setMarkerColor(Color.BLACK);
        }
        try {
            if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
            BitmapEncoder.saveBitmap(List.of(kl, nmse), 1, 2, file.toString().replaceAll("\\.png$", ""), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the chart " + file, e);
        }
    }
}
