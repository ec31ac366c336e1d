package io.vmres.deploy.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Self-contained SVG plots for the bench's report (no scripts, no external fonts): a bar chart with
 * a target line, a line or scatter plot of series, the cumulative distribution of samples.
 */
public final class SvgPlot {
    private static final int W = 720;
    private static final int H = 400;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 44;
    private static final int BOTTOM = 56;
    private static final String[] COLORS = {
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"
    };

    private SvgPlot() {}

    /** A named bar. */
    public record Bar(String label, double value) {}

    /** A named series of points, drawn as a line or as dots. */
    public record Series(String name, List<double[]> points) {}

    /** Bars side by side, a dashed line at {@code target} (NaN: none). */
    public static String bars(String title, String yLabel, List<Bar> bars, double target) {
        double max = Double.isNaN(target) ? 0 : target;
        for (Bar b : bars) {
            max = Math.max(max, b.value());
        }
        double yMax = niceCeil(max * 1.1);
        StringBuilder sb = open(title);
        frame(sb, "", yLabel, 0, 1, 0, yMax, false);
        int pw = W - LEFT - RIGHT;
        int n = Math.max(1, bars.size());
        double slot = pw / (double) n;
        for (int i = 0; i < bars.size(); i++) {
            Bar b = bars.get(i);
            double bw = slot * 0.6;
            double x = LEFT + slot * i + (slot - bw) / 2;
            double y = y(b.value(), 0, yMax);
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>%n",
                            x,
                            y,
                            bw,
                            H - BOTTOM - y,
                            COLORS[i % COLORS.length]));
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n",
                            x + bw / 2,
                            y - 4,
                            esc(BenchResult.format(b.value()))));
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                            x + bw / 2,
                            H - BOTTOM + 18,
                            esc(b.label())));
        }
        if (!Double.isNaN(target)) {
            double ty = y(target, 0, yMax);
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#555\""
                                    + " stroke-dasharray=\"6 4\"/>"
                                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">"
                                    + "target %s</text>%n",
                            LEFT,
                            ty,
                            W - RIGHT,
                            ty,
                            W - RIGHT - 4,
                            ty - 4,
                            esc(BenchResult.format(target))));
        }
        return close(sb);
    }

    /** Series as lines ({@code dots} false) or dots, on linear axes from zero. */
    public static String lines(
            String title, String xLabel, String yLabel, List<Series> series, boolean dots) {
        double xMax = 0;
        double yMax = 0;
        for (Series s : series) {
            for (double[] p : s.points()) {
                xMax = Math.max(xMax, p[0]);
                yMax = Math.max(yMax, p[1]);
            }
        }
        xMax = niceCeil(xMax);
        yMax = niceCeil(yMax * 1.05);
        StringBuilder sb = open(title);
        frame(sb, xLabel, yLabel, 0, xMax, 0, yMax, true);
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            String color = COLORS[i % COLORS.length];
            if (dots) {
                for (double[] p : s.points()) {
                    sb.append(
                            String.format(
                                    Locale.ROOT,
                                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>%n",
                                    x(p[0], 0, xMax),
                                    y(p[1], 0, yMax),
                                    color));
                }
            } else {
                StringBuilder pts = new StringBuilder();
                for (double[] p : s.points()) {
                    pts.append(
                            String.format(
                                    Locale.ROOT, "%.1f,%.1f ", x(p[0], 0, xMax), y(p[1], 0, yMax)));
                }
                sb.append(
                        String.format(
                                Locale.ROOT,
                                "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\""
                                        + " stroke-width=\"2\"/>%n",
                                pts.toString().trim(),
                                color));
            }
            legend(sb, i, s.name(), color);
        }
        return close(sb);
    }

    /** The cumulative distribution of each series' samples (x: the value, y: share at most x). */
    public static String cdf(String title, String xLabel, List<Series> samples) {
        List<Series> curves = new ArrayList<>();
        for (Series s : samples) {
            double[] v = s.points().stream().mapToDouble(p -> p[0]).sorted().toArray();
            List<double[]> pts = new ArrayList<>();
            // a step per sample, at most 400 points: the file stays small
            int step = Math.max(1, v.length / 400);
            for (int i = 0; i < v.length; i += step) {
                pts.add(new double[] {v[i], 100.0 * (i + 1) / v.length});
            }
            if (v.length > 0) {
                pts.add(new double[] {v[v.length - 1], 100});
            }
            curves.add(new Series(s.name(), pts));
        }
        return lines(title, xLabel, "% of samples at most x", curves, false);
    }

    private static StringBuilder open(String title) {
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\""
                                + " font-size=\"12\">%n",
                        W,
                        H,
                        W,
                        H));
        sb.append(
                String.format(
                        Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>%n", W, H));
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"24\" font-size=\"14\">%s</text>%n",
                        LEFT,
                        esc(title)));
        return sb;
    }

    private static String close(StringBuilder sb) {
        return sb.append("</svg>\n").toString();
    }

    private static void frame(
            StringBuilder sb,
            String xLabel,
            String yLabel,
            double xMin,
            double xMax,
            double yMin,
            double yMax,
            boolean xTicks) {
        int pw = W - LEFT - RIGHT;
        int ph = H - TOP - BOTTOM;
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\""
                                + " stroke=\"#888\"/>%n",
                        LEFT,
                        TOP,
                        pw,
                        ph));
        for (int i = 0; i <= 4; i++) {
            double v = yMin + (yMax - yMin) * i / 4;
            double y = y(v, yMin, yMax);
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                            LEFT,
                            y,
                            LEFT + pw,
                            y,
                            LEFT - 6,
                            y + 4,
                            esc(BenchResult.format(round3(v)))));
            if (xTicks) {
                double xv = xMin + (xMax - xMin) * i / 4;
                sb.append(
                        String.format(
                                Locale.ROOT,
                                "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                                x(xv, xMin, xMax),
                                H - BOTTOM + 18,
                                esc(BenchResult.format(round3(xv)))));
            }
        }
        if (!xLabel.isEmpty()) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                            LEFT + pw / 2,
                            H - 12,
                            esc(xLabel)));
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"16\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 16"
                                + " %d)\">%s</text>%n",
                        TOP + ph / 2,
                        TOP + ph / 2,
                        esc(yLabel)));
    }

    private static void legend(StringBuilder sb, int i, String name, String color) {
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>%n",
                        LEFT + 10,
                        TOP + 18 + 16 * i,
                        color,
                        esc(name)));
    }

    private static double x(double v, double min, double max) {
        return LEFT + (W - LEFT - RIGHT) * (v - min) / Math.max(max - min, 1e-12);
    }

    private static double y(double v, double min, double max) {
        return H - BOTTOM - (H - TOP - BOTTOM) * (v - min) / Math.max(max - min, 1e-12);
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** The next of 1, 2, 5 times a power of ten at or above {@code v} (1 for nothing). */
    static double niceCeil(double v) {
        if (!(v > 0)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v * (1 - 1e-12)) {
                return m * p;
            }
        }
        return 10 * p;
    }

    /** Text for XML: the five characters that must be escaped. */
    static String esc(String s) {
        return s.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;")
                .replace("'", "&apos;");
    }
}
