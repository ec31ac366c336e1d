package io.vmres.deploy.bench.live;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vmres.engine.Settings;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What {@code vmres bench live} writes: {@code live.json}, {@code live.md}, {@code live-*.svg}. */
final class LiveReport {
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Single host: at most this much above its floor (p50), in seconds. */
    static final double SINGLE_OVER_FLOOR_MAX_S = 2.0;

    /** Rack: at most this ratio to its floor. */
    static final double RACK_RATIO_MAX = 1.10;

    private final LiveBench.Options options;
    private final Settings settings;
    private final Map<String, Object> machine;
    private final String command;
    private final LiveBench.Run now;
    private final LiveBench.Run before;

    LiveReport(
            LiveBench.Options options,
            Settings settings,
            Map<String, Object> machine,
            String command,
            LiveBench.Run now,
            LiveBench.Run before) {
        this.options = options;
        this.settings = settings;
        this.machine = machine;
        this.command = command;
        this.now = now;
        this.before = before;
    }

    /** The machine the bench ran on, and how busy it was when it began. */
    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            m.put("memoryBytes", os.getTotalMemorySize());
        }
        m.put(
                "java",
                System.getProperty("java.version") + " " + System.getProperty("java.vm.name"));
        m.put(
                "loadAverage",
                round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        return m;
    }

    /** Writes the three files into {@code dir}; returns the figures of {@code live.json}. */
    Map<String, Object> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("runtime", options.onCluster() ? "cluster" : "embedded");
        doc.put("singles", now.singles().size());
        doc.put("rackHosts", now.rack() == null ? 0 : now.rack().hosts());
        doc.put("vmsPerHost", options.vmsPerHost());
        doc.put("checkpointIntervalMs", now.mode().checkpointInterval().toMillis());
        doc.put("heartbeatIntervalMs", options.heartbeatInterval().toMillis());
        doc.put("steadyTelemetry", options.steadyTelemetry());
        doc.put("beatPhases", now.mode().beatPhases());
        doc.put(
                "appendTimeMarginMs",
                now.mode().appendTimeMargin() == null
                        ? null
                        : now.mode().appendTimeMargin().toMillis());
        doc.putAll(figures(now));
        if (before != null) {
            figures(before).forEach((k, v) -> doc.put("baseline" + capital(k), v));
            doc.put("baselineCheckpointIntervalMs", before.mode().checkpointInterval().toMillis());
        }
        doc.put("machine", machine);
        doc.put("command", command);
        Map<String, Object> targets = new LinkedHashMap<>();
        Object over = doc.get("singleHostOverFloorP50S");
        if (over instanceof Double d) {
            targets.put(
                    "singleHostOverFloorP50S",
                    Map.of("max", SINGLE_OVER_FLOOR_MAX_S, "met", d <= SINGLE_OVER_FLOOR_MAX_S));
        }
        Object ratio = doc.get("rackRatio");
        if (ratio instanceof Double d) {
            targets.put("rackRatio", Map.of("max", RACK_RATIO_MAX, "met", d <= RACK_RATIO_MAX));
        }
        doc.put("targets", targets);
        Files.writeString(
                dir.resolve("live.json"),
                JSON.writeValueAsString(doc) + "\n",
                StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("live-recovery.svg"), svg(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("live.md"), markdown(doc), StandardCharsets.UTF_8);
        return doc;
    }

    /** The figures of one run, keys in lowerCamelCase, seconds rounded to the millisecond. */
    static Map<String, Object> figures(LiveBench.Run run) {
        Map<String, Object> f = new LinkedHashMap<>();
        List<LiveCrash> s = run.singles();
        if (!s.isEmpty()) {
            f.put("singleHostRecoveryP50S", pct(s, 50, LiveCrash::measuredS));
            f.put("singleHostRecoveryP99S", pct(s, 99, LiveCrash::measuredS));
            f.put("singleHostFloorP50S", pct(s, 50, c -> c.floor().total()));
            f.put("singleHostOverFloorP50S", pct(s, 50, LiveCrash::overFloorS));
            f.put("singleHostOverFloorP99S", pct(s, 99, LiveCrash::overFloorS));
            f.put("singleHostFirstCallP50S", pct(s, 50, LiveCrash::firstCallS));
            f.put("singleHostHopP50S", pct(s, 50, LiveCrash::hopS));
            f.put("singleHostDeclaredP50S", pct(s, 50, LiveCrash::declaredS));
            f.put("singleHostJobHopP50S", pct(s, 50, LiveCrash::jobHopS));
            f.put("singleHostPickupP50S", pct(s, 50, LiveCrash::pickupS));
            f.put(
                    "singleHostJobRecoveryP50S",
                    pct(s, 50, c -> c.jobRecoveryS() == null ? Double.NaN : c.jobRecoveryS()));
        }
        LiveCrash r = run.rack();
        if (r != null) {
            f.put("rackVms", r.vms());
            f.put("rackRecoveryS", round(r.measuredS()));
            f.put("rackFloorS", round(r.floor().total()));
            f.put("rackRatio", round(r.ratio()));
            f.put("rackNoHopsS", round(r.noHops().total()));
            f.put("rackNoHopsRatio", round(r.noHops().total() / r.floor().total()));
            f.put("rackFirstCallS", round(r.firstCallS()));
            f.put("rackHopS", round(r.hopS()));
            f.put("rackDeclaredS", round(r.declaredS()));
            f.put("rackJobHopS", round(r.jobHopS()));
            f.put("rackPickupS", round(r.pickupS()));
            f.put("rackJobRecoveryS", r.jobRecoveryS() == null ? null : round(r.jobRecoveryS()));
        }
        boolean once = s.stream().allMatch(c -> c.exactlyOnce() && c.recovered() == c.vms());
        if (r != null) {
            once &= r.exactlyOnce() && r.recovered() == r.vms();
        }
        f.put("everyVmRecoveredOnce", once);
        f.put("cpuCores", round(run.cpuCores()));
        return f;
    }

    private String markdown(Map<String, Object> doc) {
        StringBuilder md = new StringBuilder();
        md.append("## live\n\n");
        md.append(
                String.format(
                        Locale.ROOT,
                        "%d single-host crashes, one after the other, then a rack of %d hosts losing"
                                + " power, through %s (checkpoints every %d ms), the simulated fleet"
                                + " (%d VMs a host, a heartbeat every %d ms at %d phases spread over it,"
                                + " %s) and its connector; event time trails the brokers' append time"
                                + " by maxClockSkew + %d ms. Each"
                                + " recovery is measured on the fleet's ledger, from the last heartbeat"
                                + " of the crashed hosts to the last of their VMs running again; its"
                                + " floor is detection (heartbeatTimeout + outOfOrderness, %.1f s) + the"
                                + " fence when one ran + the critical path of the disk maps and boots the"
                                + " fleet drew, within the in-flight limits. The baseline is the same"
                                + " crashes with the old behaviour: event time from the events' own ts,"
                                + " trailing by outOfOrderness; the fleet beating in one burst a second;"
                                + " results held until the watermark passes their ts; checkpoints every"
                                + " second. Machine: %s cores, load"
                                + " average %s at the start. `%s`%n%n",
                        now.singles().size(),
                        now.rack() == null ? 0 : now.rack().hosts(),
                        options.onCluster()
                                ? "the multi-process cluster: three Kafka brokers (replication 3),"
                                        + " the job on a Flink JobManager and two TaskManagers,"
                                        + " each a process of its own"
                                : "the embedded runtime: a Kafka broker, the job on a Flink"
                                        + " MiniCluster",
                        now.mode().checkpointInterval().toMillis(),
                        options.vmsPerHost(),
                        options.heartbeatInterval().toMillis(),
                        now.mode().beatPhases(),
                        options.steadyTelemetry()
                                ? "power read with every heartbeat round, no health samples"
                                : "power every 5th round, health samples every 30th",
                        now.mode().appendTimeMargin() == null
                                ? -1
                                : now.mode().appendTimeMargin().toMillis(),
                        (settings.heartbeatTimeoutMs() + settings.outOfOrdernessMs()) / 1000.0,
                        machine.get("cores"),
                        machine.get("loadAverage"),
                        command));
        md.append("| figure | now | baseline | target | met |\n");
        md.append("|---|---|---|---|---|\n");
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> targets =
                (Map<String, Map<String, Object>>) doc.get("targets");
        for (String key : figures(now).keySet()) {
            Map<String, Object> t = targets.get(key);
            md.append("| ")
                    .append(key)
                    .append(" | ")
                    .append(doc.get(key))
                    .append(" | ")
                    .append(
                            before == null
                                    ? ""
                                    : String.valueOf(doc.get("baseline" + capital(key))))
                    .append(" | ")
                    .append(t == null ? "" : "<= " + t.get("max"))
                    .append(" | ")
                    .append(t == null ? "" : ((Boolean) t.get("met")) ? "yes" : "no")
                    .append(" |\n");
        }
        md.append(
                "\nEach crash (seconds; measured now, baseline, floor; no hops: the calls of"
                        + " now in the order they started, each as soon as its VM's disks and a"
                        + " slot allow, with no time for a result to come back or a command to go"
                        + " out):\n\n");
        md.append(
                "| crash | hosts | VMs | now | baseline | floor now | no hops | hop now | hop"
                        + " baseline |\n");
        md.append("|---|---|---|---|---|---|---|---|---|\n");
        List<LiveCrash> all = crashes(now);
        List<LiveCrash> old = before == null ? List.of() : crashes(before);
        for (int i = 0; i < all.size(); i++) {
            LiveCrash c = all.get(i);
            LiveCrash b = i < old.size() ? old.get(i) : null;
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s %d | %d | %d | %.1f | %s | %.1f | %.1f | %.2f | %s |%n",
                            c.kind(),
                            i + 1,
                            c.hosts(),
                            c.vms(),
                            c.measuredS(),
                            b == null ? "" : String.format(Locale.ROOT, "%.1f", b.measuredS()),
                            c.floor().total(),
                            c.noHops().total(),
                            c.hopS(),
                            b == null ? "" : String.format(Locale.ROOT, "%.2f", b.hopS())));
        }
        md.append("\n![measured recovery and floor per crash](live-recovery.svg)\n");
        return md.toString();
    }

    private static List<LiveCrash> crashes(LiveBench.Run run) {
        List<LiveCrash> all = new ArrayList<>(run.singles());
        if (run.rack() != null) {
            all.add(run.rack());
        }
        return all;
    }

    /** Per crash: its floor, the measured recovery now and in the baseline, as bars. */
    private String svg() {
        List<LiveCrash> all = crashes(now);
        List<LiveCrash> old = before == null ? List.of() : crashes(before);
        double max = 1;
        for (LiveCrash c : all) {
            max = Math.max(max, Math.max(c.measuredS(), c.floor().total()));
        }
        for (LiveCrash c : old) {
            max = Math.max(max, c.measuredS());
        }
        max = Math.ceil(max / 10) * 10;
        int w = 80 + all.size() * 48;
        int h = 300;
        int top = 30;
        int bottom = 250;
        StringBuilder svg = new StringBuilder();
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                                + " font-family=\"sans-serif\" font-size=\"11\">%n",
                        w,
                        h));
        svg.append(
                "<text x=\"10\" y=\"18\">Recovery per crash, s: floor (grey), now (blue),"
                        + " baseline (orange)</text>\n");
        for (int s = 0; s <= max; s += 10) {
            double y = bottom - (bottom - top) * s / max;
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<line x1=\"50\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                                    + "<text x=\"45\" y=\"%.1f\" text-anchor=\"end\">%d</text>%n",
                            y,
                            w - 10,
                            y,
                            y + 4,
                            s));
        }
        for (int i = 0; i < all.size(); i++) {
            LiveCrash c = all.get(i);
            double x = 60 + i * 48;
            bar(svg, x, c.floor().total(), max, top, bottom, "#999");
            bar(svg, x + 12, c.measuredS(), max, top, bottom, "#1f77b4");
            if (i < old.size()) {
                bar(svg, x + 24, old.get(i).measuredS(), max, top, bottom, "#ff7f0e");
            }
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                            x + 18,
                            bottom + 15,
                            c.kind().equals("rack") ? "rack" : String.valueOf(i + 1)));
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void bar(
            StringBuilder svg, double x, double v, double max, int top, int bottom, String fill) {
        if (Double.isNaN(v)) {
            return;
        }
        double hgt = (bottom - top) * v / max;
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"11\" height=\"%.1f\" fill=\"%s\"/>%n",
                        x,
                        bottom - hgt,
                        hgt,
                        fill));
    }

    /** The nearest-rank percentile, rounded to the millisecond; NaN values left out. */
    static Double pct(
            List<LiveCrash> crashes, int p, java.util.function.ToDoubleFunction<LiveCrash> f) {
        List<Double> v = new ArrayList<>();
        for (LiveCrash c : crashes) {
            double x = f.applyAsDouble(c);
            if (!Double.isNaN(x)) {
                v.add(x);
            }
        }
        if (v.isEmpty()) {
            return null;
        }
        Collections.sort(v);
        int rank = (int) Math.ceil(p / 100.0 * v.size());
        return round(v.get(Math.max(0, rank - 1)));
    }

    private static double round(double s) {
        return Math.round(s * 1000) / 1000.0;
    }

    private static String capital(String key) {
        return Character.toUpperCase(key.charAt(0)) + key.substring(1);
    }
}
