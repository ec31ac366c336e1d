package io.vmres.deploy.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vmres.engine.Settings;
import io.vmres.engine.Times;
import io.vmres.engine.sim.SimHypervisor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code vmres bench recovery} tells: the fleet and settings, each run, both recovery times
 * against each other and against the lower bound as text, and the same figures as JSON.
 */
record RecoveryReport(
        RecoveryFleet fleet,
        Settings settings,
        RecoveryRun parallel,
        RecoveryRun serial,
        RecoveryLowerBound bound) {

    /** How many times faster the parallel recovery is than the serial one. */
    double speedup() {
        return serial.recoverySeconds() / parallel.recoverySeconds();
    }

    /** The parallel recovery time over the lower bound. */
    double ratio() {
        return parallel.recoverySeconds() / bound.total();
    }

    /** The fleet, its failure and the settings, before the runs. */
    static void printSetup(PrintStream console, RecoveryFleet fleet, Settings settings) {
        console.printf(
                Locale.ROOT,
                "fleet: %s in one cluster, %s; rack %s (%s, %s) loses power at"
                        + " %s, its BMCs reading off%n",
                io.vmres.deploy.commands.Words.count(fleet.hosts(), "host"),
                io.vmres.deploy.commands.Words.count(fleet.vmEvents().size(), "VM"),
                fleet.failedRack(),
                io.vmres.deploy.commands.Words.count(fleet.failedHosts(), "host"),
                io.vmres.deploy.commands.Words.count(fleet.failedVms(), "VM"),
                Times.format(fleet.crashAt()));
        console.printf(
                Locale.ROOT,
                "settings: maxInFlightPerTarget %d, maxInFlightPerCluster %d; simulated latencies: fence"
                        + " %.0f s, map %.0f s, restart %.0f s%n",
                settings.maxInFlightPerTarget(),
                settings.maxInFlightPerCluster(),
                SimHypervisor.latency("FENCE_HOST") / 1000.0,
                SimHypervisor.latency("MAP_DISKS") / 1000.0,
                SimHypervisor.latency("RESTART_VM") / 1000.0);
    }

    static void printRun(PrintStream console, RecoveryRun r) {
        console.printf(
                Locale.ROOT,
                "  %s: %s recovered (%d unplaced, %d failed) in %.1f s from the failure (declared"
                        + " after %.1f s); %s, %s, %s; %s in %.1f s%n",
                r.mode().name().toLowerCase(Locale.ROOT),
                io.vmres.deploy.commands.Words.count(r.vmsRecovered(), "VM"),
                r.vmsUnplaced(),
                r.vmsFailed(),
                r.recoverySeconds(),
                r.detectionSeconds(),
                io.vmres.deploy.commands.Words.count(r.commands().get("MAP_DISKS"), "map"),
                io.vmres.deploy.commands.Words.count(r.commands().get("RESTART_VM"), "restart"),
                io.vmres.deploy.commands.Words.count(r.commands().get("FENCE_HOST"), "fence"),
                io.vmres.deploy.commands.Words.count(r.eventsApplied(), "event"),
                r.wallSeconds());
    }

    static String hours(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, (s / 60) % 60, s % 60);
    }

    /** The lower bound, both recovery times and their ratios, and the plot of the parallel run. */
    void printSummary(PrintStream console) {
        console.println();
        console.printf(
                Locale.ROOT,
                "lower bound: detection %.0f s + fence %.0f s + map %.0f s + %d restart waves x %.0f s"
                        + " = %.1f s%n",
                bound.detection(),
                bound.fence(),
                bound.map(),
                bound.waves(),
                bound.restart(),
                bound.total());
        console.printf(
                Locale.ROOT,
                "  (waves: %,d VMs, at most %d per target over %d targets in a balanced plan (this plan:"
                        + " %d), %d in flight per target, %d per cluster)%n",
                parallel.vmsRecovered(),
                bound.balancedPerTarget(),
                fleet.targets(),
                parallel.maxVmsPerTarget(),
                settings.maxInFlightPerTarget(),
                settings.maxInFlightPerCluster());
        console.printf(Locale.ROOT, "%-22s %12s %10s%n", "", "recovery", "ratio");
        console.printf(Locale.ROOT, "%-22s %10.1f s %10s%n", "lower bound", bound.total(), "1.00x");
        console.printf(
                Locale.ROOT,
                "%-22s %10.1f s %9.3fx   of the lower bound (target: at most 1.10x)%n",
                "parallel (vmres)",
                parallel.recoverySeconds(),
                ratio());
        console.printf(
                Locale.ROOT,
                "%-22s %10.1f s %9.1fx   slower than parallel (%s; target: at least 100x)%n",
                "serial (baseline)",
                serial.recoverySeconds(),
                speedup(),
                hours(serial.recoverySeconds()));
        console.println();
        console.print(RecoveryPlots.ascii(parallel, bound.total()));
    }

    /** The figures as JSON (figures in seconds, rounded to the millisecond). */
    void writeJson(Path file) throws IOException {
        Settings s = settings;
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("hosts", fleet.hosts());
        doc.put("fleetVms", fleet.vmEvents().size());
        doc.put("failedRack", fleet.failedRack());
        doc.put("failedHosts", fleet.failedHosts());
        doc.put("vms", parallel.vmsRecovered());
        doc.put("parallelSeconds", round(parallel.recoverySeconds()));
        doc.put("serialSeconds", round(serial.recoverySeconds()));
        doc.put("lowerBoundSeconds", round(bound.total()));
        doc.put("speedupVsSerial", round(speedup()));
        doc.put("ratioToLowerBound", round(ratio()));
        Map<String, Object> lb = new LinkedHashMap<>();
        lb.put("detectionSeconds", bound.detection());
        lb.put("fenceSeconds", bound.fence());
        lb.put("mapSeconds", bound.map());
        lb.put("restartWaves", bound.waves());
        lb.put("restartSeconds", bound.restart());
        lb.put("targets", fleet.targets());
        lb.put("balancedMaxVmsPerTarget", bound.balancedPerTarget());
        lb.put("planMaxVmsPerTarget", parallel.maxVmsPerTarget());
        doc.put("lowerBound", lb);
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("maxInFlightPerTarget", s.maxInFlightPerTarget());
        limits.put("maxInFlightPerCluster", s.maxInFlightPerCluster());
        limits.put("heartbeatTimeoutSeconds", s.heartbeatTimeoutMs() / 1000.0);
        limits.put("outOfOrdernessSeconds", s.outOfOrdernessMs() / 1000.0);
        doc.put("settings", limits);
        doc.put("parallel", runJson(parallel));
        doc.put("serial", runJson(serial));
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(file.toFile(), doc);
    }

    private static Map<String, Object> runJson(RecoveryRun r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("recoverySeconds", round(r.recoverySeconds()));
        m.put("detectionSeconds", round(r.detectionSeconds()));
        m.put("vmsRecovered", r.vmsRecovered());
        m.put("vmsUnplaced", r.vmsUnplaced());
        m.put("vmsFailed", r.vmsFailed());
        m.put("commands", r.commands());
        m.put("maxVmsPerTarget", r.maxVmsPerTarget());
        m.put("eventsApplied", r.eventsApplied());
        m.put("wallSeconds", round(r.wallSeconds()));
        List<Double> sorted = new ArrayList<>(r.recoveredAtSeconds());
        sorted.sort(null);
        m.put("recoveredAtSeconds", sorted);
        return m;
    }

    private static double round(double x) {
        return Math.round(x * 1000) / 1000.0;
    }
}
