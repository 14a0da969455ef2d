package dev.squall.bench;

import java.awt.Color;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;

/** The bench table and chart. */
final class BenchReport {

    private BenchReport() {}

    static void printTable(PrintWriter out, List<BenchCommand.Row> rows, int threads, int prefill, int decode,
                           double bandwidth, String device, boolean noLlama) {
        out.printf(Locale.ROOT, "%nSquall (%s) vs llama.cpp, %d threads, prefill %d tokens, decode %d tokens, medians; read bandwidth %.1f GB/s%n%n",
                device, threads, prefill, decode, bandwidth);
        out.printf(Locale.ROOT, "%-28s %-24s %7s | %9s %9s %6s | %9s %9s %6s | %8s %9s %7s %7s%n", "model", "weights", "load s",
                "prefill", "llama", "ratio", "decode", "llama", "ratio", "MB/tok", "ceiling", "squall", "llama");
        for (BenchCommand.Row r : rows) {
            out.printf(Locale.ROOT, "%-28s %-24s %7.2f | %9.1f %9s %6s | %9.1f %9s %6s | %8.1f %9.1f %6.0f%% %7s%n",
                    r.model(), r.formats(), r.loadSeconds(),
                    r.squallPrefillMedian(), noLlama ? "-" : fmt(r.llamaPrefillMedian()), noLlama ? "-" : ratio(r.squallPrefillMedian(), r.llamaPrefillMedian()),
                    r.squallDecodeMedian(), noLlama ? "-" : fmt(r.llamaDecodeMedian()), noLlama ? "-" : ratio(r.squallDecodeMedian(), r.llamaDecodeMedian()),
                    r.squallRoofline().bytesPerToken() / 1e6, r.squallRoofline().ceiling(), 100 * r.squallRoofline().fraction(r.squallDecodeMedian()),
                    noLlama ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * r.llamaRoofline().fraction(r.llamaDecodeMedian())));
        }
        out.println();
        out.println("ratio = Squall / llama.cpp; ceiling = bandwidth / bytes read per decoded token (weights + KV cache);");
        out.println("squall/llama = decode tokens/s as a share of that ceiling.");
        out.flush();
    }

    private static String fmt(double v) { return String.format(Locale.ROOT, "%.1f", v); }

    private static String ratio(double a, double b) { return String.format(Locale.ROOT, "%.2f×", a / b); }

    /** Decode tokens/s per model for Squall and llama.cpp, with each model's bandwidth ceiling. */
    static void chart(List<BenchCommand.Row> rows, Path file, String device, int threads, boolean noLlama) {
        System.setProperty("java.awt.headless", "true");
        CategoryChart chart = new CategoryChartBuilder().width(900).height(500)
                .title("Decode tokens/s (" + threads + " threads) and the bandwidth roofline")
                .xAxisTitle("model").yAxisTitle("tokens/s").build();
        chart.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Bar);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Horizontal);
        List<String> names = new ArrayList<>();
        List<Double> squall = new ArrayList<>(), llama = new ArrayList<>(), ceiling = new ArrayList<>();
        for (BenchCommand.Row r : rows) {
            names.add(r.model().replace(".gguf", ""));
            squall.add(r.squallDecodeMedian());
            llama.add(noLlama ? 0 : r.llamaDecodeMedian());
            ceiling.add(r.squallRoofline().ceiling());
        }
        chart.addSeries("Squall (" + device + ")", names, squall).setFillColor(new Color(0x2a6fdb));
        if (!noLlama) chart.addSeries("llama.cpp", names, llama).setFillColor(new Color(0xe07b39));
        chart.addSeries("roofline: bandwidth ÷ bytes per token", names, ceiling).setFillColor(new Color(0xb0b0b0));
        try {
            if (file.getParent() != null) Files.createDirectories(file.getParent());
            BitmapEncoder.saveBitmap(chart, file.toString().replaceAll("\\.png$", ""), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the chart " + file, e);
        }
    }
}
