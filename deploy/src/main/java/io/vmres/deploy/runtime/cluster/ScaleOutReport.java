package io.vmres.deploy.runtime.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Locale;

/**
 * A scale-out run's result in its folder: {@code scaleout.json} (settings, each cluster's recovery
 * alone and together, the ledger's counts) and {@code scaleout.md} (the same for a person).
 */
final class ScaleOutReport {
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ScaleOutReport() {}

    static void write(ScaleOutRun.Result r) throws IOException {
        Files.createDirectories(r.folder());
        Files.writeString(
                r.folder().resolve("scaleout.json"),
                JSON.writeValueAsString(json(r)),
                StandardCharsets.UTF_8);
        Files.writeString(r.folder().resolve("scaleout.md"), markdown(r), StandardCharsets.UTF_8);
    }

    static void print(ScaleOutRun.Result r, PrintStream out) {
        out.print(table(r));
        out.println("report: " + r.folder().resolve("scaleout.md") + " and scaleout.json");
    }

    /** The table the command prints, and the report holds: every phase, then each cluster. */
    static String table(ScaleOutRun.Result r) {
        StringBuilder s = new StringBuilder();
        s.append(
                String.format(
                        Locale.ROOT,
                        "%-6s %-9s %-8s %-16s %10s %9s  %s%n",
                        "phase",
                        "kind",
                        "cluster",
                        "rack",
                        "recoveryS",
                        "ledger s",
                        "restarted"));
        for (ScaleOutRun.Recovery x : r.phases()) {
            s.append(
                    String.format(
                            Locale.ROOT,
                            "%-6d %-9s %-8s %-16s %10s %9s  %d/%d%n",
                            x.phase(),
                            x.together() ? "together" : "alone",
                            x.cluster(),
                            shape(x),
                            seconds(x.recoveryS()),
                            x.ledgerS() < 0 ? "-" : String.format(Locale.ROOT, "%.1f", x.ledgerS()),
                            x.restarted(),
                            x.haVms()));
        }
        s.append('\n');
        s.append(
                String.format(
                        Locale.ROOT,
                        "%-8s %-20s %8s %-20s %10s %7s  %s%n",
                        "cluster",
                        "alone s (phases)",
                        "median",
                        "together s (phases)",
                        "median",
                        "ratio",
                        "within " + percent(r.options().tolerance())));
        for (ScaleOutRun.Row row : r.rows()) {
            s.append(
                    String.format(
                            Locale.ROOT,
                            "%-8s %-20s %8s %-20s %10s %7s  %s%n",
                            row.cluster(),
                            each(row, row.alone()),
                            seconds(row.aloneS()),
                            each(row, row.together()),
                            seconds(row.togetherS()),
                            Double.isNaN(row.ratio())
                                    ? "-"
                                    : String.format(Locale.ROOT, "%.3f", row.ratio()),
                            row.within() ? "yes" : "NO"));
        }
        boolean byJob = r.rows().stream().allMatch(ScaleOutRun.Row::byJob);
        s.append(
                byJob
                        ? "compared: the job's recoveryS (failure start to the last successful"
                                + " restart), the median of each cluster's phases\n"
                        : "compared: the fleet's ledger (the failure to the last successful"
                                + " restart), the median of each cluster's phases, where the job's"
                                + " figures carry no recoveryS\n");
        ChaosVerdict v = r.verdict();
        long failed = v.recoveries().stream().mapToLong(ChaosVerdict.Recovery::vms).sum();
        long restarted = v.recoveries().stream().mapToLong(ChaosVerdict.Recovery::restarted).sum();
        s.append(
                String.format(
                        Locale.ROOT,
                        "ledger: %d failed HA VMs, %d restarted; %d lost, %d restarted twice, %d"
                                + " commands executed twice, %d healthy hosts fenced, %d VMs on"
                                + " two hosts at once%n",
                        failed,
                        restarted,
                        v.vmsLost().size(),
                        v.vmsRestartedMoreThanOnce().size(),
                        v.commandsRunTwice().size(),
                        v.healthyHostsFenced().size(),
                        v.vmsOnTwoHosts().size()));
        s.append(
                r.passed()
                        ? "PASSED: every cluster recovers together as fast as alone, within "
                                + percent(r.options().tolerance())
                                + "\n"
                        : "FAILED: a cluster is not within "
                                + percent(r.options().tolerance())
                                + " or the ledger is not clean\n");
        return s.toString();
    }

    private static String markdown(ScaleOutRun.Result r) {
        ScaleOutRun.Options o = r.options();
        StringBuilder s = new StringBuilder("# vmres scale-out run\n\n");
        s.append(
                String.format(
                        Locale.ROOT,
                        "Fleet: %d clusters of %d hosts, %d VMs each (%d hosts); the job at"
                                + " parallelism %d, maxInFlightPerCluster %d; hypervisor calls"
                                + " log-normal around %.1f s (sigma %.2f); seed %d. A rack of each"
                                + " of %d clusters fails alone, one cluster after the other, and"
                                + " the same racks in all %d at once, in %d rounds of alternating"
                                + " order (%s); after each phase the racks are repaired, their VMs"
                                + " moved back to them (failback) and the job settles %d s, so that"
                                + " every phase fails the same VMs. Recovery time: the job's `recoveryS`"
                                + " (failure start to the last successful restart); the ledger's:"
                                + " the failure to its last successful restart as the fleet saw"
                                + " it. Each cluster's figure is the median of its phases.%n%n",
                        o.clusters(),
                        o.hostsPerCluster(),
                        o.vmsPerHost(),
                        o.clusters() * o.hostsPerCluster(),
                        o.parallelism(),
                        o.maxInFlightPerCluster(),
                        o.latencyMedian().toMillis() / 1e3,
                        o.latencySigma(),
                        o.seed(),
                        o.racks(),
                        o.racks(),
                        o.rounds(),
                        String.join(", ", ScaleOutRun.order(o.rounds())),
                        o.settle().toSeconds()));
        s.append("```\n").append(table(r)).append("```\n\n");
        s.append(
                "| phase | kind | cluster | rack | hosts | HA VMs | restarted | recoveryS | ledger s |"
                        + " incidents |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (ScaleOutRun.Recovery x : r.phases()) {
            mdRow(s, x);
        }
        return s.toString();
    }

    private static void mdRow(StringBuilder s, ScaleOutRun.Recovery x) {
        s.append(
                String.format(
                        Locale.ROOT,
                        "| %d | %s | %s | %s | %d | %d | %d | %s | %s | %s |%n",
                        x.phase(),
                        x.together() ? "together" : "alone",
                        x.cluster(),
                        x.rack(),
                        x.hosts(),
                        x.haVms(),
                        x.restarted(),
                        seconds(x.recoveryS()),
                        x.ledgerS() < 0 ? "-" : String.format(Locale.ROOT, "%.1f", x.ledgerS()),
                        String.join(", ", x.incidents())));
    }

    private static ObjectNode json(ScaleOutRun.Result r) {
        ScaleOutRun.Options o = r.options();
        ObjectNode n = JSON.createObjectNode();
        n.put("passed", r.passed());
        n.putObject("options")
                .put("clusters", o.clusters())
                .put("hostsPerCluster", o.hostsPerCluster())
                .put("vmsPerHost", o.vmsPerHost())
                .put("racksAtOnce", o.racks())
                .put("rounds", o.rounds())
                .put("settleS", o.settle().toSeconds())
                .put("parallelism", o.parallelism())
                .put("seed", o.seed())
                .put("tolerance", o.tolerance())
                .put("maxInFlightPerCluster", o.maxInFlightPerCluster())
                .put("latencyMedianS", o.latencyMedian().toMillis() / 1e3)
                .put("latencySigma", o.latencySigma());
        var rows = n.putArray("clusters");
        for (ScaleOutRun.Row row : r.rows()) {
            ObjectNode c = rows.addObject();
            c.put("cluster", row.cluster());
            putSeconds(c, "aloneS", row.aloneS());
            putSeconds(c, "togetherS", row.togetherS());
            if (Double.isNaN(row.ratio())) {
                c.putNull("ratio");
            } else {
                c.put("ratio", Math.round(row.ratio() * 1000) / 1000.0);
            }
            c.put("within", row.within());
            c.put("comparedOn", row.byJob() ? "recoveryS" : "ledger");
        }
        var phases = n.putArray("phases");
        for (ScaleOutRun.Recovery x : r.phases()) {
            recovery(phases.addObject(), x);
        }
        ChaosVerdict v = r.verdict();
        n.putObject("ledger")
                .put("vmsLost", v.vmsLost().size())
                .put("vmsRestartedMoreThanOnce", v.vmsRestartedMoreThanOnce().size())
                .put("commandsExecutedTwice", v.commandsRunTwice().size())
                .put("healthyHostsFenced", v.healthyHostsFenced().size())
                .put("vmsOnTwoHostsAtOnce", v.vmsOnTwoHosts().size());
        return n;
    }

    private static void putSeconds(ObjectNode n, String field, double s) {
        if (Double.isNaN(s)) {
            n.putNull(field);
        } else {
            n.put(field, Math.round(s * 1000) / 1000.0);
        }
    }

    private static String each(ScaleOutRun.Row row, java.util.List<ScaleOutRun.Recovery> rs) {
        return String.join(
                ", ",
                rs.stream().map(x -> seconds(row.measure(x)) + " (" + x.phase() + ")").toList());
    }

    private static void recovery(ObjectNode n, ScaleOutRun.Recovery x) {
        n.put("phase", x.phase()).put("together", x.together()).put("cluster", x.cluster());
        n.put("rack", x.rack()).put("hosts", x.hosts()).put("haVms", x.haVms());
        n.put("restarted", x.restarted());
        if (x.recoveryS() == null) {
            n.putNull("recoveryS");
        } else {
            n.put("recoveryS", x.recoveryS());
        }
        n.put("ledgerS", x.ledgerS());
        x.incidents().forEach(n.putArray("incidents")::add);
    }

    private static String shape(ScaleOutRun.Recovery x) {
        return x.rack() + " " + x.hosts() + "h/" + x.haVms() + "vm";
    }

    private static String seconds(Double s) {
        return s == null || s.isNaN() ? "-" : String.format(Locale.ROOT, "%.1f", s);
    }

    private static String percent(double f) {
        return String.format(Locale.ROOT, "%.0f%%", f * 100);
    }
}
