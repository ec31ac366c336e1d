package io.vmres.engine.whatif;

import io.vmres.engine.ClusterEngine;
import io.vmres.engine.Settings;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.execute.FleetPlacementView;
import io.vmres.engine.execute.VmJob;
import io.vmres.engine.fleet.Channel;
import io.vmres.engine.fleet.FailedDomains;
import io.vmres.engine.fleet.Fleet;
import io.vmres.engine.fleet.HostState;
import io.vmres.engine.fleet.VmState;
import io.vmres.engine.plan.FleetPlanning;
import io.vmres.engine.plan.PlacementRequest;
import io.vmres.engine.whatif.WhatIfAnswer.ClusterAnswer;
import io.vmres.engine.whatif.WhatIfAnswer.HostDown;
import io.vmres.engine.whatif.WhatIfAnswer.Restart;
import io.vmres.engine.whatif.WhatIfAnswer.Round;
import io.vmres.engine.whatif.WhatIfAnswer.Unplaced;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
 * power domain. Each batch is one planning round, placed by the engine's own planning on copies: a
 * copy-on-write copy of the fleet view ({@link Fleet#copyOnWrite}), where the hosts alive at the
 * question's time and not failing beat on, and, when a round of one host's VMs may take its
 * prestaged plan, a copy of the planning ({@link FleetPlanning#copyForQuestion}). Between rounds
 * the planning looks as the engine's does ({@link FleetPlanning#sync}, at most once a second of
 * event time, at the instant it is due), taking what changed since: the failing hosts once silent,
 * the hosts declared, the targets reserved, the failed domains, the VMs whose restart succeeded by
 * then. Each round is placed by {@link FleetPlanning#place}: the host's prestaged plan when it
 * still holds, else afresh, each target checked against the fleet view. The placed VMs then go
 * through the {@link RecoveryModel execution model}: disk maps, restarts by priority and dependency
 * within the in-flight limits, at the simulated hypervisor's latencies, the ones replay uses.
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

        /** incident -> its hosts, in the order named. */
        private final LinkedHashMap<String, List<Down>> incidents = new LinkedHashMap<>();

        /** The fleet view as the engine's would be at each instant of the question. */
        private Fleet view;

        /**
         * The planning as the engine's would be at each instant of the question, when a round may
         * take a plan; else null (a round placed afresh reads the fleet view alone).
         */
        private FleetPlanning planning;

        /** Places the rounds of several hosts when no round takes a plan (it holds no plan). */
        private FleetPlanning fresh;

        /** The latest instant the question has run. */
        private long lastInstant;

        /** The failed domains the engine's planning saw at the question's time. */
        private final FailedDomains before;

        /** From a round's instant on: the failed domains (those before, and the question's). */
        private final TreeMap<Long, FailedDomains> domainsFrom = new TreeMap<>();

        /** The VMs whose restart succeeded so far, moved in the view. */
        private final Set<String> moved = new TreeSet<>();

        ClusterQuestion(ClusterEngine engine, long at) {
            this.engine = engine;
            this.fleet = engine.fleet();
            this.settings = engine.settings();
            this.at = at;
            this.lastInstant = at;
            FailedDomains seen = engine.planning().lastDomains();
            this.before = seen != null ? seen : new FailedDomains(new TreeSet<>(), new TreeSet<>());
        }

        private FailedDomains failedDomains(Set<String> racks, Set<String> pds) {
            TreeSet<String> r = new TreeSet<>(before.racks());
            TreeSet<String> p = new TreeSet<>(before.powerDomains());
            r.addAll(racks);
            p.addAll(pds);
            return new FailedDomains(r, p);
        }

        /**
         * Runs the engine's planning over the instants before {@code d}: each look where the
         * engine's would look (at most once a second of event time), after the restarts that
         * succeed by then have moved their VMs in the view.
         */
        private void lookBefore(long d, List<RecoveryModel.Job> jobs) {
            List<RecoveryModel.Job> restarts = restartsBefore(d, jobs);
            int next = 0;
            if (planning != null) {
                while (true) {
                    long look = Math.max(planning.nextLook(), lastInstant + 1);
                    if (look >= d) {
                        break;
                    }
                    while (next < restarts.size() && restarts.get(next).recoveredAt <= look) {
                        move(restarts.get(next++));
                    }
                    Map.Entry<Long, FailedDomains> e = domainsFrom.floorEntry(look);
                    planning.sync(view, e == null ? before : e.getValue(), look);
                    lastInstant = look;
                }
            }
            while (next < restarts.size()) {
                move(restarts.get(next++));
            }
        }

        /**
         * The restarts of the rounds so far that succeed before {@code d} and are not moved yet, in
         * the order they succeed (a later round changes none of them: it comes after).
         */
        private List<RecoveryModel.Job> restartsBefore(long d, List<RecoveryModel.Job> jobs) {
            if (jobs.isEmpty()) {
                return List.of();
            }
            List<RecoveryModel.Job> copies = new ArrayList<>();
            for (RecoveryModel.Job j : jobs) {
                copies.add(
                        new RecoveryModel.Job(
                                j.vm,
                                j.incident,
                                j.source,
                                j.target,
                                j.priority,
                                j.disks,
                                j.waitsFor,
                                j.placedAt));
            }
            new RecoveryModel(settings).run(copies);
            List<RecoveryModel.Job> due = new ArrayList<>();
            for (RecoveryModel.Job j : copies) {
                if (j.recoveredAt >= 0 && j.recoveredAt < d && !moved.contains(j.vm)) {
                    due.add(j);
                }
            }
            due.sort(
                    Comparator.comparingLong((RecoveryModel.Job j) -> j.recoveredAt)
                            .thenComparing(j -> j.vm));
            return due;
        }

        /** A restart succeeded: the VM leaves its failed host for its target, as the engine's. */
        private void move(RecoveryModel.Job j) {
            moved.add(j.vm);
            HostState th = view.ownHost(j.target);
            th.removeIncoming(j.vm);
            VmState vs = view.ownVm(j.vm);
            HostState from = view.ownHost(vs.host());
            if (from != null) {
                from.removeVm(vs.id);
            }
            vs.host(j.target);
            th.addVm(vs.id);
            vs.down(false);
            vs.ghost(false);
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
            view = fleet.copyOnWrite();
            // the hosts alive now and not failing beat on, as in the replay of the failure
            Set<String> failingIds = new TreeSet<>();
            failing.forEach(hs -> failingIds.add(hs.id));
            Set<String> beating = new HashSet<>();
            for (HostState hs : fleet.hosts().values()) {
                if (!failingIds.contains(hs.id) && fleet.alive(hs, at)) {
                    beating.add(hs.id);
                }
            }
            view.beatOn(beating);
            for (List<Down> b : batches) {
                if (b.stream().filter(x -> x.bmc && hasHaVm(x.hs)).count() == 1) {
                    // a round of one host's VMs may take its plan: follow the planning from now on
                    planning = engine.planning().copyForQuestion();
                    break;
                }
            }
            List<Round> rounds = new ArrayList<>();
            List<RecoveryModel.Job> jobs = new ArrayList<>();
            Map<String, Boolean> prestaged = new HashMap<>();
            List<Unplaced> unplaced = new ArrayList<>();
            List<String> awaiting = new ArrayList<>();
            TreeSet<String> failedRacks = new TreeSet<>();
            TreeSet<String> failedPds = new TreeSet<>();
            Long failureStart = null;
            for (List<Down> batch : batches) {
                long d = batch.get(0).decision;
                lookBefore(d, jobs);
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
                FailedDomains failed = failedDomains(failedRacks, failedPds);
                domainsFrom.put(d, failed);
                for (Down x : acting) {
                    view.ownHost(x.hs.id).declare(HostState.Status.FAILED, "what-if", d);
                }
                lastInstant = Math.max(lastInstant, d - 1);
                if (acting.isEmpty()) {
                    continue;
                }
                // the round as the engine places it: its requests by incident, then VM
                TreeMap<String, PlacementRequest> requests = new TreeMap<>();
                Map<String, VmJob> byKey = new TreeMap<>();
                Map<String, Down> bySource = new HashMap<>();
                for (Down x : acting) {
                    bySource.put(x.hs.id, x);
                    for (String vm : x.hs.vms()) {
                        VmState vs = fleet.vms().get(vm);
                        if (vs != null && !vs.ghost() && vs.ha()) {
                            String key = x.incident + "|" + vm;
                            requests.put(
                                    key,
                                    new PlacementRequest(
                                            vm, x.incident, x.hs.id, vs.priority(), true));
                            byKey.put(key, new VmJob(x.incident, vm, x.hs.id, true));
                        }
                    }
                }
                if (planning == null && fresh == null) {
                    fresh = new FleetPlanning(engine.cluster());
                }
                FleetPlanning placing = planning != null ? planning : fresh;
                long prestagedBefore = placing.prestagedRounds();
                Map<String, String> assigned =
                        placing.place(
                                new ArrayList<>(requests.values()),
                                byKey,
                                FleetPlacementView.of(view, byKey, failed, d, view::ownHost),
                                view,
                                failed,
                                d);
                boolean fromPlan = placing.prestagedRounds() > prestagedBefore;
                rounds.add(
                        new Round(
                                d,
                                acting.stream().map(a -> a.hs.id).toList(),
                                fromPlan,
                                requests.size()));
                for (PlacementRequest r : requests.values()) {
                    String target = assigned.get(r.vm());
                    VmState vs = fleet.vms().get(r.vm());
                    if (target == null) {
                        String why = placing.whyUnplaced(r.vm());
                        unplaced.add(
                                new Unplaced(
                                        r.vm(),
                                        r.source(),
                                        r.priority(),
                                        why == null ? "no valid target" : why));
                        continue;
                    }
                    prestaged.put(vs.id, fromPlan);
                    jobs.add(
                            new RecoveryModel.Job(
                                    vs.id,
                                    bySource.get(r.source()).incident,
                                    r.source(),
                                    target,
                                    vs.priority(),
                                    !vs.disks().isEmpty(),
                                    new TreeSet<>(vs.dependsOn()),
                                    d));
                }
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

        private boolean hasHaVm(HostState hs) {
            for (String vm : hs.vms()) {
                VmState vs = fleet.vms().get(vm);
                if (vs != null && !vs.ghost() && vs.ha()) {
                    return true;
                }
            }
            return false;
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
}
