package io.vmres.deploy.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The VMs recovered over time: an ASCII plot for the terminal, an SVG of both runs. */
final class RecoveryPlots {
    private RecoveryPlots() {}

    /** VMs recovered over time by the parallel run, the lower bound marked. */
    static String ascii(RecoveryRun r, double bound) {
        int width = 60;
        int height = 10;
        List<Double> at = r.recoveredAtSeconds();
        int total = at.size();
        double xMax = Math.max(r.recoverySeconds(), bound) * 1.05;
        int[] count = new int[width];
        for (int c = 0; c < width; c++) {
            double t = xMax * (c + 1) / width;
            int n = 0;
            for (double x : at) {
                if (x <= t) {
                    n++;
                }
            }
            count[c] = n;
        }
        int boundCol = (int) Math.min(width - 1, Math.floor(bound / xMax * width));
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "VMs recovered over time (parallel; '|' marks the lower bound, %.0f s)%n",
                        bound));
        for (int row = height; row >= 1; row--) {
            double level = (double) total * row / height;
            sb.append(String.format(Locale.ROOT, "%6d |", Math.round(level)));
            for (int c = 0; c < width; c++) {
                if (count[c] >= level - 1e-9) {
                    sb.append('#');
                } else {
                    sb.append(c == boundCol ? '|' : ' ');
                }
            }
            sb.append('\n');
        }
        sb.append("       +").append("-".repeat(width)).append('\n');
        String left = "0 s";
        String right = String.format(Locale.ROOT, "%.0f s from the failure", xMax);
        sb.append("        ")
                .append(left)
                .append(" ".repeat(Math.max(1, width - left.length() - right.length())))
                .append(right)
                .append('\n');
        return sb.toString();
    }

    /** Both runs on a logarithmic time axis, the lower bound as a dashed line. */
    static String svg(RecoveryRun parallel, RecoveryRun serial, double bound) {
        int w = 720;
        int h = 400;
        int left = 70;
        int right = 40;
        int top = 40;
        int bottom = 50;
        double xMin = 1;
        double xMax = Math.pow(10, Math.ceil(Math.log10(serial.recoverySeconds() * 1.1)));
        int total = Math.max(parallel.recoveredAtSeconds().size(), 1);
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                                + " font-family=\"sans-serif\" font-size=\"12\">%n",
                        w,
                        h));
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"22\" font-size=\"14\">VMs recovered over time after a rack loses"
                                + " power (%,d VMs)</text>%n",
                        left,
                        total));
        int pw = w - left - right;
        int ph = h - top - bottom;
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>%n",
                        left,
                        top,
                        pw,
                        ph));
        for (double d = xMin; d <= xMax * 1.0001; d *= 10) {
            double x = left + pw * Math.log10(d / xMin) / Math.log10(xMax / xMin);
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s s</text>%n",
                            x,
                            top,
                            x,
                            top + ph,
                            x,
                            top + ph + 18,
                            d >= 1000
                                    ? String.format(Locale.ROOT, "%.0e", d)
                                    : String.format("%.0f", d)));
        }
        for (int i = 0; i <= 4; i++) {
            double y = top + ph - ph * i / 4.0;
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>%n",
                            left - 6,
                            y + 4,
                            Math.round(total * i / 4.0)));
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">seconds from the failure (log"
                                + " scale)</text>%n",
                        left + pw / 2,
                        h - 10));
        double bx = left + pw * Math.log10(bound / xMin) / Math.log10(xMax / xMin);
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#555\""
                                + " stroke-dasharray=\"4 3\"/>%n",
                        bx,
                        top,
                        bx,
                        top + ph));
        curve(sb, parallel, "#1f77b4", left, top, pw, ph, xMin, xMax, total);
        curve(sb, serial, "#d62728", left, top, pw, ph, xMin, xMax, total);
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" fill=\"#1f77b4\">parallel: %.0f s</text>"
                                + "<text x=\"%d\" y=\"%d\" fill=\"#d62728\">serial: %.0f s</text>"
                                + "<text x=\"%d\" y=\"%d\" fill=\"#555\">lower bound (dashed): %.0f s</text>%n",
                        left + 10,
                        top + 18,
                        parallel.recoverySeconds(),
                        left + 10,
                        top + 34,
                        serial.recoverySeconds(),
                        left + 10,
                        top + 50,
                        bound));
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static void curve(
            StringBuilder sb,
            RecoveryRun r,
            String color,
            int left,
            int top,
            int pw,
            int ph,
            double xMin,
            double xMax,
            int total) {
        List<Double> at = new ArrayList<>(r.recoveredAtSeconds());
        at.sort(null);
        StringBuilder pts = new StringBuilder();
        double y0 = top + ph;
        pts.append(String.format(Locale.ROOT, "%d,%.1f", left, y0));
        int n = 0;
        // one point per step of a two-hundredth of the VMs keeps the file small
        int step = Math.max(1, at.size() / 200);
        for (int i = 0; i < at.size(); i++) {
            n++;
            if (n % step != 0 && i != at.size() - 1) {
                continue;
            }
            double t = Math.max(xMin, at.get(i));
            double x = left + pw * Math.log10(t / xMin) / Math.log10(xMax / xMin);
            double y = top + ph - ph * (double) n / total;
            pts.append(String.format(Locale.ROOT, " %.1f,%.1f", x, y));
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                        pts,
                        color));
    }
}
