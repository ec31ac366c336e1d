package io.vmres.deploy.bench;

import io.vmres.engine.ExecutionMode;
import io.vmres.engine.Settings;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The recovery over failures of several sizes: for a failure of N VMs, a fleet of 0.4 N hosts (25
 * VMs each) loses a rack of a tenth of them, as in {@code bench recovery}; each size is recovered
 * in parallel, beside its lower bound, and serially when that fits the budget of events.
 */
final class RecoveryScaling {
    private RecoveryScaling() {}

    /** The failure sizes of {@code bench recovery}, in VMs. */
    static final List<Integer> SIZES = List.of(100, 1_000, 10_000);

    /**
     * The serial baseline runs when its heartbeats fit this many events (the 1,000-VM failure of
     * 400 hosts is about 4.6 million, a minute of wall time).
     */
    static final long SERIAL_EVENTS = 6_000_000;

    /** One failure size: its fleet's recovery in parallel, its lower bound, serial when run. */
    record Point(int vms, int hosts, RecoveryRun parallel, RecoveryRun serial, double bound) {
        double ratio() {
            return parallel.recoverySeconds() / bound;
        }
    }

    /** Hosts of the fleet whose rack (a tenth of it, 25 VMs a host) holds {@code vms} VMs. */
    static int hostsFor(int vms) {
        if (vms < 50 || vms % 25 != 0) {
            throw new IllegalArgumentException(
                    "a failure size is a multiple of 25 VMs, at least 50: " + vms);
        }
        return vms * 10 / 25;
    }

    /** Heartbeat events of a serial recovery of {@code vms} VMs (map and restart one by one). */
    static long serialEvents(int vms) {
        double seconds = vms * 32.0 + 200;
        return Math.round(hostsFor(vms) * 2 * seconds / 5);
    }

    /**
     * Recovers each size; {@code known}, when given, is a point already measured (the main run),
     * taken as it is for its size.
     */
    static List<Point> run(
            List<Integer> sizes, long seed, long serialBudget, Point known, PrintStream console)
            throws IOException {
        Settings settings = Settings.DEFAULTS;
        List<Point> points = new ArrayList<>();
        for (int vms : sizes) {
            if (known != null && known.vms() == vms) {
                points.add(known);
                continue;
            }
            int hosts = hostsFor(vms);
            console.printf(Locale.ROOT, "scaling: a failure of %,d VMs (%,d hosts)%n", vms, hosts);
            RecoveryFleet fleet = RecoveryFleet.generate(hosts, seed);
            RecoveryRun parallel =
                    RecoveryRun.simulate(fleet, settings, ExecutionMode.PARALLEL, console, null);
            RecoveryRun serial = null;
            if (serialEvents(vms) <= serialBudget) {
                serial = RecoveryRun.simulate(fleet, settings, ExecutionMode.SERIAL, console, null);
            } else {
                console.printf(
                        Locale.ROOT,
                        "  serial: not run (about %,d events, more than %,d)%n",
                        serialEvents(vms),
                        serialBudget);
            }
            double bound = RecoveryLowerBound.of(fleet, settings, parallel).total();
            Point p = new Point(fleet.failedVms(), hosts, parallel, serial, bound);
            console.printf(
                    Locale.ROOT,
                    "  %,d VMs: parallel %.1f s (%.3fx the lower bound %.1f s)%s%n",
                    p.vms(),
                    parallel.recoverySeconds(),
                    p.ratio(),
                    bound,
                    serial == null
                            ? ""
                            : String.format(
                                    Locale.ROOT, ", serial %.1f s", serial.recoverySeconds()));
            points.add(p);
        }
        return points;
    }

    /** Recovery time and lower bound against failure size, both axes logarithmic. */
    static String svg(List<Point> points) {
        int w = 720;
        int h = 420;
        int left = 80;
        int right = 160;
        int top = 40;
        int bottom = 50;
        double xLo = Math.pow(10, Math.floor(Math.log10(minVms(points))));
        double xHi = Math.pow(10, Math.ceil(Math.log10(maxVms(points) * 1.01)));
        double yLo = 10;
        double yHi = 10;
        for (Point p : points) {
            yHi = Math.max(yHi, p.parallel().recoverySeconds());
            if (p.serial() != null) {
                yHi = Math.max(yHi, p.serial().recoverySeconds());
            }
        }
        yHi = Math.pow(10, Math.ceil(Math.log10(yHi * 1.01)));
        double fxLo = Math.log10(xLo);
        double fxSpan = Math.max(1e-9, Math.log10(xHi) - fxLo);
        double fyLo = Math.log10(yLo);
        double fySpan = Math.log10(yHi) - fyLo;
        java.util.function.DoubleUnaryOperator x =
                v -> left + (w - left - right) * (Math.log10(v) - fxLo) / fxSpan;
        java.util.function.DoubleUnaryOperator y =
                v ->
                        h
                                - bottom
                                - (h - top - bottom)
                                        * (Math.log10(Math.max(v, yLo)) - fyLo)
                                        / fySpan;
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                                + " font-family=\"sans-serif\" font-size=\"12\">%n"
                                + "<text x=\"%d\" y=\"20\" font-size=\"14\">Recovery time against"
                                + " failure size (log-log)</text>%n",
                        w,
                        h,
                        left));
        for (double v = xLo; v <= xHi * 1.001; v *= 10) {
            double px = x.applyAsDouble(v);
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%,.0f"
                                    + "</text>%n",
                            px,
                            top,
                            px,
                            h - bottom,
                            px,
                            h - bottom + 18,
                            v));
        }
        for (double v = yLo; v <= yHi * 1.001; v *= 10) {
            double py = y.applyAsDouble(v);
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%,.0f s"
                                    + "</text>%n",
                            left,
                            py,
                            w - right,
                            py,
                            left - 6,
                            py + 4,
                            v));
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">VMs failed</text>%n",
                        (left + w - right) / 2,
                        h - 12));
        series(sb, points, x, y, "#1f77b4", "", p -> p.parallel().recoverySeconds());
        series(sb, points, x, y, "#555", " stroke-dasharray=\"5 3\"", Point::bound);
        List<Point> serial = points.stream().filter(p -> p.serial() != null).toList();
        series(sb, serial, x, y, "#d62728", "", p -> p.serial().recoverySeconds());
        String[][] legend = {
            {"#1f77b4", "parallel (vmres)"}, {"#555", "lower bound"}, {"#d62728", "serial"}
        };
        for (int i = 0; i < legend.length; i++) {
            int ly = top + 20 + i * 20;
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\""
                                    + " stroke-width=\"2\"/><text x=\"%d\" y=\"%d\">%s</text>%n",
                            w - right + 10,
                            ly,
                            w - right + 30,
                            ly,
                            legend[i][0],
                            w - right + 35,
                            ly + 4,
                            legend[i][1]));
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static void series(
            StringBuilder sb,
            List<Point> points,
            java.util.function.DoubleUnaryOperator x,
            java.util.function.DoubleUnaryOperator y,
            String colour,
            String dash,
            java.util.function.ToDoubleFunction<Point> value) {
        if (points.isEmpty()) {
            return;
        }
        StringBuilder path = new StringBuilder();
        for (Point p : points) {
            double px = x.applyAsDouble(p.vms());
            double py = y.applyAsDouble(value.applyAsDouble(p));
            path.append(path.length() == 0 ? "M" : " L")
                    .append(String.format(Locale.ROOT, "%.1f %.1f", px, py));
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n",
                            px,
                            py,
                            colour));
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                        path,
                        colour,
                        dash));
    }

    private static int minVms(List<Point> points) {
        return points.stream().mapToInt(Point::vms).min().orElse(100);
    }

    private static int maxVms(List<Point> points) {
        return points.stream().mapToInt(Point::vms).max().orElse(100);
    }
}
