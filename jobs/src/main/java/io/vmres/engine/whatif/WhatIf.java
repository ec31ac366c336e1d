package io.vmres.engine.whatif;

import io.vmres.engine.ClusterEngine;
import io.vmres.engine.Settings;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.fleet.Channel;
import io.vmres.engine.fleet.Fleet;
import io.vmres.engine.fleet.HostState;
import io.vmres.engine.fleet.VmState;
import io.vmres.engine.plan.BalancedPlacer;
import io.vmres.engine.plan.Exclusions;
import io.vmres.engine.plan.FleetPlanning;
import io.vmres.engine.plan.HostPlan;
import io.vmres.engine.plan.Ledger;
import io.vmres.engine.plan.PlanHost;
import io.vmres.engine.plan.VmMove;
import io.vmres.engine.state.EngineState;
import io.vmres.engine.state.StateInput;
import io.vmres.engine.state.StateOutput;
import io.vmres.engine.whatif.WhatIfAnswer.ClusterAnswer;
import io.vmres.engine.whatif.WhatIfAnswer.HostDown;
import io.vmres.engine.whatif.WhatIfAnswer.Restart;
import io.vmres.engine.whatif.WhatIfAnswer.Round;
import io.vmres.engine.whatif.WhatIfAnswer.Unplaced;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What-if: from the fleet state of each cluster engine at a time, what vmres would do if some
 * hosts, racks or power domains stopped right after it, their BMCs reading off (a power loss). No
 * engine is changed.
 *
 * <p>The failing hosts are declared as the engine declares them: each at its loss time (every
 * channel silent for {@code heartbeatTimeout} after its last heartbeat) + {@code outOfOrderness},
 * every host silent by then in the same batch, batches grouped into incidents by shared rack or
 * power domain. Each batch is one planning round, placed as the engine places it: a round of one
 * host takes that host's prestaged plan (as the plans stand once its silence is seen) when it still
 * holds; any other round is placed afresh against one ledger of the fleet, failed racks and power
 * domains excluded. The placed VMs then go through the {@link RecoveryModel execution model}: disk
 * maps, restarts by priority and dependency within the in-flight limits, at the simulated
 * hypervisor's latencies, the ones replay uses.
 *
 * <pre>{@code
 * WhatIfAnswer a = WhatIf.ask(engines, at, List.of(Failure.parse("rack:r02")));
 * }</pre>
 */
public final class WhatIf {
    private WhatIf() {}

    /**
     * Asks the engines (their state at {@code at}, every instant up to it applied) what the
     * failures would do; {@code answerMs} of the answer is 0, for the caller to fill in.
     */
    public static WhatIfAnswer ask(
            Collection<ClusterEngine> engines, long at, List<Failure> failures) {
        Set<Failure> matched = new LinkedHashSet<>();
        TreeMap<String, ClusterEngine> byCluster = new TreeMap<>();
        engines.forEach(e -> byCluster.put(e.cluster(), e));
        List<ClusterAnswer> clusters = new ArrayList<>();
        for (ClusterEngine e : byCluster.values()) {
            Fleet fleet = e.fleet();
            List<HostState> failing = new ArrayList<>();
            for (HostState hs : fleet.hosts().values()) {
                if (!fleet.registeredHere(hs)) {
                    continue;
                }
                for (Failure f : failures) {
                    if (matches(f, hs.record())) {
                        matched.add(f);
                        failing.add(hs);
                        break;
                    }
                }
            }
            if (!failing.isEmpty()) {
                clusters.add(new ClusterQuestion(e, at).answer(failing));
            }
        }
        List<String> unmatched = new ArrayList<>();
        for (Failure f : failures) {
            if (!matched.contains(f)) {
                unmatched.add(f.toString());
            }
        }
        return new WhatIfAnswer(
                at, failures.stream().map(Failure::toString).toList(), unmatched, clusters, 0);
    }

    static boolean matches(Failure f, HostEvent r) {
        return switch (f.kind()) {
            case HOST -> f.id().equals(r.host());
            case RACK -> f.id().equals(r.rack());
            case POWER_DOMAIN -> f.id().equals(r.powerDomain());
        };
    }

    /** A failing host as the question sees it. */
    private static final class Down {
        final HostState hs;
        final long lastBeat;
        final long loss;
        final long decision;
        final boolean bmc;
        String incident;

        Down(HostState hs, Settings s) {
            this.hs = hs;
            long l = HostState.NEVER;
            for (Channel c : Channel.values()) {
                if (hs.used(c)) {
                    l = Math.max(l, hs.lastBeat(c) + s.heartbeatTimeoutMs());
                }
            }
            this.lastBeat = hs.lastBeatAny();
            this.loss = l;
            this.decision = l + s.outOfOrdernessMs();
            this.bmc = hs.record().bmc();
        }

        String rack() {
            return hs.record().rack();
        }

        String powerDomain() {
            return hs.record().powerDomain();
        }

        boolean shares(Down o) {
            return (rack() != null && rack().equals(o.rack()))
                    || (powerDomain() != null && powerDomain().equals(o.powerDomain()));
        }
    }

    /** One cluster's question: its failing hosts through declaration, planning and execution. */
    private static final class ClusterQuestion {
        private final ClusterEngine engine;
        private final Fleet fleet;
        private final Settings settings;
        private final long at;
        private final BalancedPlacer placer = new BalancedPlacer();

        /** incident -> its hosts, in the order named. */
        private final LinkedHashMap<String, List<Down>> incidents = new LinkedHashMap<>();

        /** The planning as the engine's would be at each round (made on first need). */
        private FleetPlanning plans;

        ClusterQuestion(ClusterEngine engine, long at) {
            this.engine = engine;
            this.fleet = engine.fleet();
            this.settings = engine.settings();
            this.at = at;
        }

        ClusterAnswer answer(List<HostState> failing) {
            List<Down> pending = new ArrayList<>();
            List<HostDown> hosts = new ArrayList<>();
            for (HostState hs : failing) {
                if (hs.status() != HostState.Status.NORMAL || !hs.usedAny()) {
                    hosts.add(hostDown(hs, hs.lastBeatAny(), hs.statusTs(), "already-down"));
                } else {
                    pending.add(new Down(hs, settings));
                }
            }
            pending.sort(
                    Comparator.comparingLong((Down d) -> d.decision).thenComparing(d -> d.hs.id));
            List<List<Down>> batches = new ArrayList<>();
            while (!pending.isEmpty()) {
                long d = pending.get(0).decision;
                List<Down> batch = new ArrayList<>();
                pending.removeIf(
                        x -> {
                            if (x.loss <= d) {
                                batch.add(x);
                                return true;
                            }
                            return false;
                        });
                batches.add(batch);
            }
            boolean outage = outage(batches);
            if (batches.stream().anyMatch(b -> b.size() == 1)) {
                plans(); // a round of one host may take its plan: follow the plans from the start
            }
            Ledger snap = FleetPlanning.snapshot(fleet, at);
            List<Round> rounds = new ArrayList<>();
            List<RecoveryModel.Job> jobs = new ArrayList<>();
            Map<String, Boolean> prestaged = new HashMap<>();
            List<Unplaced> unplaced = new ArrayList<>();
            List<String> awaiting = new ArrayList<>();
            TreeSet<String> failedRacks = new TreeSet<>();
            TreeSet<String> failedPds = new TreeSet<>();
            List<Down> declared = new ArrayList<>();
            Long failureStart = null;
            for (List<Down> batch : batches) {
                long d = batch.get(0).decision;
                List<Down> acting = new ArrayList<>();
                for (Down x : batch) {
                    String proof =
                            x.bmc
                                    ? "power-off"
                                    : outage ? "telemetry-outage" : "needs-confirmation";
                    hosts.add(hostDown(x.hs, x.lastBeat, d, proof));
                    if (x.bmc) {
                        acting.add(x);
                    } else {
                        awaiting.add(x.hs.id);
                    }
                }
                correlate(batch);
                if (failureStart == null) {
                    failureStart = firstIncidentStart();
                }
                domains(failedRacks, failedPds);
                seeLoss(batch, snap);
                declared.addAll(batch);
                for (Down x : acting) {
                    snap.setState(x.hs.id, false, false);
                }
                if (acting.isEmpty()) {
                    continue;
                }
                List<VmMove> moves = new ArrayList<>();
                for (Down x : acting) {
                    for (String vm : x.hs.vms()) {
                        VmState vs = fleet.vms().get(vm);
                        if (vs != null && !vs.ghost() && vs.ha()) {
                            moves.add(
                                    new VmMove(
                                            FleetPlanning.planVm(vs),
                                            x.hs.id,
                                            x.hs.cluster(),
                                            x.hs.hypervisor(),
                                            true,
                                            Set.of()));
                        }
                    }
                }
                Exclusions x = new Exclusions(Set.of(), failedRacks, failedPds);
                Map<String, String> assigned =
                        acting.size() == 1 ? fromPlan(snap, acting.get(0), moves, x) : null;
                boolean fromPlan = assigned != null;
                if (!fromPlan) {
                    assigned = placer.place(snap, moves, x, true).targets();
                }
                rounds.add(
                        new Round(
                                d,
                                acting.stream().map(a -> a.hs.id).toList(),
                                fromPlan,
                                moves.size()));
                Map<String, Down> bySource = new HashMap<>();
                acting.forEach(a -> bySource.put(a.hs.id, a));
                for (VmMove m : moves) {
                    String target = assigned.get(m.vm().id());
                    if (target == null) {
                        unplaced.add(
                                new Unplaced(
                                        m.vm().id(),
                                        m.source(),
                                        m.vm().priority(),
                                        snap.whyNot(m, x)));
                        continue;
                    }
                    VmState vs = fleet.vms().get(m.vm().id());
                    prestaged.put(vs.id, fromPlan);
                    jobs.add(
                            new RecoveryModel.Job(
                                    vs.id,
                                    bySource.get(m.source()).incident,
                                    m.source(),
                                    target,
                                    vs.priority(),
                                    !vs.disks().isEmpty(),
                                    new TreeSet<>(vs.dependsOn()),
                                    d));
                }
                seeDeclared(acting, assigned);
            }
            dropUnmetDependencies(jobs, unplaced);
            new RecoveryModel(settings).run(jobs);
            jobs.sort(
                    Comparator.comparingLong((RecoveryModel.Job j) -> j.restartAt)
                            .thenComparing(j -> -j.priority)
                            .thenComparing(j -> j.vm));
            List<Restart> restarts = new ArrayList<>();
            Long last = null;
            TreeMap<String, Integer> perTarget = new TreeMap<>();
            for (RecoveryModel.Job j : jobs) {
                restarts.add(
                        new Restart(
                                j.vm,
                                j.source,
                                j.target,
                                j.priority,
                                prestaged.get(j.vm),
                                j.mapAt,
                                j.restartAt,
                                j.recoveredAt));
                last = last == null ? j.recoveredAt : Math.max(last, j.recoveredAt);
                perTarget.merge(j.target, 1, Integer::sum);
            }
            unplaced.sort(Comparator.comparing(Unplaced::vm));
            return new ClusterAnswer(
                    engine.cluster(),
                    hosts,
                    List.copyOf(failedRacks),
                    List.copyOf(failedPds),
                    rounds,
                    restarts,
                    unplaced,
                    awaiting,
                    failureStart,
                    last,
                    last == null || failureStart == null ? null : (last - failureStart) / 1000.0,
                    perTarget.values().stream().mapToInt(Integer::intValue).max().orElse(0));
        }

        private HostDown hostDown(HostState hs, long lastBeat, long declared, String proof) {
            int ha = 0;
            int other = 0;
            for (String vm : hs.vms()) {
                VmState vs = fleet.vms().get(vm);
                if (vs != null && !vs.ghost()) {
                    if (vs.ha()) {
                        ha++;
                    } else {
                        other++;
                    }
                }
            }
            return new HostDown(
                    hs.id,
                    hs.record().rack(),
                    hs.record().powerDomain(),
                    lastBeat,
                    declared,
                    proof,
                    ha,
                    other);
        }

        /**
         * Spec (Telemetry outage): a share of the cluster's registered hosts silent within one
         * heartbeatTimeout is an outage; hosts whose power reads off still fail.
         */
        private boolean outage(List<List<Down>> batches) {
            int registered = 0;
            for (HostState hs : fleet.hosts().values()) {
                if (fleet.registeredHere(hs)) {
                    registered++;
                }
            }
            List<Down> all = new ArrayList<>();
            batches.forEach(all::addAll);
            for (Down a : all) {
                int n = 0;
                for (Down b : all) {
                    if (b.loss <= a.decision
                            && b.loss > a.decision - settings.heartbeatTimeoutMs()) {
                        n++;
                    }
                }
                if (n >= settings.massSilenceFraction() * registered) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Spec (Correlated failure): a batch's hosts grouped by shared rack or power domain,
         * transitively, by kind (BMC or not); a group joins an incident of its kind with a host of
         * the same rack or domain lost within heartbeatTimeout of one of the group's, else opens
         * one.
         */
        private void correlate(List<Down> batch) {
            for (boolean bmc : new boolean[] {true, false}) {
                List<Down> left = new ArrayList<>();
                for (Down x : batch) {
                    if (x.bmc == bmc) {
                        left.add(x);
                    }
                }
                while (!left.isEmpty()) {
                    List<Down> group = new ArrayList<>(List.of(left.remove(0)));
                    boolean grew = true;
                    while (grew) {
                        grew = false;
                        for (int i = 0; i < left.size(); i++) {
                            Down c = left.get(i);
                            if (group.stream().anyMatch(c::shares)) {
                                group.add(left.remove(i--));
                                grew = true;
                            }
                        }
                    }
                    String into = null;
                    for (Map.Entry<String, List<Down>> inc : incidents.entrySet()) {
                        boolean sameKind = inc.getValue().get(0).bmc == bmc;
                        for (Down p : inc.getValue()) {
                            for (Down g : group) {
                                if (sameKind
                                        && p.shares(g)
                                        && Math.abs(p.loss - g.loss)
                                                <= settings.heartbeatTimeoutMs()) {
                                    into = inc.getKey();
                                }
                            }
                        }
                        if (into != null) {
                            break;
                        }
                    }
                    if (into == null) {
                        into = String.format("%04d", incidents.size() + 1);
                        incidents.put(into, new ArrayList<>());
                    }
                    for (Down g : group) {
                        g.incident = into;
                        incidents.get(into).add(g);
                    }
                }
            }
        }

        /** The last heartbeat of the first incident's hosts (IncidentFigures.failureStartTs). */
        private Long firstIncidentStart() {
            Long min = null;
            for (List<Down> inc : incidents.values()) {
                for (Down x : inc) {
                    min = min == null ? x.lastBeat : Math.min(min, x.lastBeat);
                }
                return min;
            }
            return null;
        }

        /** Racks and power domains shared by two or more hosts of one incident. */
        private void domains(Set<String> racks, Set<String> pds) {
            for (List<Down> inc : incidents.values()) {
                TreeMap<String, Integer> r = new TreeMap<>();
                TreeMap<String, Integer> p = new TreeMap<>();
                for (Down x : inc) {
                    if (x.rack() != null) {
                        r.merge(x.rack(), 1, Integer::sum);
                    }
                    if (x.powerDomain() != null) {
                        p.merge(x.powerDomain(), 1, Integer::sum);
                    }
                }
                r.forEach(
                        (k, n) -> {
                            if (n >= 2) racks.add(k);
                        });
                p.forEach(
                        (k, n) -> {
                            if (n >= 2) pds.add(k);
                        });
            }
        }

        /**
         * The batch's hosts are silent: closed in the round's ledger, and, as the engine's planning
         * sees it at its next look, closed in the plans, whose plans are made again.
         */
        private void seeLoss(List<Down> batch, Ledger snap) {
            List<String> ids = new ArrayList<>();
            for (Down x : batch) {
                snap.setState(x.hs.id, true, false);
                ids.add(x.hs.id);
            }
            if (plans != null) {
                FleetPlanning p = plans;
                for (String id : ids) {
                    p.ledger().setState(id, true, false);
                }
                p.plans().update(p.ledger(), ids);
            }
        }

        /** After a round: its hosts failed, its targets reserved, in the plans too. */
        private void seeDeclared(List<Down> acting, Map<String, String> assigned) {
            if (plans == null) {
                return;
            }
            TreeSet<String> changed = new TreeSet<>();
            for (Down x : acting) {
                plans.ledger().setState(x.hs.id, false, false);
                changed.add(x.hs.id);
            }
            for (Map.Entry<String, String> e : assigned.entrySet()) {
                VmState vs = fleet.vms().get(e.getKey());
                plans.ledger().reserve(e.getValue(), FleetPlanning.planVm(vs));
                changed.add(e.getValue());
            }
            plans.plans().update(plans.ledger(), changed);
        }

        /**
         * The failed host's prestaged plan, when it places all its HA VMs and each placement still
         * fits the round's ledger (reserved there); else null (FleetPlanning#place).
         */
        private Map<String, String> fromPlan(
                Ledger snap, Down h, List<VmMove> moves, Exclusions x) {
            HostPlan p = plans().plans().plan(h.hs.id);
            if (p == null || !p.unplaced().isEmpty() || p.targets().size() != moves.size()) {
                return null;
            }
            Map<String, VmMove> byVm = new HashMap<>();
            moves.forEach(m -> byVm.put(m.vm().id(), m));
            List<String> done = new ArrayList<>();
            for (Map.Entry<String, String> e : p.targets().entrySet()) {
                VmMove m = byVm.get(e.getKey());
                PlanHost t = snap.host(e.getValue());
                if (m == null || t == null || !Ledger.fits(t, m, x)) {
                    for (String vm : done) {
                        snap.release(p.targets().get(vm), vm);
                    }
                    return null;
                }
                snap.reserve(t.id(), m.vm());
                done.add(e.getKey());
            }
            return p.targets();
        }

        /** A copy of the engine's planning, changed by the question alone. */
        private FleetPlanning plans() {
            if (plans == null) {
                plans = copy(engine.planning(), engine.cluster());
            }
            return plans;
        }

        /**
         * Spec (Dependencies): a VM whose dependency is on a failing host and is not restarted (not
         * HA, or unplaced) is given up.
         */
        private void dropUnmetDependencies(List<RecoveryModel.Job> jobs, List<Unplaced> unplaced) {
            Set<String> failingHosts = new TreeSet<>();
            for (List<Down> inc : incidents.values()) {
                inc.forEach(x -> failingHosts.add(x.hs.id));
            }
            boolean dropped = true;
            while (dropped) {
                dropped = false;
                Set<String> restarted = new TreeSet<>();
                jobs.forEach(j -> restarted.add(j.vm));
                for (int i = 0; i < jobs.size(); i++) {
                    RecoveryModel.Job j = jobs.get(i);
                    for (String d : j.waitsFor) {
                        VmState ds = fleet.relevantDependency(j.vm, d);
                        if (ds != null
                                && failingHosts.contains(ds.host())
                                && !restarted.contains(d)) {
                            unplaced.add(
                                    new Unplaced(
                                            j.vm,
                                            j.source,
                                            j.priority,
                                            "its dependency " + d + " will not run again"));
                            jobs.remove(i--);
                            dropped = true;
                            break;
                        }
                    }
                }
            }
        }
    }

    /** A deep copy of a planning, through its checkpoint form. */
    static FleetPlanning copy(FleetPlanning p, String cluster) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
            p.write(StateOutput.start(new DataOutputStream(bytes), EngineState.VERSION));
            StateInput in =
                    StateInput.start(
                            new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())),
                            EngineState.FIRST_VERSION,
                            EngineState.VERSION);
            return FleetPlanning.read(in, Objects.requireNonNull(cluster));
        } catch (IOException e) {
            throw new UncheckedIOException("copying the planning", e);
        }
    }
}
