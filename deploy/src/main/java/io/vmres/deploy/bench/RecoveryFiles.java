package io.vmres.deploy.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results of {@code bench recovery} as the bench suite takes them: {@code recovery.json} (flat
 * figures, machine, command, targets), {@code recovery.md} and its plots.
 */
record RecoveryFiles(
        RecoveryReport report,
        List<RecoveryScaling.Point> points,
        long serialBudget,
        Map<String, Object> machine,
        String command) {

    /** The most the parallel recovery may take, as a multiple of its lower bound. */
    static final double MAX_RATIO = 1.10;

    /** The least the parallel recovery must be faster than the serial one, as a multiple. */
    static final double MIN_SPEEDUP = 100;

    /** Every figure, flat, keys in lowerCamelCase. */
    Map<String, Object> figures() {
        Map<String, Object> f = new LinkedHashMap<>();
        RecoveryRun par = report.parallel();
        RecoveryRun ser = report.serial();
        f.put("hosts", report.fleet().hosts());
        f.put("fleetVms", report.fleet().vmEvents().size());
        f.put("failedHosts", report.fleet().failedHosts());
        f.put("failedVms", report.fleet().failedVms());
        f.put("parallelRecoveryS", round(par.recoverySeconds()));
        f.put("serialRecoveryS", round(ser.recoverySeconds()));
        f.put("lowerBoundS", round(report.bound().total()));
        f.put("ratioToLowerBound", round(report.ratio()));
        f.put("speedupVsSerial", round(report.speedup()));
        f.put("parallelVmsRecovered", par.vmsRecovered());
        f.put("parallelVmsUnplaced", par.vmsUnplaced());
        f.put("parallelMaxVmsPerTarget", par.maxVmsPerTarget());
        f.put("parallelWallS", round(par.wallSeconds()));
        f.put("serialWallS", round(ser.wallSeconds()));
        f.put("parallelEvents", par.eventsApplied());
        f.put("serialEvents", ser.eventsApplied());
        for (RecoveryScaling.Point p : points) {
            String k = "vms" + p.vms();
            f.put(k + "Hosts", p.hosts());
            f.put(k + "Recovered", p.parallel().vmsRecovered());
            f.put(k + "ParallelRecoveryS", round(p.parallel().recoverySeconds()));
            f.put(k + "LowerBoundS", round(p.bound()));
            f.put(k + "RatioToLowerBound", round(p.ratio()));
            f.put(k + "ParallelWallS", round(p.parallel().wallSeconds()));
            if (p.serial() != null) {
                f.put(k + "SerialRecoveryS", round(p.serial().recoverySeconds()));
                f.put(k + "SerialWallS", round(p.serial().wallSeconds()));
            }
        }
        return f;
    }

    /** figure -> {max|min, met}. */
    Map<String, Object> targets() {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("ratioToLowerBound", Map.of("max", MAX_RATIO, "met", report.ratio() <= MAX_RATIO));
        t.put(
                "speedupVsSerial",
                Map.of("min", MIN_SPEEDUP, "met", report.speedup() >= MIN_SPEEDUP));
        for (RecoveryScaling.Point p : points) {
            t.put(
                    "vms" + p.vms() + "RatioToLowerBound",
                    Map.of("max", MAX_RATIO, "met", p.ratio() <= MAX_RATIO));
        }
        return t;
    }

    @SuppressWarnings("unchecked")
    boolean allMet() {
        return targets().values().stream()
                .allMatch(v -> Boolean.TRUE.equals(((Map<String, Object>) v).get("met")));
    }

    void write(Path dir) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>(figures());
        doc.put("machine", machine);
        doc.put("command", command);
        doc.put("targets", targets());
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve("recovery.json").toFile(), doc);
        Files.writeString(
                dir.resolve("recovery-over-time.svg"),
                RecoveryPlots.svg(report.parallel(), report.serial(), report.bound().total()),
                StandardCharsets.UTF_8);
        Files.writeString(
                dir.resolve("recovery-scaling.svg"),
                RecoveryScaling.svg(points),
                StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("recovery.md"), markdown(), StandardCharsets.UTF_8);
    }

    String markdown() {
        RecoveryRun par = report.parallel();
        RecoveryRun ser = report.serial();
        double bound = report.bound().total();
        StringBuilder sb = new StringBuilder("## recovery\n\n");
        sb.append(
                String.format(
                        Locale.ROOT,
                        "A rack of %d hosts (%,d VMs) of a %,d-host cluster loses power; the cluster"
                                + " engine recovers its VMs in event time with the simulated"
                                + " hypervisor, in parallel (vmres) and serially (one command at a"
                                + " time, the baseline, same run), beside the critical-path lower"
                                + " bound. Then failures of %s VMs, each in a fleet of 0.4 hosts"
                                + " per failed VM: parallel and lower bound, serial where its"
                                + " heartbeats fit %,d events. Wall times depend on the machine's"
                                + " load, recovery times do not.%n%n",
                        report.fleet().failedHosts(),
                        report.fleet().failedVms(),
                        report.fleet().hosts(),
                        String.join(
                                ", ",
                                points.stream()
                                        .map(p -> String.format(Locale.ROOT, "%,d", p.vms()))
                                        .toList()),
                        serialBudget));
        sb.append("| Figure | vmres | Baseline | Target | Met |\n|---|---|---|---|---|\n");
        sb.append(
                String.format(
                        Locale.ROOT,
                        "| recovery time | %.1f s | %.1f s serial; %.1f s lower bound | | |%n",
                        par.recoverySeconds(),
                        ser.recoverySeconds(),
                        bound));
        sb.append(
                String.format(
                        Locale.ROOT,
                        "| ratio to the lower bound | %.3fx | 1.00x | ≤ %.2fx | %s |%n",
                        report.ratio(),
                        MAX_RATIO,
                        yes(report.ratio() <= MAX_RATIO)));
        sb.append(
                String.format(
                        Locale.ROOT,
                        "| speedup against serial | %.1fx | 1x | ≥ %.0fx | %s |%n",
                        report.speedup(),
                        MIN_SPEEDUP,
                        yes(report.speedup() >= MIN_SPEEDUP)));
        sb.append(
                String.format(
                        Locale.ROOT,
                        "| wall time | %.1f s | %.1f s serial | | |%n%n",
                        par.wallSeconds(),
                        ser.wallSeconds()));
        sb.append(scalingTable());
        sb.append(
                "\n![VMs recovered over time](recovery-over-time.svg)"
                        + " ![recovery time against failure size](recovery-scaling.svg)\n");
        return sb.toString();
    }

    /** Recovery time and lower bound per failure size. */
    String scalingTable() {
        StringBuilder sb =
                new StringBuilder(
                        "| VMs failed | hosts | recovered | parallel | lower bound | ratio |"
                                + " serial | wall (parallel) | met (≤ 1.10x) |\n"
                                + "|---|---|---|---|---|---|---|---|---|\n");
        for (RecoveryScaling.Point p : points) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "| %,d | %,d | %,d | %.1f s | %.1f s | %.3fx | %s | %.1f s | %s |%n",
                            p.vms(),
                            p.hosts(),
                            p.parallel().vmsRecovered(),
                            p.parallel().recoverySeconds(),
                            p.bound(),
                            p.ratio(),
                            p.serial() == null
                                    ? "not run"
                                    : String.format(
                                            Locale.ROOT, "%.1f s", p.serial().recoverySeconds()),
                            p.parallel().wallSeconds(),
                            yes(p.ratio() <= MAX_RATIO)));
        }
        return sb.toString();
    }

    private static String yes(boolean met) {
        return met ? "yes" : "**no**";
    }

    private static double round(double x) {
        return Math.round(x * 1000) / 1000.0;
    }
}
