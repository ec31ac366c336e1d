package io.vmres.deploy.shadow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vmres.deploy.commands.Plan;
import io.vmres.deploy.shadow.IncumbentAction.Kind;
import io.vmres.engine.ClusterEngine;
import io.vmres.engine.Times;
import io.vmres.engine.event.Heartbeat;
import io.vmres.engine.fleet.Fleet;
import io.vmres.engine.fleet.HostState;
import io.vmres.engine.fleet.VmState;
import io.vmres.engine.plan.Admission;
import io.vmres.engine.plan.Exclusions;
import io.vmres.engine.plan.FleetPlanning;
import io.vmres.engine.plan.Ledger;
import io.vmres.engine.plan.PlanHost;
import io.vmres.engine.plan.VmMove;
import io.vmres.engine.recording.RecordingReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * vmres beside an incumbent HA manager, incident by incident: who declared each host failed first
 * and by how much, which VMs each restarted and where and when, the incumbent's placements vmres's
 * rules refuse (capacity, anti-affinity, a failed host or domain) and vmres's targets the incumbent
 * held down, each side's recovery time, false alarms (a host declared down while the recording
 * still has its heartbeats), and the VMs each never brought back. Written as {@code
 * shadow-report.md} with one SVG plot per incident, and {@code shadow-report.json}.
 */
public final class ShadowReport {
    private ShadowReport() {}

    /** A host's declarations by each side; null where a side never declared it. */
    public record HostFigure(
            String host,
            Long vmresDeclared,
            Long incumbentDeclared,
            String first,
            Double leadS,
            boolean vmresFalseAlarm,
            boolean incumbentFalseAlarm) {}

    /**
     * A VM of a failed host: each side's target and the instant it ran again; the rule of vmres the
     * incumbent's placement breaks; whether vmres's target was a host the incumbent held down.
     */
    public record VmFigure(
            String vm,
            String from,
            String vmresTarget,
            Long vmresUp,
            String incumbentTarget,
            Long incumbentUp,
            String vmresWouldRefuse,
            String incumbentWouldRefuse) {}

    /** One incident: the hosts that failed together, as vmres grouped them (or the incumbent). */
    public record Incident(
            String id,
            List<String> hosts,
            Long failureStart,
            List<HostFigure> declarations,
            List<VmFigure> vms,
            Double vmresRecoveryS,
            Double incumbentRecoveryS,
            List<String> notBroughtBackByIncumbent,
            List<String> notBroughtBackByVmres) {}

    /** The whole comparison. */
    public record Report(String incumbent, List<Incident> incidents, List<String> skippedLines) {}

    /**
     * What vmres decided, as the comparison needs it.
     *
     * @param incidentHosts the hosts of each failure incident, in the order they were named
     * @param declared the instant vmres first declared each host
     * @param target the target of each VM's first successful restart
     * @param up the instant each VM's first restart succeeded
     * @param recoveryS each incident's recovery time, once it has one
     * @param failureStart each incident's failure instant (its opening less its detection time)
     * @param heartbeatTimeoutMs the heartbeat timeout vmres ran with
     */
    public record VmresSide(
            Map<String, List<String>> incidentHosts,
            Map<String, Long> declared,
            Map<String, String> target,
            Map<String, Long> up,
            Map<String, Double> recoveryS,
            Map<String, Long> failureStart,
            long heartbeatTimeoutMs) {}

    /**
     * Compares a replay's decisions (its output folder) with the incumbent's actions over the same
     * recording.
     */
    public static Report compare(
            Path recording, Path replayOut, IncumbentFormat.Read incumbent, String name)
            throws Exception {
        return compare(recording, replayed(replayOut), incumbent, name);
    }

    /** What a replay decided, from its output folder. */
    static VmresSide replayed(Path replayOut) throws IOException {
        ObjectMapper m = new ObjectMapper();
        // vmres: failure incidents, the instant each names a host, their restarts and successes
        LinkedHashMap<String, List<String>> incHosts = new LinkedHashMap<>();
        Map<String, Long> vmresDeclared = new TreeMap<>();
        for (JsonNode l : lines(m, replayOut.resolve("incidents.jsonl"))) {
            String kind = l.get("kind").asText();
            if (!kind.equals("HOST_FAILURE") && !kind.equals("NEEDS_CONFIRMATION")) {
                continue;
            }
            List<String> hs =
                    incHosts.computeIfAbsent(l.get("incidentId").asText(), k -> new ArrayList<>());
            for (JsonNode h : l.get("hosts")) {
                if (!hs.contains(h.asText())) {
                    hs.add(h.asText());
                }
                vmresDeclared.putIfAbsent(h.asText(), Times.parse(l.get("ts").asText()));
            }
        }
        Map<String, JsonNode> restarts = new TreeMap<>();
        for (JsonNode c : lines(m, replayOut.resolve("commands.jsonl"))) {
            if (c.get("action").asText().equals("RESTART_VM")) {
                restarts.put(c.get("commandId").asText(), c);
            }
        }
        Map<String, String> vmresTarget = new TreeMap<>();
        Map<String, Long> vmresUp = new TreeMap<>();
        for (JsonNode r : lines(m, replayOut.resolve("results.jsonl"))) {
            JsonNode c = restarts.get(r.get("commandId").asText());
            if (c != null && r.get("status").asText().equals("SUCCEEDED")) {
                String vm = c.get("vm").asText();
                vmresTarget.putIfAbsent(vm, c.get("target").asText());
                vmresUp.putIfAbsent(vm, Times.parse(r.get("ts").asText()));
            }
        }
        Map<String, Double> vmresRecovery = new TreeMap<>();
        Map<String, Long> failureStart = new TreeMap<>();
        JsonNode summary = m.readTree(replayOut.resolve("summary.json").toFile());
        for (JsonNode i : summary.path("incidents")) {
            String id = i.get("incidentId").asText();
            long opened = Times.parse(i.get("openedTs").asText());
            failureStart.put(id, opened - Math.round(i.get("detectionS").asDouble() * 1000));
            if (i.hasNonNull("recoveryS")) {
                vmresRecovery.put(id, i.get("recoveryS").asDouble());
            }
        }
        return new VmresSide(
                incHosts,
                vmresDeclared,
                vmresTarget,
                vmresUp,
                vmresRecovery,
                failureStart,
                settingsTimeout(summary));
    }

    /** Compares vmres's decisions with the incumbent's actions over the same recording. */
    public static Report compare(
            Path recording, VmresSide vmres, IncumbentFormat.Read incumbent, String name)
            throws Exception {
        LinkedHashMap<String, List<String>> incHosts = new LinkedHashMap<>();
        vmres.incidentHosts().forEach((id, hs) -> incHosts.put(id, new ArrayList<>(hs)));
        Map<String, Long> vmresDeclared = vmres.declared();
        Map<String, String> vmresTarget = vmres.target();
        Map<String, Long> vmresUp = vmres.up();
        Map<String, Double> vmresRecovery = vmres.recoveryS();
        Map<String, Long> failureStart = vmres.failureStart();
        // the incumbent: first declaration per host, first restart per VM
        Map<String, Long> incDeclared = new TreeMap<>();
        Map<String, IncumbentAction> incRestart = new TreeMap<>();
        for (IncumbentAction a : incumbent.actions()) {
            if (a.kind() == Kind.HOST_DOWN) {
                incDeclared.putIfAbsent(a.host(), a.ts());
            } else if (a.kind() == Kind.VM_RESTARTED) {
                incRestart.putIfAbsent(a.vm(), a);
            }
        }
        // incidents the incumbent alone declared
        TreeSet<String> covered = new TreeSet<>();
        incHosts.values().forEach(covered::addAll);
        for (String h : incDeclared.keySet()) {
            if (!covered.contains(h)) {
                incHosts.put("incumbent-" + h, List.of(h));
            }
        }
        Set<String> declaredHosts = new TreeSet<>(vmresDeclared.keySet());
        declaredHosts.addAll(incDeclared.keySet());
        Map<String, List<Long>> beats = heartbeats(recording, declaredHosts);
        long timeout = vmres.heartbeatTimeoutMs();

        List<Incident> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : incHosts.entrySet()) {
            List<String> hosts = e.getValue();
            long first = Long.MAX_VALUE;
            List<HostFigure> decl = new ArrayList<>();
            for (String h : hosts) {
                Long v = vmresDeclared.get(h);
                Long i = incDeclared.get(h);
                first =
                        Math.min(
                                first,
                                Math.min(
                                        v == null ? Long.MAX_VALUE : v,
                                        i == null ? Long.MAX_VALUE : i));
                String who =
                        v == null
                                ? "incumbent"
                                : i == null ? "vmres" : v <= i ? "vmres" : "incumbent";
                decl.add(
                        new HostFigure(
                                h,
                                v,
                                i,
                                who,
                                v == null || i == null ? null : Math.abs(v - i) / 1000.0,
                                v != null && talking(beats.get(h), v, timeout),
                                i != null && talking(beats.get(h), i, timeout)));
            }
            // the fleet just before the first declaration: the hosts' VMs and the rules
            Plan.Engines state = Plan.engines(recording, first - 1, null);
            Long start = failureStart.get(e.getKey());
            if (start == null) {
                start = lastBeatBefore(beats.get(hosts.get(0)), first);
            }
            List<VmFigure> vms =
                    vms(state, hosts, vmresTarget, vmresUp, incRestart, incDeclared, first);
            Long incLast = null;
            List<String> notInc = new ArrayList<>();
            List<String> notVmres = new ArrayList<>();
            for (VmFigure v : vms) {
                if (v.incumbentUp() != null) {
                    incLast =
                            incLast == null ? v.incumbentUp() : Math.max(incLast, v.incumbentUp());
                } else {
                    notInc.add(v.vm());
                }
                if (v.vmresUp() == null) {
                    notVmres.add(v.vm());
                }
            }
            out.add(
                    new Incident(
                            e.getKey(),
                            hosts,
                            start,
                            decl,
                            vms,
                            vmresRecovery.get(e.getKey()),
                            incLast == null || start == null ? null : (incLast - start) / 1000.0,
                            notInc,
                            notVmres));
        }
        return new Report(name, out, incumbent.skipped());
    }

    private static List<VmFigure> vms(
            Plan.Engines state,
            List<String> hosts,
            Map<String, String> vmresTarget,
            Map<String, Long> vmresUp,
            Map<String, IncumbentAction> incRestart,
            Map<String, Long> incDeclared,
            long at) {
        List<VmFigure> out = new ArrayList<>();
        for (ClusterEngine engine : state.engines().values()) {
            Fleet fleet = engine.fleet();
            List<PlanHost> failing = new ArrayList<>();
            Ledger ledger = FleetPlanning.snapshot(fleet, state.at());
            for (String h : hosts) {
                if (ledger.host(h) != null) {
                    failing.add(ledger.host(h));
                }
            }
            if (failing.isEmpty()) {
                continue;
            }
            Exclusions x = Admission.exclusions(failing);
            for (PlanHost h : failing) {
                ledger.setState(h.id(), false, false);
            }
            List<VmState> owed = new ArrayList<>();
            for (String h : hosts) {
                HostState hs = fleet.hosts().get(h);
                if (hs == null) {
                    continue;
                }
                for (String vm : hs.vms()) {
                    VmState vs = fleet.vms().get(vm);
                    if (vs != null && !vs.ghost() && vs.ha()) {
                        owed.add(vs);
                    }
                }
            }
            // the incumbent's placements in its order, each against vmres's rules and the ones
            // before
            owed.sort(
                    (a, b) ->
                            Long.compare(
                                    incRestart.containsKey(a.id)
                                            ? incRestart.get(a.id).ts()
                                            : Long.MAX_VALUE,
                                    incRestart.containsKey(b.id)
                                            ? incRestart.get(b.id).ts()
                                            : Long.MAX_VALUE));
            TreeMap<String, VmFigure> figures = new TreeMap<>();
            for (VmState vs : owed) {
                IncumbentAction a = incRestart.get(vs.id);
                String refuse = null;
                if (a != null && a.target() != null) {
                    PlanHost t = ledger.host(a.target());
                    VmMove move =
                            new VmMove(
                                    FleetPlanning.planVm(vs),
                                    vs.host(),
                                    engine.cluster(),
                                    fleet.hosts().get(vs.host()).hypervisor(),
                                    true,
                                    Set.of());
                    int rule = t == null ? -1 : Ledger.rule(t, move, x);
                    refuse = rule == Ledger.OK ? null : ruleName(rule, t, x, hosts);
                    if (t != null) {
                        ledger.reserve(t.id(), move.vm());
                    }
                }
                String target = vmresTarget.get(vs.id);
                String incRefuse = null;
                Long down = target == null ? null : incDeclared.get(target);
                if (down != null && vmresUp.get(vs.id) != null && down <= vmresUp.get(vs.id)) {
                    incRefuse = "the incumbent declared " + target + " down";
                }
                figures.put(
                        vs.id,
                        new VmFigure(
                                vs.id,
                                vs.host(),
                                target,
                                vmresUp.get(vs.id),
                                a == null ? null : a.target(),
                                a == null ? null : a.ts(),
                                refuse,
                                incRefuse));
            }
            out.addAll(figures.values());
        }
        return out;
    }

    private static String ruleName(int rule, PlanHost t, Exclusions x, List<String> failed) {
        if (t == null) {
            return "not a host of the fleet";
        }
        return switch (rule) {
            case Ledger.CLOSED ->
                    failed.contains(t.id())
                            ? "its target failed too"
                            : !x.allows(t)
                                    ? "its target is in the failed domain"
                                    : "its target is not alive or takes no VMs";
            case Ledger.CLUSTER -> "its target is in another cluster";
            case Ledger.HYPERVISOR -> "its target runs another hypervisor";
            case Ledger.STORAGE -> "its target lacks the VM's storage domain";
            case Ledger.GROUP -> "anti-affinity: its target already holds a VM of its group";
            case Ledger.CAPACITY -> "capacity: not enough cpu or memory left on its target";
            default -> "its target is a spare";
        };
    }

    /** A host declared down at t while the recording has a heartbeat of it up to t + timeout. */
    private static boolean talking(List<Long> beats, long t, long timeout) {
        if (beats == null) {
            return false;
        }
        for (long b : beats) {
            if (b >= t && b <= t + timeout) {
                return true;
            }
        }
        return false;
    }

    private static Long lastBeatBefore(List<Long> beats, long t) {
        Long last = null;
        if (beats != null) {
            for (long b : beats) {
                if (b <= t) {
                    last = b;
                }
            }
        }
        return last;
    }

    private static long settingsTimeout(JsonNode summary) {
        JsonNode s = summary.path("settings").path("heartbeatTimeout");
        return s.isMissingNode() ? 10_000 : java.time.Duration.parse(s.asText()).toMillis();
    }

    private static Map<String, List<Long>> heartbeats(Path recording, Set<String> hosts)
            throws IOException {
        Map<String, List<Long>> out = new TreeMap<>();
        try (RecordingReader r = RecordingReader.open(recording, Map.of())) {
            while (r.hasNext()) {
                if (r.next() instanceof RecordingReader.EventItem e
                        && e.event() instanceof Heartbeat hb
                        && hosts.contains(hb.host())) {
                    out.computeIfAbsent(hb.host(), k -> new ArrayList<>()).add(hb.ts());
                }
            }
        }
        out.values().forEach(l -> l.sort(null));
        return out;
    }

    private static List<JsonNode> lines(ObjectMapper m, Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (Files.exists(file)) {
            for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!l.isBlank()) {
                    out.add(m.readTree(l));
                }
            }
        }
        return out;
    }

    /** Writes shadow-report.md, shadow-report.json and one SVG per incident into {@code dir}. */
    public static void write(Report r, Path dir) throws IOException {
        Files.createDirectories(dir);
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve("shadow-report.json").toFile(), r);
        Files.writeString(
                dir.resolve("shadow-report.md"), ShadowMarkdown.of(r, dir), StandardCharsets.UTF_8);
    }
}
