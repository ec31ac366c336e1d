package io.vmres.deploy.whatif;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.engine.recording.LocalReplay;
import io.vmres.engine.whatif.WhatIfAnswer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A what-if answer against what happens: the recording with the answer's failures written in
 * ({@link FailureInjection}) is replayed without Flink ({@link LocalReplay}, the job's engine and
 * its simulated hypervisor), and each cluster's predicted restarts, unplaced VMs and recovery time
 * are set beside the replay's. They match when every VM is restarted on the same target, as many
 * stay unplaced, and the recovery times are within a tolerance of the predicted one.
 */
public final class WhatIfCheck {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A VM restarted on another target than predicted, or by one side only (null). */
    public record Differs(String vm, String predicted, String replayed) {}

    /**
     * One cluster: the predicted and the replayed figures.
     *
     * @param recoveryS predicted, null without a restart
     * @param replayRecoveryS the latest recoveryS of the replay's incidents of the cluster, null
     *     without one
     */
    public record ClusterCheck(
            String cluster,
            int restarts,
            int replayRestarts,
            int sameTarget,
            List<Differs> differs,
            int unplaced,
            int replayUnplaced,
            Double recoveryS,
            Double replayRecoveryS,
            double tolerance) {

        /** The replay's recovery over the predicted, minus one; NaN when either is missing. */
        public double recoveryDiff() {
            return recoveryS == null || replayRecoveryS == null
                    ? Double.NaN
                    : replayRecoveryS / recoveryS - 1;
        }

        public boolean sameTargets() {
            return differs.isEmpty() && restarts == replayRestarts;
        }

        public boolean recoveryWithin() {
            if (recoveryS == null || replayRecoveryS == null) {
                return Objects.equals(recoveryS, replayRecoveryS);
            }
            return Math.abs(recoveryDiff()) <= tolerance + 1e-9;
        }

        public boolean matches() {
            return sameTargets() && unplaced == replayUnplaced && recoveryWithin();
        }
    }

    /**
     * The check's result.
     *
     * @param others the replay's incidents on hosts the answer does not fail (its ids)
     * @param replaySeconds wall time of the injection and the replay
     */
    public record Result(
            List<ClusterCheck> clusters,
            List<String> others,
            double tolerance,
            long injectedLines,
            double replaySeconds) {
        public boolean matches() {
            return others.isEmpty() && clusters.stream().allMatch(ClusterCheck::matches);
        }
    }

    private WhatIfCheck() {}

    /**
     * Writes {@code recording} with the answer's failures into {@code injected}, replays it into
     * {@code replayDir} and compares.
     */
    public static Result check(
            Path recording, WhatIfAnswer answer, Path injected, Path replayDir, double tolerance)
            throws IOException {
        long t0 = System.nanoTime();
        long lines = FailureInjection.write(recording, injected, answer);
        LocalReplay.run(injected, replayDir, Map.of());
        double seconds = (System.nanoTime() - t0) / 1e9;
        return compare(answer, replayDir, tolerance, lines, seconds);
    }

    /** Compares the answer with a replay's output folder. */
    static Result compare(
            WhatIfAnswer answer, Path replayDir, double tolerance, long lines, double seconds)
            throws IOException {
        Map<String, String> clusterOfHost = new HashMap<>();
        for (WhatIfAnswer.ClusterAnswer c : answer.clusters()) {
            c.hosts().forEach(h -> clusterOfHost.put(h.host(), c.cluster()));
        }
        // the replay's restarts by cluster (of the failed host they leave); a retry replaces
        Map<String, Map<String, String>> replayed = new TreeMap<>();
        for (String line :
                Files.readAllLines(replayDir.resolve("commands.jsonl"), StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode c = JSON.readTree(line);
            if (c.path("action").asText().equals("RESTART_VM")) {
                String cluster = clusterOfHost.getOrDefault(c.path("host").asText(), "?");
                replayed.computeIfAbsent(cluster, k -> new TreeMap<>())
                        .put(c.path("vm").asText(), c.path("target").asText());
            }
        }
        Map<String, Double> recovery = new TreeMap<>();
        Map<String, Integer> unplaced = new TreeMap<>();
        List<String> others = new ArrayList<>();
        JsonNode summary = JSON.readTree(replayDir.resolve("summary.json").toFile());
        for (JsonNode inc : summary.path("incidents")) {
            String cluster = null;
            for (JsonNode h : inc.path("hosts")) {
                cluster = clusterOfHost.get(h.asText());
                if (cluster != null) {
                    break;
                }
            }
            if (cluster == null || !inc.path("kind").asText().equals("HOST_FAILURE")) {
                others.add(inc.path("incidentId").asText() + " " + inc.path("kind").asText());
                continue;
            }
            if (inc.hasNonNull("recoveryS")) {
                recovery.merge(cluster, inc.get("recoveryS").asDouble(), Math::max);
            }
            unplaced.merge(cluster, inc.path("vmsUnplaced").asInt(), Integer::sum);
        }
        if (replayed.containsKey("?")) {
            others.add(replayed.get("?").size() + " restarts from hosts the answer does not fail");
        }
        List<ClusterCheck> out = new ArrayList<>();
        for (WhatIfAnswer.ClusterAnswer c : answer.clusters()) {
            Map<String, String> predicted = new TreeMap<>();
            c.restarts().forEach(r -> predicted.put(r.vm(), r.to()));
            Map<String, String> got = replayed.getOrDefault(c.cluster(), Map.of());
            TreeSet<String> vms = new TreeSet<>(predicted.keySet());
            vms.addAll(got.keySet());
            int same = 0;
            List<Differs> differs = new ArrayList<>();
            for (String vm : vms) {
                String p = predicted.get(vm);
                String g = got.get(vm);
                if (p != null && p.equals(g)) {
                    same++;
                } else {
                    differs.add(new Differs(vm, p, g));
                }
            }
            out.add(
                    new ClusterCheck(
                            c.cluster(),
                            predicted.size(),
                            got.size(),
                            same,
                            List.copyOf(differs),
                            c.unplaced().size(),
                            unplaced.getOrDefault(c.cluster(), 0),
                            c.recoveryS(),
                            recovery.get(c.cluster()),
                            tolerance));
        }
        return new Result(List.copyOf(out), List.copyOf(others), tolerance, lines, seconds);
    }

    /** How many differing VMs are listed per cluster. */
    private static final int LISTED = 10;

    /** The check as a table, the differences, and the verdict. */
    public static void print(Result r, PrintWriter out) {
        out.printf(
                Locale.ROOT,
                "check: the recording with the failures written in (%,d lines) replayed in %.1f"
                        + " s%n",
                r.injectedLines(),
                r.replaySeconds());
        out.printf(
                Locale.ROOT,
                "  %-8s %14s %12s %7s %14s %16s %15s %8s%n",
                "cluster",
                "restarts w/r",
                "same target",
                "differ",
                "unplaced w/r",
                "recovery what-if",
                "recovery replay",
                "diff");
        for (ClusterCheck c : r.clusters()) {
            out.printf(
                    Locale.ROOT,
                    "  %-8s %14s %12d %7d %14s %16s %15s %8s%n",
                    c.cluster(),
                    c.restarts() + "/" + c.replayRestarts(),
                    c.sameTarget(),
                    c.differs().size(),
                    c.unplaced() + "/" + c.replayUnplaced(),
                    seconds(c.recoveryS()),
                    seconds(c.replayRecoveryS()),
                    Double.isNaN(c.recoveryDiff())
                            ? "-"
                            : String.format(Locale.ROOT, "%+.1f%%", c.recoveryDiff() * 100));
            c.differs().stream()
                    .limit(LISTED)
                    .forEach(
                            d ->
                                    out.printf(
                                            Locale.ROOT,
                                            "    %s: what-if %s, replay %s%n",
                                            d.vm(),
                                            d.predicted() == null ? "no restart" : d.predicted(),
                                            d.replayed() == null ? "no restart" : d.replayed()));
            if (c.differs().size() > LISTED) {
                out.printf(Locale.ROOT, "    ... %d more%n", c.differs().size() - LISTED);
            }
        }
        r.others().forEach(o -> out.println("  the replay also has: " + o));
        String pct = String.format(Locale.ROOT, "%.0f%%", r.tolerance() * 100);
        out.println(
                r.matches()
                        ? "MATCH: the same targets, as many unplaced, recovery within " + pct
                        : "MISMATCH: a target, an unplaced count or a recovery time beyond "
                                + pct
                                + " differs");
        out.flush();
    }

    private static String seconds(Double s) {
        return s == null ? "-" : String.format(Locale.ROOT, "%.1f s", s);
    }
}
