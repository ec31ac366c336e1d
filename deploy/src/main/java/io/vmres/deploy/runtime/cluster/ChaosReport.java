package io.vmres.deploy.runtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A chaos run's result in its folder: {@code chaos.json} (counts, rounds, faults, recovery times),
 * {@code chaos.md} (the same for a person) and {@code fleet-report.json} (the fleet's ledger and
 * where every VM ended, to look into a count that is not 0).
 */
final class ChaosReport {
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ChaosReport() {}

    static void write(ChaosRun.Result r, JsonNode fleetReport) throws IOException {
        Files.createDirectories(r.folder());
        Files.writeString(
                r.folder().resolve("chaos.json"),
                JSON.writeValueAsString(json(r)),
                StandardCharsets.UTF_8);
        Files.writeString(r.folder().resolve("chaos.md"), markdown(r), StandardCharsets.UTF_8);
        JSON.writer()
                .without(SerializationFeature.INDENT_OUTPUT)
                .writeValue(r.folder().resolve("fleet-report.json").toFile(), fleetReport);
    }

    static void print(ChaosRun.Result r, PrintStream out) {
        out.print(summary(r));
        out.println("report: " + r.folder().resolve("chaos.md") + " and chaos.json");
    }

    /** The baseline's recovery time: the first round, which had no fault. */
    private static long baseline(ChaosRun.Result r) {
        return r.verdict().recoveries().get(0).recoveryMs();
    }

    private static String summary(ChaosRun.Result r) {
        ChaosVerdict v = r.verdict();
        StringBuilder s = new StringBuilder();
        line(s, "VMs lost (not restarted)", v.vmsLost());
        line(s, "commands executed twice", v.commandsRunTwice());
        line(s, "healthy hosts fenced", v.healthyHostsFenced());
        line(s, "VMs on two hosts at once", v.vmsOnTwoHosts());
        s.append(
                String.format(
                        Locale.ROOT,
                        "%-28s %d%n",
                        "VMs restarted more than once",
                        v.vmsRestartedMoreThanOnce().size()));
        s.append(
                String.format(
                        Locale.ROOT,
                        "%-6s %-40s %6s %10s %12s %10s%n",
                        "round",
                        "faults",
                        "VMs",
                        "restarted",
                        "recovery s",
                        "delay s"));
        for (int i = 0; i < r.rounds().size(); i++) {
            ChaosVerdict.Recovery rec = v.recoveries().get(i);
            List<ChaosRun.Injected> faults = r.rounds().get(i).faults();
            s.append(
                    String.format(
                            Locale.ROOT,
                            "%-6d %-40s %6d %10d %12s %10s%n",
                            rec.round(),
                            faults.isEmpty() ? "none (baseline)" : kinds(faults),
                            rec.vms(),
                            rec.restarted(),
                            seconds(rec.recoveryMs()),
                            i == 0 ? "-" : delay(rec.recoveryMs(), baseline(r))));
        }
        s.append(v.clean() ? "PASSED: all four counts are 0\n" : "FAILED: a count is not 0\n");
        return s.toString();
    }

    private static void line(StringBuilder s, String what, Set<String> items) {
        s.append(
                String.format(
                        Locale.ROOT,
                        "%-28s %d%s%n",
                        what,
                        items.size(),
                        items.isEmpty() ? "" : "  " + first(items)));
    }

    private static String first(Set<String> items) {
        List<String> l = new ArrayList<>(items);
        return String.join(", ", l.subList(0, Math.min(8, l.size())))
                + (l.size() > 8 ? ", ..." : "");
    }

    private static String kinds(List<ChaosRun.Injected> faults) {
        List<String> labels = faults.stream().map(f -> f.fault().label()).distinct().toList();
        return faults.size() + " x " + String.join(", ", labels);
    }

    private static String seconds(long ms) {
        return ms < 0 ? "-" : String.format(Locale.ROOT, "%.1f", ms / 1e3);
    }

    private static String delay(long ms, long baseline) {
        return ms < 0 || baseline < 0
                ? "-"
                : String.format(Locale.ROOT, "%+.1f", (ms - baseline) / 1e3);
    }

    private static String markdown(ChaosRun.Result r) {
        ChaosRun.Options o = r.options();
        StringBuilder s = new StringBuilder("# vmres chaos run\n\n");
        s.append(
                String.format(
                        Locale.ROOT,
                        "Fleet: %d hosts, %d VMs each, %d clusters; about %d HA VMs fail each"
                                + " round; %d faults in %d rounds after a fault-free one; broker"
                                + " pause %d s; seed %d.%n%n",
                        o.hosts(),
                        o.vmsPerHost(),
                        o.clusters(),
                        o.vms(),
                        o.faults(),
                        o.faultRounds(),
                        o.pause().toSeconds(),
                        o.seed()));
        s.append("```\n").append(summary(r)).append("```\n\n## Faults\n\n");
        s.append("| round | at s | fault | what | healed in s |\n|---|---|---|---|---|\n");
        for (ChaosRun.RoundResult round : r.rounds()) {
            for (ChaosRun.Injected f : round.faults()) {
                s.append(
                        String.format(
                                Locale.ROOT,
                                "| %d | %.1f | %s | %s | %.1f%s |%n",
                                f.round(),
                                f.atMs() / 1e3,
                                f.fault().label(),
                                f.what(),
                                f.healedMs() / 1e3,
                                f.healed() ? "" : " (not healed)"));
            }
        }
        s.append("\n## Rounds\n\n| round | racks | hosts | HA VMs |\n|---|---|---|---|\n");
        for (ChaosRun.RoundResult round : r.rounds()) {
            s.append(
                    String.format(
                            Locale.ROOT,
                            "| %d | %s | %d | %d |%n",
                            round.round().number(),
                            String.join(", ", round.racks()),
                            round.round().hosts().size(),
                            round.round().vms().size()));
        }
        return s.toString();
    }

    private static ObjectNode json(ChaosRun.Result r) {
        ChaosVerdict v = r.verdict();
        ChaosRun.Options o = r.options();
        ObjectNode n = JSON.createObjectNode();
        n.put("passed", v.clean());
        ObjectNode counts = n.putObject("counts");
        counts.put("vmsLost", v.vmsLost().size());
        counts.put("commandsExecutedTwice", v.commandsRunTwice().size());
        counts.put("healthyHostsFenced", v.healthyHostsFenced().size());
        counts.put("vmsOnTwoHostsAtOnce", v.vmsOnTwoHosts().size());
        counts.put("vmsRestartedMoreThanOnce", v.vmsRestartedMoreThanOnce().size());
        ObjectNode lists = n.putObject("which");
        v.vmsLost().forEach(lists.putArray("vmsLost")::add);
        v.commandsRunTwice().forEach(lists.putArray("commandsExecutedTwice")::add);
        v.healthyHostsFenced().forEach(lists.putArray("healthyHostsFenced")::add);
        v.vmsOnTwoHosts().forEach(lists.putArray("vmsOnTwoHostsAtOnce")::add);
        v.vmsRestartedMoreThanOnce().forEach(lists.putArray("vmsRestartedMoreThanOnce")::add);
        ObjectNode opts = n.putObject("options");
        opts.put("faults", o.faults())
                .put("faultRounds", o.faultRounds())
                .put("vms", o.vms())
                .put("hosts", o.hosts())
                .put("vmsPerHost", o.vmsPerHost())
                .put("clusters", o.clusters())
                .put("seed", o.seed())
                .put("pauseS", o.pause().toSeconds());
        ArrayNode rounds = n.putArray("rounds");
        long base = baseline(r);
        for (int i = 0; i < r.rounds().size(); i++) {
            ChaosRun.RoundResult round = r.rounds().get(i);
            ChaosVerdict.Recovery rec = v.recoveries().get(i);
            ObjectNode rn = rounds.addObject();
            rn.put("round", rec.round())
                    .put("hosts", round.round().hosts().size())
                    .put("vms", rec.vms())
                    .put("restarted", rec.restarted())
                    .put("recoveryMs", rec.recoveryMs())
                    .put("delayMs", i == 0 || rec.recoveryMs() < 0 ? 0 : rec.recoveryMs() - base);
            round.racks().forEach(rn.putArray("racks")::add);
            ArrayNode fs = rn.putArray("faults");
            for (ChaosRun.Injected f : round.faults()) {
                fs.addObject()
                        .put("fault", f.fault().label())
                        .put("what", f.what())
                        .put("atMs", f.atMs())
                        .put("healedMs", f.healedMs())
                        .put("healed", f.healed());
            }
        }
        return n;
    }
}
