package io.vmres.deploy.shadow;

import io.vmres.deploy.shadow.ShadowReport.HostFigure;
import io.vmres.deploy.shadow.ShadowReport.Incident;
import io.vmres.deploy.shadow.ShadowReport.Report;
import io.vmres.deploy.shadow.ShadowReport.VmFigure;
import io.vmres.engine.Times;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The shadow report for people: a section per incident, with its plot of VMs back over time. */
final class ShadowMarkdown {
    private ShadowMarkdown() {}

    static String of(Report r, Path dir) throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("# vmres beside ").append(r.incumbent()).append("\n\n");
        b.append(
                String.format(
                        Locale.ROOT,
                        "%d incident%s.%n%n",
                        r.incidents().size(),
                        r.incidents().size() == 1 ? "" : "s"));
        if (!r.skippedLines().isEmpty()) {
            b.append(
                    String.format(
                            Locale.ROOT,
                            "%d line(s) of the incumbent's file could not be read:%n%n",
                            r.skippedLines().size()));
            r.skippedLines().forEach(s -> b.append("- `").append(s).append("`\n"));
            b.append('\n');
        }
        for (Incident i : r.incidents()) {
            b.append("## ")
                    .append(i.id())
                    .append(": ")
                    .append(String.join(", ", i.hosts()))
                    .append("\n\n");
            if (i.failureStart() != null) {
                b.append("Failure start (last heartbeat): ")
                        .append(Times.format(i.failureStart()))
                        .append("\n\n");
            }
            b.append("| host | vmres declared | incumbent declared | first | by | false alarm |\n");
            b.append("|---|---|---|---|---|---|\n");
            for (HostFigure h : i.declarations()) {
                b.append(
                        String.format(
                                Locale.ROOT,
                                "| %s | %s | %s | %s | %s | %s |%n",
                                h.host(),
                                at(h.vmresDeclared(), i),
                                at(h.incumbentDeclared(), i),
                                h.first(),
                                h.leadS() == null
                                        ? "-"
                                        : String.format(Locale.ROOT, "%.1f s", h.leadS()),
                                h.vmresFalseAlarm() && h.incumbentFalseAlarm()
                                        ? "both"
                                        : h.vmresFalseAlarm()
                                                ? "vmres"
                                                : h.incumbentFalseAlarm() ? "incumbent" : "no"));
            }
            b.append(
                    String.format(
                            Locale.ROOT,
                            "%nRecovery time: vmres %s, incumbent %s.%n%n",
                            seconds(i.vmresRecoveryS()),
                            seconds(i.incumbentRecoveryS())));
            if (!i.notBroughtBackByIncumbent().isEmpty()) {
                b.append("Never brought back by the incumbent: ")
                        .append(String.join(", ", i.notBroughtBackByIncumbent()))
                        .append("\n\n");
            }
            if (!i.notBroughtBackByVmres().isEmpty()) {
                b.append("Never brought back by vmres: ")
                        .append(String.join(", ", i.notBroughtBackByVmres()))
                        .append("\n\n");
            }
            if (!i.vms().isEmpty()) {
                String svg = i.id().replaceAll("[^A-Za-z0-9._-]", "_") + ".svg";
                Files.writeString(dir.resolve(svg), svg(i), StandardCharsets.UTF_8);
                b.append("![VMs back over time](").append(svg).append(")\n\n");
                b.append(
                        "| VM | from | vmres target | up | incumbent target | up | vmres refuses | incumbent refuses |\n");
                b.append("|---|---|---|---|---|---|---|---|\n");
                for (VmFigure v : i.vms()) {
                    b.append(
                            String.format(
                                    Locale.ROOT,
                                    "| %s | %s | %s | %s | %s | %s | %s | %s |%n",
                                    v.vm(),
                                    v.from(),
                                    dash(v.vmresTarget()),
                                    at(v.vmresUp(), i),
                                    dash(v.incumbentTarget()),
                                    at(v.incumbentUp(), i),
                                    dash(v.vmresWouldRefuse()),
                                    dash(v.incumbentWouldRefuse())));
                }
                b.append('\n');
            }
        }
        return b.toString();
    }

    private static String dash(String s) {
        return s == null ? "-" : s;
    }

    private static String seconds(Double s) {
        return s == null ? "none" : String.format(Locale.ROOT, "%.1f s", s);
    }

    /** An instant as seconds after the failure start, or the timestamp without one. */
    private static String at(Long t, Incident i) {
        if (t == null) {
            return "-";
        }
        return i.failureStart() == null
                ? Times.format(t)
                : String.format(Locale.ROOT, "+%.1f s", (t - i.failureStart()) / 1000.0);
    }

    /** VMs back over seconds since the failure start: vmres and the incumbent as steps. */
    static String svg(Incident i) {
        long start = i.failureStart() == null ? 0 : i.failureStart();
        List<Long> v = new ArrayList<>();
        List<Long> n = new ArrayList<>();
        for (VmFigure f : i.vms()) {
            if (f.vmresUp() != null) {
                v.add(f.vmresUp() - start);
            }
            if (f.incumbentUp() != null) {
                n.add(f.incumbentUp() - start);
            }
        }
        v.sort(null);
        n.sort(null);
        long maxT = 1000;
        for (long t : v) maxT = Math.max(maxT, t);
        for (long t : n) maxT = Math.max(maxT, t);
        maxT = maxT * 11 / 10;
        int total = Math.max(1, i.vms().size());
        int w = 640, h = 320, l = 50, bt = 40, top = 20, right = 20;
        StringBuilder s = new StringBuilder();
        s.append(
                String.format(
                        Locale.ROOT,
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                        w,
                        h));
        s.append(
                String.format(
                        Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", w, h));
        double pw = w - l - right, ph = h - top - bt;
        s.append(
                String.format(
                        Locale.ROOT,
                        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                        l,
                        h - bt,
                        w - right,
                        h - bt));
        s.append(
                String.format(
                        Locale.ROOT,
                        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                        l,
                        top,
                        l,
                        h - bt));
        s.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">seconds since the failure started (%.0f s shown)</text>%n",
                        l + (int) pw / 2,
                        h - 8,
                        maxT / 1000.0));
        s.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"12\" y=\"%d\" transform=\"rotate(-90 12 %d)\" text-anchor=\"middle\">VMs running again (of %d)</text>%n",
                        top + (int) ph / 2,
                        top + (int) ph / 2,
                        total));
        s.append(steps(v, maxT, total, l, top, pw, ph, "#1f77b4"));
        s.append(steps(n, maxT, total, l, top, pw, ph, "#d62728"));
        s.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" fill=\"#1f77b4\">vmres</text>%n",
                        l + 10,
                        top + 14));
        s.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" fill=\"#d62728\">incumbent</text>%n",
                        l + 10,
                        top + 30));
        s.append("</svg>\n");
        return s.toString();
    }

    private static String steps(
            List<Long> ts,
            long maxT,
            int total,
            int l,
            int top,
            double pw,
            double ph,
            String color) {
        StringBuilder p = new StringBuilder();
        double y0 = top + ph;
        p.append(String.format(Locale.ROOT, "M%.1f,%.1f", (double) l, y0));
        int k = 0;
        for (long t : ts) {
            double x = l + pw * t / maxT;
            double yPrev = top + ph - ph * k / total;
            k++;
            double y = top + ph - ph * k / total;
            p.append(String.format(Locale.ROOT, " L%.1f,%.1f L%.1f,%.1f", x, yPrev, x, y));
        }
        p.append(String.format(Locale.ROOT, " L%.1f,%.1f", l + pw, top + ph - ph * k / total));
        return String.format(
                Locale.ROOT,
                "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                p,
                color);
    }
}
