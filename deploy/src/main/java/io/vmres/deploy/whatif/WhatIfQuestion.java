package io.vmres.deploy.whatif;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmres.deploy.commands.Plan;
import io.vmres.deploy.commands.Recorder;
import io.vmres.deploy.commands.Words;
import io.vmres.engine.Times;
import io.vmres.engine.whatif.Failure;
import io.vmres.engine.whatif.WhatIf;
import io.vmres.engine.whatif.WhatIfAnswer;
import io.vmres.engine.whatif.WhatIfAnswer.ClusterAnswer;
import io.vmres.engine.whatif.WhatIfAnswer.HostDown;
import io.vmres.engine.whatif.WhatIfAnswer.Restart;
import io.vmres.engine.whatif.WhatIfAnswer.Unplaced;
import io.vmres.schema.KafkaEndpoint;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code vmres whatif}: the fleet state of a recording at a time (or of a running vmres, read from
 * its input topics), then {@link WhatIf} on it; the answer for people and as JSON.
 */
public final class WhatIfQuestion {
    private WhatIfQuestion() {}

    /**
     * The fleet state the question was asked of, how long it took to read, the answer, and the CPU
     * time of the answer (its thread's; on a loaded machine, the wall time is longer).
     */
    public record Asked(
            Plan.Engines state, double loadSeconds, WhatIfAnswer answer, double answerCpuMs) {}

    /** Reads the recording up to {@code at} (null: its last event; see Plan.engines), then asks. */
    public static Asked ask(Path recording, Long at, Long since, List<Failure> failures)
            throws Exception {
        long t0 = System.nanoTime();
        Plan.Engines state = Plan.engines(recording, at, since);
        double load = (System.nanoTime() - t0) / 1e9;
        return timed(state, load, failures);
    }

    /** Reads the input topics of the Kafka at {@code bootstrap} to their end, then asks. */
    public static Asked askKafka(KafkaEndpoint kafka, List<Failure> failures, PrintStream progress)
            throws Exception {
        long t0 = System.nanoTime();
        Path file = Files.createTempFile("vmres-whatif-", ".jsonl");
        try {
            try (Recorder r =
                    Recorder.builder(kafka, file)
                            .untilEnd(true)
                            .progress(progress, Duration.ofSeconds(5))
                            .build()) {
                r.run();
            }
            Plan.Engines state = Plan.engines(file, null, null);
            double load = (System.nanoTime() - t0) / 1e9;
            return timed(state, load, failures);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static Asked timed(Plan.Engines state, double load, List<Failure> failures) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        boolean cpu = threads.isCurrentThreadCpuTimeSupported();
        long c0 = cpu ? threads.getCurrentThreadCpuTime() : 0;
        WhatIfAnswer a = ask(state, failures);
        double cpuMs = cpu ? (threads.getCurrentThreadCpuTime() - c0) / 1e6 : Double.NaN;
        return new Asked(state, load, a, cpuMs);
    }

    /** The question on a fleet state already read; its answer carries the time it took. */
    public static WhatIfAnswer ask(Plan.Engines state, List<Failure> failures) {
        long t0 = System.nanoTime();
        WhatIfAnswer a = WhatIf.ask(state.engines().values(), state.at(), failures);
        return a.withAnswerMs((System.nanoTime() - t0) / 1e6);
    }

    /** The answer for people. */
    public static void print(Asked asked, PrintWriter out) {
        WhatIfAnswer a = asked.answer();
        out.printf(
                Locale.ROOT,
                "what if %s fail%s right after %s?%n",
                String.join(" and ", a.failures()),
                a.failures().size() == 1 ? "s" : "",
                Times.format(a.at()));
        for (String u : a.unmatched()) {
            out.printf("  %s names no registered host: nothing fails for it%n", u);
        }
        for (ClusterAnswer c : a.clusters()) {
            out.printf(
                    Locale.ROOT,
                    "cluster %s: %s down%s%n",
                    c.cluster(),
                    Words.count(c.hosts().size(), "host"),
                    c.failedRacks().isEmpty() && c.failedPowerDomains().isEmpty()
                            ? ""
                            : ", failed domains (never targets): "
                                    + String.join(
                                            ", ", concat(c.failedRacks(), c.failedPowerDomains())));
            for (HostDown h : c.hosts()) {
                out.printf(
                        Locale.ROOT,
                        "  %-10s last heartbeat %s, declared %s (+%.1f s), %s; %d HA VM%s, %d not HA%n",
                        h.host(),
                        Times.format(h.lastHeartbeat()),
                        Times.format(h.declared()),
                        (h.declared() - h.lastHeartbeat()) / 1000.0,
                        proof(h.proof()),
                        h.haVms(),
                        h.haVms() == 1 ? "" : "s",
                        h.otherVms());
            }
            for (WhatIfAnswer.Round r : c.rounds()) {
                out.printf(
                        Locale.ROOT,
                        "  planning round at %s: %s of %s, %s%n",
                        Times.format(r.at()),
                        Words.count(r.vms(), "VM"),
                        String.join(", ", r.hosts()),
                        r.prestaged() ? "from the prestaged plan" : "placed afresh");
            }
            TreeMap<String, Integer> perTarget = new TreeMap<>();
            c.restarts().forEach(r -> perTarget.merge(r.to(), 1, Integer::sum));
            out.printf(
                    Locale.ROOT,
                    "  restarts: %s on %s (at most %d on one)%n",
                    Words.count(c.restarts().size(), "VM"),
                    Words.count(perTarget.size(), "target"),
                    c.maxPerTarget());
            for (Restart r : c.restarts()) {
                out.printf(
                        Locale.ROOT,
                        "    %-12s %s -> %-10s priority %4d  restart %s, up at +%.1f s%n",
                        r.vm(),
                        r.from(),
                        r.to(),
                        r.priority(),
                        Times.format(r.restartAt()),
                        c.failureStart() == null
                                ? 0.0
                                : (r.recoveredAt() - c.failureStart()) / 1000.0);
            }
            if (!c.unplaced().isEmpty()) {
                out.printf("  unplaced: %s%n", Words.count(c.unplaced().size(), "VM"));
                for (Unplaced u : c.unplaced()) {
                    out.printf(
                            Locale.ROOT,
                            "    %-12s from %s, priority %d: %s%n",
                            u.vm(),
                            u.from(),
                            u.priority(),
                            u.reason());
                }
            }
            if (!c.awaitingConfirmation().isEmpty()) {
                out.printf(
                        "  waiting for an operator's confirmation (no BMC): %s%n",
                        String.join(", ", c.awaitingConfirmation()));
            }
            if (c.recoveryS() != null) {
                out.printf(
                        Locale.ROOT,
                        "  predicted recovery: %.1f s from the last heartbeat (%s) to the last"
                                + " restart (%s)%n",
                        c.recoveryS(),
                        Times.format(c.failureStart()),
                        Times.format(c.lastRecovery()));
            } else {
                out.println("  predicted recovery: nothing to restart");
            }
        }
        out.printf(
                Locale.ROOT,
                "answered in %.1f ms, %.1f ms of CPU (fleet state of %s read in %.2f s)%n",
                a.answerMs(),
                asked.answerCpuMs(),
                Words.count(hosts(asked.state()), "host"),
                asked.loadSeconds());
        out.flush();
    }

    private static int hosts(Plan.Engines s) {
        int n = 0;
        for (var e : s.engines().values()) {
            n += e.planning().ledger().hosts().size();
        }
        return n;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        java.util.ArrayList<String> l = new java.util.ArrayList<>(a);
        l.addAll(b);
        return l;
    }

    private static String proof(String p) {
        return switch (p) {
            case "power-off" -> "known down by its power reading off";
            case "needs-confirmation" -> "no BMC: needs an operator's confirmation";
            case "telemetry-outage" -> "part of a telemetry outage: no action without power proof";
            default -> "already down before the question";
        };
    }

    /**
     * The answer as one JSON object: instants as timestamps, each restart with its target and
     * times, each unplaced VM with its reason, the predicted recovery time per cluster.
     */
    public static String json(WhatIfAnswer a) throws Exception {
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = m.createObjectNode();
        root.put("at", Times.format(a.at()));
        root.set("failures", m.valueToTree(a.failures()));
        root.set("unmatched", m.valueToTree(a.unmatched()));
        root.put("answerMs", Math.round(a.answerMs() * 10) / 10.0);
        root.put("vmsRestarted", a.vmsRestarted());
        root.put("vmsUnplaced", a.vmsUnplaced());
        if (a.recoveryS() == null) {
            root.putNull("recoveryS");
        } else {
            root.put("recoveryS", a.recoveryS());
        }
        ArrayNode clusters = root.putArray("clusters");
        for (ClusterAnswer c : a.clusters()) {
            ObjectNode cn = clusters.addObject();
            cn.put("cluster", c.cluster());
            ArrayNode hosts = cn.putArray("hosts");
            for (HostDown h : c.hosts()) {
                ObjectNode hn = hosts.addObject();
                hn.put("host", h.host());
                hn.put("rack", h.rack());
                hn.put("powerDomain", h.powerDomain());
                hn.put("lastHeartbeat", Times.format(h.lastHeartbeat()));
                hn.put("declared", Times.format(h.declared()));
                hn.put("proof", h.proof());
                hn.put("haVms", h.haVms());
                hn.put("otherVms", h.otherVms());
            }
            cn.set("failedRacks", m.valueToTree(c.failedRacks()));
            cn.set("failedPowerDomains", m.valueToTree(c.failedPowerDomains()));
            ArrayNode rounds = cn.putArray("rounds");
            for (WhatIfAnswer.Round r : c.rounds()) {
                ObjectNode rn = rounds.addObject();
                rn.put("at", Times.format(r.at()));
                rn.set("hosts", m.valueToTree(r.hosts()));
                rn.put("prestaged", r.prestaged());
                rn.put("vms", r.vms());
            }
            ArrayNode restarts = cn.putArray("restarts");
            for (Restart r : c.restarts()) {
                ObjectNode rn = restarts.addObject();
                rn.put("vm", r.vm());
                rn.put("from", r.from());
                rn.put("to", r.to());
                rn.put("priority", r.priority());
                rn.put("prestaged", r.prestaged());
                rn.put("mapAt", r.mapAt() == null ? null : Times.format(r.mapAt()));
                rn.put("restartAt", Times.format(r.restartAt()));
                rn.put("recoveredAt", Times.format(r.recoveredAt()));
            }
            cn.set("unplaced", m.valueToTree(c.unplaced()));
            cn.set("awaitingConfirmation", m.valueToTree(c.awaitingConfirmation()));
            cn.put(
                    "failureStart",
                    c.failureStart() == null ? null : Times.format(c.failureStart()));
            cn.put(
                    "lastRecovery",
                    c.lastRecovery() == null ? null : Times.format(c.lastRecovery()));
            if (c.recoveryS() == null) {
                cn.putNull("recoveryS");
            } else {
                cn.put("recoveryS", c.recoveryS());
            }
            cn.put("maxPerTarget", c.maxPerTarget());
        }
        return m.writeValueAsString(root);
    }

    /** vm -> target of every restart of the answer, for comparisons. */
    public static Map<String, String> targets(WhatIfAnswer a) {
        TreeMap<String, String> t = new TreeMap<>();
        a.clusters().forEach(c -> c.restarts().forEach(r -> t.put(r.vm(), r.to())));
        return t;
    }
}
