package io.vmres.deploy.commands;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmres.engine.ClusterEngine;
import io.vmres.engine.EngineOptions;
import io.vmres.engine.Times;
import io.vmres.engine.plan.Admission;
import io.vmres.engine.plan.FleetPlanning;
import io.vmres.engine.plan.HostPlan;
import io.vmres.engine.plan.PlanHost;
import io.vmres.engine.recording.ClusterRouter;
import io.vmres.engine.recording.RecordingReader;
import io.vmres.engine.recording.ReplayDriver;
import io.vmres.engine.recording.ReplayOutputs;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code vmres plan}: a recording through the engines (no Flink, no Kafka) up to a time, then the
 * prestaged plan of every host of every cluster and the admission view.
 */
public final class Plan {
    private Plan() {}

    /**
     * Each cluster's planning at the instant {@code at}; {@code events} and {@code deadLetters}
     * count the recording's lines read (all of them), {@code lastTs} is its last event's time (null
     * without events).
     */
    public record Snapshot(
            long at,
            Map<String, FleetPlanning> clusters,
            long events,
            long deadLetters,
            Long lastTs) {}

    /**
     * Replays the recording's events up to and including {@code at} (null: its last event).
     *
     * @param since when not null, {@code at} is that many ms after the recording's first event
     */
    public static Snapshot at(Path recording, Long at, Long since) throws Exception {
        Engines e = engines(recording, at, since);
        Map<String, FleetPlanning> clusters = new TreeMap<>();
        e.engines().forEach((k, engine) -> clusters.put(k, engine.planning()));
        return new Snapshot(e.at(), clusters, e.events(), e.deadLetters(), e.lastTs());
    }

    /** Each cluster's engine at the instant {@code at}, with the same counts as a snapshot. */
    public record Engines(
            long at,
            Map<String, ClusterEngine> engines,
            long events,
            long deadLetters,
            Long lastTs) {}

    /** The engines of the recording's clusters after its events up to {@code at} (see at). */
    public static Engines engines(Path recording, Long at, Long since) throws Exception {
        TreeMap<String, ClusterEngine> engines = new TreeMap<>();
        ReplayOutputs outputs = new ReplayOutputs();
        ClusterRouter router = new ClusterRouter();
        long limit = Long.MAX_VALUE;
        Long first = null;
        long last = Long.MIN_VALUE;
        long recordingLast = Long.MIN_VALUE;
        try (RecordingReader reader = RecordingReader.open(recording, Map.of())) {
            ReplayDriver driver =
                    new ReplayDriver(
                            reader.settings(),
                            router::route,
                            (cluster, settings) -> {
                                ClusterEngine e =
                                        new ClusterEngine(
                                                cluster, settings, EngineOptions.simulated());
                                engines.put(cluster, e);
                                return e;
                            },
                            outputs);
            if (at != null) {
                limit = at;
            }
            while (reader.hasNext()) {
                RecordingReader.Item item = reader.next();
                if (item instanceof RecordingReader.EventItem e) {
                    long ts = e.event().ts();
                    recordingLast = Math.max(recordingLast, ts);
                    if (first == null) {
                        first = ts;
                        if (since != null) {
                            limit = ts + since;
                        }
                    }
                    if (ts <= limit) {
                        last = Math.max(last, ts);
                        driver.offer(e.event());
                    }
                    driver.watermark(
                            Math.min(
                                    reader.watermark(),
                                    limit == Long.MAX_VALUE ? limit : limit + 1));
                }
            }
            long end = limit == Long.MAX_VALUE ? last : limit;
            if (end != Long.MIN_VALUE) {
                driver.watermark(end + 1);
            }
            // The events of hosts never registered have an engine of their own, with no fleet.
            engines.remove(ClusterRouter.UNKNOWN);
            return new Engines(
                    end,
                    engines,
                    reader.events(),
                    reader.deadLetters(),
                    first == null ? null : recordingLast);
        }
    }

    /**
     * What a person must know before reading the plans: a file with no valid event (not a
     * recording, most likely), or a time after the last event (the engines then see every host
     * silent from its last event on, and declare what that silence means). Empty when nothing.
     */
    public static java.util.List<String> warnings(Path recording, Snapshot s) {
        java.util.List<String> w = new java.util.ArrayList<>();
        if (s.events() == 0) {
            w.add(
                    String.format(
                            java.util.Locale.ROOT,
                            "warning: %s holds no valid event%s: is it a recording?"
                                    + " (docs/recording-format.md)",
                            recording,
                            s.deadLetters() == 0
                                    ? ""
                                    : ", only " + Words.count(s.deadLetters(), "dead letter")));
        } else if (s.lastTs() != null && s.at() > s.lastTs()) {
            w.add(
                    String.format(
                            java.util.Locale.ROOT,
                            "warning: %s is %.1f s after the recording's last event (%s): every"
                                    + " host is taken as silent since then, as if its telemetry"
                                    + " had stopped",
                            Times.format(s.at()),
                            (s.at() - s.lastTs()) / 1000.0,
                            Times.format(s.lastTs())));
        }
        return w;
    }

    /** Prints each cluster's host plans and admission view for people. */
    public static void print(Snapshot s, PrintWriter out) {
        if (s.clusters().isEmpty()) {
            out.println("no cluster in the recording");
            return;
        }
        for (Map.Entry<String, FleetPlanning> c : s.clusters().entrySet()) {
            FleetPlanning p = c.getValue();
            Admission a = Admission.of(p.ledger(), p.plans(), c.getKey());
            out.printf(
                    "cluster %s at %s: %s, %s, %s%n",
                    c.getKey(),
                    Times.format(s.at()),
                    Words.count(a.hosts(), "host"),
                    Words.count(a.racks(), "rack"),
                    Words.count(a.powerDomains(), "power domain"));
            out.println("plans (where each HA VM of a host goes if the host fails now):");
            for (PlanHost h : p.ledger().hosts()) {
                HostPlan hp = p.plans().plan(h.id());
                if (hp == null) {
                    continue;
                }
                StringBuilder line = new StringBuilder("  " + h.id());
                if (!h.up()) {
                    line.append(" (failed)");
                } else if (!h.open()) {
                    line.append(" (takes no VMs now)");
                }
                line.append(':');
                if (hp.targets().isEmpty() && hp.unplaced().isEmpty()) {
                    line.append(" no HA VM");
                }
                hp.targets()
                        .forEach((vm, t) -> line.append(' ').append(vm).append(" -> ").append(t));
                for (String vm : hp.unplaced()) {
                    line.append(' ').append(vm).append(" -> UNPLACED");
                }
                out.println(line);
            }
            if (a.risks().isEmpty()) {
                out.printf(
                        "admission: every single host, rack and power domain failure leaves no HA VM"
                                + " unplaced%n");
            } else {
                out.printf(
                        "admission: %s would leave HA VMs unplaced%n",
                        Words.count(a.risks().size(), "failure"));
                for (Admission.Risk r : a.risks()) {
                    out.printf(
                            "  %-12s %s leaves %d HA VM%s unplaced: %s%s%n",
                            r.kind(),
                            r.id(),
                            r.unplacedVms(),
                            r.unplacedVms() == 1 ? "" : "s",
                            String.join(", ", r.vms()),
                            r.unplacedVms() > r.vms().size() ? ", ..." : "");
                }
            }
        }
        out.flush();
    }

    /**
     * The same as one JSON object: {at, clusters: [{cluster, plans: {host: {...}}, admission}]}.
     */
    public static String json(Snapshot s) throws Exception {
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = m.createObjectNode();
        root.put("at", Times.format(s.at()));
        ArrayNode clusters = root.putArray("clusters");
        for (Map.Entry<String, FleetPlanning> c : s.clusters().entrySet()) {
            FleetPlanning p = c.getValue();
            ObjectNode cn = clusters.addObject();
            cn.put("cluster", c.getKey());
            ObjectNode plans = cn.putObject("plans");
            for (Map.Entry<String, HostPlan> e : p.plans().plans().entrySet()) {
                ObjectNode hn = plans.putObject(e.getKey());
                PlanHost h = p.ledger().host(e.getKey());
                hn.put("up", h != null && h.up());
                hn.set("targets", m.valueToTree(e.getValue().targets()));
                hn.set("unplaced", m.valueToTree(e.getValue().unplaced()));
            }
            Admission a = Admission.of(p.ledger(), p.plans(), c.getKey());
            cn.set("admission", m.valueToTree(a));
        }
        return m.writeValueAsString(root);
    }
}
