package io.vmres.engine.execute;

import io.vmres.engine.ClusterEngine.Hypervisor;
import io.vmres.engine.ExecutionMode;
import io.vmres.engine.Settings;
import io.vmres.engine.Timers;
import io.vmres.engine.Times;
import io.vmres.engine.correlate.Correlation;
import io.vmres.engine.execute.VmJob.Phase;
import io.vmres.engine.fleet.FailedDomains;
import io.vmres.engine.fleet.Fleet;
import io.vmres.engine.fleet.HostState;
import io.vmres.engine.fleet.HostState.Status;
import io.vmres.engine.fleet.VmState;
import io.vmres.engine.incident.HostPart;
import io.vmres.engine.incident.Incident;
import io.vmres.engine.incident.IncidentKind;
import io.vmres.engine.incident.IncidentRules;
import io.vmres.engine.incident.IncidentState;
import io.vmres.engine.incident.Incidents;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.Output;
import io.vmres.engine.plan.FleetPlanning;
import io.vmres.engine.plan.PlacementRequest;
import io.vmres.engine.plan.PlacementView;
import io.vmres.engine.sim.SimHypervisor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The execution stage (spec: Execution): fences, then placement of what is owed, disk maps per
 * (failed host, target), then restarts and migrations in priority and dependency order, all within
 * the in-flight limits; gives up what cannot be done. Commands are numbered per incident; in replay
 * the simulated hypervisor decides each answer at issue.
 */
public final class Executor {
    private final Settings settings;
    private final ExecutionMode mode;
    private final Hypervisor hypervisor;
    private final Fleet fleet;
    private final Incidents incidents;
    private final IncidentRules rules;
    private final InFlight inFlight;
    private final SimHypervisor sim;
    private final Timers timers;
    private final FleetPlanning planning;
    private final Dependencies dependencies;

    public Executor(
            Settings settings,
            ExecutionMode mode,
            Hypervisor hypervisor,
            Fleet fleet,
            Incidents incidents,
            IncidentRules rules,
            InFlight inFlight,
            SimHypervisor sim,
            Timers timers,
            FleetPlanning planning) {
        this.settings = settings;
        this.mode = mode;
        this.hypervisor = hypervisor;
        this.fleet = fleet;
        this.incidents = incidents;
        this.rules = rules;
        this.inFlight = inFlight;
        this.sim = sim;
        this.timers = timers;
        this.planning = planning;
        this.dependencies = new Dependencies(fleet, incidents);
    }

    private boolean serial() {
        return mode == ExecutionMode.SERIAL;
    }

    private boolean canIssue(String target) {
        return inFlight.canIssue(
                target,
                serial() ? 1 : settings.maxInFlightPerCluster(),
                settings.maxInFlightPerTarget());
    }

    /** Issues all that may go now, when anything changed since the last look. */
    public void pump(long t, Output out) {
        if (!incidents.takeChanged()) {
            return;
        }
        for (int pass = 0; pass < 1000; pass++) {
            FailedDomains domains = Correlation.failedDomains(incidents);
            boolean progress = issueFences(t, out);
            progress |= placeRound(t, domains, out);
            if (serial()) {
                // the baseline finishes a VM (map, then restart) before it maps the next one
                progress |= issueMoves(t, domains, out);
                progress |= issueMaps(t, domains, out);
            } else {
                // maps first: a restart needs its map, and a map frees its slot in 2 s
                progress |= issueMaps(t, domains, out);
                progress |= issueMoves(t, domains, out);
            }
            if (!progress) {
                break;
            }
        }
        rules.evaluateAll(t, out);
    }

    /** Gives up, at the replay's end time, the VMs still waiting for a dependency. */
    public void giveUpWaiting(long endTs, Output out) {
        for (Incident inc : incidents.snapshot()) {
            List<VmJob> waiting = new ArrayList<>();
            for (VmJob j : inc.jobs().values()) {
                if (j.restart
                        && j.phase() == Phase.READY
                        && rules.knownDown(inc, j.source)
                        && dependencies.of(j) != Dependencies.Verdict.RUN) {
                    waiting.add(j);
                }
            }
            if (!waiting.isEmpty()) {
                giveUp(
                        inc,
                        waiting,
                        GiveUp.DEPENDENCY_UNMET,
                        "a dependency never ran by the end",
                        endTs,
                        out);
            }
        }
    }

    private boolean issueFences(long t, Output out) {
        boolean progress = false;
        for (Incident inc : incidents.working()) {
            if (inc.kind() != IncidentKind.HOST_FAILURE) {
                continue;
            }
            for (HostPart p : inc.parts().values()) {
                if (p.fenceDue() && canIssue(null)) {
                    int attempt = p.fenceIssued();
                    issue(
                            inc,
                            Action.FENCE_HOST,
                            p.host(),
                            null,
                            null,
                            null,
                            null,
                            attempt,
                            null,
                            null,
                            t,
                            out);
                    progress = true;
                }
            }
        }
        return progress;
    }

    private boolean placeRound(long t, FailedDomains domains, Output out) {
        List<PlacementRequest> requests = new ArrayList<>();
        Map<String, VmJob> byKey = new TreeMap<>();
        for (Incident inc : incidents.working()) {
            for (VmJob j : inc.jobs().values()) {
                if (j.phase() != Phase.TO_PLACE || (j.restart && !rules.knownDown(inc, j.source))) {
                    continue;
                }
                VmState vs = fleet.vms().get(j.vm);
                if (vs == null) {
                    j.moveTo(Phase.DROPPED);
                    continue;
                }
                requests.add(
                        new PlacementRequest(j.vm, inc.id(), j.source, vs.priority(), j.restart));
                byKey.put(inc.id() + "|" + j.vm, j);
            }
        }
        if (requests.isEmpty()) {
            return false;
        }
        PlacementView view =
                FleetPlacementView.of(fleet, byKey, domains, t, id -> fleet.hosts().get(id));
        Map<String, String> placed = planning.place(requests, byKey, view, fleet, domains, t);
        TreeMap<String, List<VmJob>> unplaced = new TreeMap<>();
        for (PlacementRequest r : requests) {
            VmJob j = byKey.get(r.incidentId() + "|" + r.vm());
            String target = placed.get(r.vm());
            if (target != null) {
                j.placeOn(target);
            } else {
                unplaced.computeIfAbsent(r.incidentId(), k -> new ArrayList<>()).add(j);
            }
        }
        for (Map.Entry<String, List<VmJob>> e : unplaced.entrySet()) {
            String why = planning.unplacedDetail(e.getValue());
            giveUp(incidents.get(e.getKey()), e.getValue(), GiveUp.UNPLACED, why, t, out);
        }
        return true;
    }

    private boolean issueMaps(long t, FailedDomains domains, Output out) {
        boolean progress = false;
        for (Incident inc : incidents.working()) {
            for (MapJob m : new ArrayList<>(inc.pendingMaps())) {
                if (!usable(m.target, t)) {
                    // its target failed meanwhile: a retry in place cannot succeed, place the VMs
                    // again
                    inc.pendingMaps().remove(m);
                    replan(inc, m, t, out);
                    progress = true;
                } else if (rules.knownDown(inc, m.host) && canIssue(m.target)) {
                    inc.pendingMaps().remove(m);
                    m.issued();
                    issue(
                            inc,
                            Action.MAP_DISKS,
                            m.host,
                            m.target,
                            null,
                            m.vms,
                            m.disks,
                            m.attempt(),
                            m.priority,
                            m,
                            t,
                            out);
                    progress = true;
                }
            }
        }
        TreeMap<String, List<VmJob>> groups = new TreeMap<>();
        for (Incident inc : incidents.working()) {
            for (VmJob j : inc.jobs().values()) {
                if (!j.restart || j.phase() != Phase.PLACED) {
                    continue;
                }
                VmState vs = fleet.vms().get(j.vm);
                if (vs.disks().isEmpty() || j.mappedOn(j.target())) {
                    j.moveTo(Phase.READY);
                    progress = true;
                    continue;
                }
                if (rules.knownDown(inc, j.source)) {
                    groups.computeIfAbsent(
                                    inc.id()
                                            + "|"
                                            + j.source
                                            + "|"
                                            + j.target()
                                            + (serial() ? "|" + j.vm : ""),
                                    k -> new ArrayList<>())
                            .add(j);
                }
            }
        }
        List<List<VmJob>> order = new ArrayList<>(groups.values());
        order.sort(Comparator.comparingInt((List<VmJob> g) -> -maxPriority(g)));
        for (List<VmJob> g : order) {
            List<VmJob> ok = new ArrayList<>();
            for (VmJob j : g) {
                if (fleet.fits(j, j.target(), domains, t)) {
                    ok.add(j);
                } else {
                    fleet.unreserve(j);
                    // its target became invalid before issue: placed again
                    j.moveTo(Phase.TO_PLACE);
                    progress = true;
                }
            }
            if (ok.isEmpty() || !canIssue(ok.get(0).target())) {
                continue;
            }
            ok.sort(byPriority());
            List<String> names = new ArrayList<>();
            List<String> disks = new ArrayList<>();
            for (VmJob j : ok) {
                names.add(j.vm);
                disks.addAll(fleet.vms().get(j.vm).disks());
                j.moveTo(Phase.MAPPING);
            }
            VmJob first = ok.get(0);
            Incident inc = incidents.get(first.incidentId);
            MapJob m =
                    new MapJob(
                            inc.id(),
                            first.source,
                            first.target(),
                            List.copyOf(names),
                            List.copyOf(disks),
                            maxPriority(ok));
            m.issued();
            issue(
                    inc,
                    Action.MAP_DISKS,
                    m.host,
                    m.target,
                    null,
                    m.vms,
                    m.disks,
                    1,
                    m.priority,
                    m,
                    t,
                    out);
            progress = true;
        }
        return progress;
    }

    private int maxPriority(List<VmJob> g) {
        int p = 0;
        for (VmJob j : g) {
            VmState vs = fleet.vms().get(j.vm);
            p = Math.max(p, vs == null ? 0 : vs.priority());
        }
        return p;
    }

    private Comparator<VmJob> byPriority() {
        return Comparator.comparingInt((VmJob j) -> -fleet.vms().get(j.vm).priority())
                .thenComparing(j -> j.vm)
                .thenComparing(j -> j.incidentId);
    }

    /**
     * The order in which ready restarts and migrations take free slots, earliest key first: a VM
     * that is down (a restart) cannot wait, its key is now; a migration can wait until its latest
     * start, its drain's deadline less the time the drain's moves not yet issued need one after
     * another (a bound that holds even when one target takes them all). So a drain comes after the
     * restarts until its deadline nears, then before them, drains in the order of their latest
     * starts. At an equal key a migration goes first, then priority decides.
     */
    private Comparator<VmJob> issueOrder(long t) {
        TreeMap<String, Long> latestStart = new TreeMap<>();
        for (Incident inc : incidents.working()) {
            if (inc.kind().drain()) {
                long left = 0;
                for (VmJob j : inc.jobs().values()) {
                    if (j.active() && j.phase() != Phase.IN_FLIGHT) {
                        left++;
                    }
                }
                latestStart.put(
                        inc.id(),
                        Times.minus(
                                inc.deadline(),
                                left * SimHypervisor.latency(Action.LIVE_MIGRATE_VM)));
            }
        }
        return Comparator.comparingLong(
                        (VmJob j) -> j.restart ? t : latestStart.getOrDefault(j.incidentId, t))
                .thenComparing((VmJob j) -> j.restart) // a drain at its latest start goes first
                .thenComparing(byPriority());
    }

    private boolean issueMoves(long t, FailedDomains domains, Output out) {
        boolean progress = false;
        List<VmJob> ready = new ArrayList<>();
        for (Incident inc : incidents.working()) {
            for (VmJob j : inc.jobs().values()) {
                if ((j.restart && j.phase() == Phase.READY)
                        || (!j.restart && j.phase() == Phase.PLACED)) {
                    ready.add(j);
                }
            }
        }
        ready.sort(issueOrder(t));
        for (VmJob j : ready) {
            if (!j.active()) {
                continue; // given up earlier in this pass
            }
            Incident inc = incidents.get(j.incidentId);
            if (j.restart) {
                if (!rules.knownDown(inc, j.source)) {
                    continue;
                }
                Dependencies.Verdict deps = dependencies.of(j);
                if (deps == Dependencies.Verdict.DEAD) {
                    giveUp(
                            inc,
                            List.of(j),
                            GiveUp.DEPENDENCY_UNMET,
                            "a dependency will not run again",
                            t,
                            out);
                    progress = true;
                    continue;
                }
                j.waitingDeps(deps == Dependencies.Verdict.WAIT);
                if (j.waitingDeps()) {
                    continue;
                }
            }
            if (!fleet.fits(j, j.target(), domains, t)) {
                fleet.unreserve(j);
                j.moveTo(Phase.TO_PLACE);
                progress = true;
                continue;
            }
            if (!canIssue(j.target())) {
                continue;
            }
            j.issue();
            VmState vs = fleet.vms().get(j.vm);
            issue(
                    inc,
                    j.restart ? Action.RESTART_VM : Action.LIVE_MIGRATE_VM,
                    j.source,
                    j.target(),
                    j.vm,
                    null,
                    null,
                    j.attempts(),
                    vs.priority(),
                    j,
                    t,
                    out);
            progress = true;
        }
        return progress;
    }

    private void issue(
            Incident inc,
            Action action,
            String host,
            String target,
            String vm,
            List<String> vmList,
            List<String> disks,
            int attempt,
            Integer priority,
            Object work,
            long t,
            Output out) {
        String id = String.format("%s-%04d", inc.id(), inc.commandsIssued() + 1);
        CommandOut co =
                new CommandOut(
                        id,
                        inc.id(),
                        action.name(),
                        host,
                        target,
                        vm,
                        vmList,
                        disks,
                        attempt,
                        priority,
                        t);
        if (inc.state() == IncidentState.OPEN) {
            rules.moveTo(inc, IncidentState.RECOVERING, t, out);
        }
        inc.commandIssued(t);
        out.command(co);
        Command c =
                new Command(
                        action,
                        co,
                        work instanceof MapJob m ? m : null,
                        work instanceof VmJob j ? j : null);
        inFlight.add(c);
        long timeout = settings.commandTimeoutMs();
        if (hypervisor == Hypervisor.SIMULATED) {
            long latency = SimHypervisor.latency(action);
            boolean hit = sim.consume(co); // a matching fault is used up whatever the answer
            if (latency > timeout) {
                c.decide(CommandStatus.TIMED_OUT, "no answer within commandTimeout");
                c.answerAt(Times.plus(t, timeout));
            } else {
                if (hit) {
                    c.decide(CommandStatus.FAILED, "sim-fault");
                }
                c.answerAt(Times.plus(t, latency));
            }
        } else {
            c.answerAt(Times.plus(t, timeout));
        }
        timers.answer(c.answerTs(), id);
    }

    /** A target that can take VMs now: registered here, normal and alive. */
    boolean usable(String target, long t) {
        HostState th = fleet.hosts().get(target);
        return fleet.registeredHere(th) && th.status() == Status.NORMAL && fleet.alive(th, t);
    }

    /**
     * The VMs of a map that will not be retried in place: given up after maxAttempts failed maps
     * holding their disks, else placed again elsewhere (never on that target again, so that no map
     * of the same VMs to it starts over at attempt 1).
     */
    void replan(Incident inc, MapJob m, long t, Output out) {
        List<VmJob> exhausted = new ArrayList<>();
        for (String v : m.vms) {
            VmJob j = inc.jobs().get(v);
            if (j == null || j.phase() != Phase.MAPPING || !m.target.equals(j.target())) {
                continue;
            }
            if (j.mapFailures() >= settings.maxAttempts()) {
                exhausted.add(j);
            } else {
                fleet.unreserve(j);
                j.failedOn(m.target);
                j.moveTo(Phase.TO_PLACE);
            }
        }
        if (!exhausted.isEmpty()) {
            giveUp(inc, exhausted, GiveUp.RETRIES_EXHAUSTED, "disk mapping failed", t, out);
        }
    }

    /** The incident gives the VMs up, with one alert naming them. */
    void giveUp(Incident inc, List<VmJob> jobs, GiveUp kind, String detail, long t, Output out) {
        List<String> names = new ArrayList<>();
        for (VmJob j : jobs) {
            if (j.phase() != Phase.IN_FLIGHT) {
                fleet.unreserve(j);
            }
            j.moveTo(Phase.GIVEN_UP);
            names.add(j.vm);
            incidents.giveUp(j.vm);
            inc.givenUp(j.vm, kind == GiveUp.UNPLACED);
        }
        names.sort(null);
        out.alert(new AlertOut(kind.name(), inc.id(), null, List.copyOf(names), detail, t));
        incidents.changed();
    }
}
