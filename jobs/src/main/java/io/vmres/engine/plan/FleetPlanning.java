package io.vmres.engine.plan;

import io.vmres.engine.Times;
import io.vmres.engine.event.Event;
import io.vmres.engine.event.Heartbeat;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.VmEvent;
import io.vmres.engine.event.VmRemoved;
import io.vmres.engine.execute.VmJob;
import io.vmres.engine.fleet.FailedDomains;
import io.vmres.engine.fleet.Fleet;
import io.vmres.engine.fleet.HostState;
import io.vmres.engine.fleet.HostState.Status;
import io.vmres.engine.fleet.VmState;
import io.vmres.engine.state.RecordCodec;
import io.vmres.engine.state.StateInput;
import io.vmres.engine.state.StateOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Failover planning for one cluster's engine: a capacity ledger mirroring the fleet view, the
 * prestaged plan of every host kept current from it, the admission view, and the placement of a
 * planning round (a single host's failure uses its prestaged plan when it is still valid; several
 * hosts failing together, or a stale plan, are placed afresh against one ledger).
 *
 * <p>Part of the engine's state (serializable); every choice is a function of the fleet view and of
 * the order of changes, so replays are deterministic.
 */
public final class FleetPlanning implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String cluster;
    private final Ledger ledger;
    private final PrestagedPlans plans;
    private final BalancedPlacer placer = new BalancedPlacer();
    private final GreedyPlacer fallback = new GreedyPlacer();

    /** host -> what the ledger last took from the fleet view about it. */
    private final HashMap<String, Seen> seen = new HashMap<>();

    private final TreeSet<String> touched = new TreeSet<>();

    /**
     * Event time of the next look when no input touched a host: the engine's own work (timers,
     * answers) changes hosts too, and is taken at most this long after.
     */
    static final long LOOK_EVERY_MS = 1000;

    private final long lookEveryMs;

    /**
     * Whether a look takes every host (the reference the change-driven look is checked against).
     */
    private final boolean everyHost;

    private long nextLook = Long.MIN_VALUE;

    /** A heartbeat came from a host that was not alive at the last look: look at once. */
    private boolean lookNow;

    /** The hosts of those heartbeats: the next look takes them (empty between instants). */
    private final TreeSet<String> beatBack = new TreeSet<>();

    /**
     * The liveness deadlines of the hosts alive at their last look, earliest first: (deadline,
     * host), at most one per host ({@link #deadlineOf}). A deadline is when the host stops being
     * alive unless it beats again; a host whose deadline passed is looked at, and put back at its
     * new deadline when it beat meanwhile. Not checkpointed: the first look after a restore takes
     * every host and puts them back.
     */
    private final TreeSet<Deadline> deadlines = new TreeSet<>();

    private final HashMap<String, Long> deadlineOf = new HashMap<>();

    /** The failed domains at the last look; a change of them is a change of their hosts. */
    private transient FailedDomains lastDomains;

    /** A host's liveness deadline in {@link #deadlines}. */
    private record Deadline(long ts, String host) implements Comparable<Deadline>, Serializable {
        @Override
        public int compareTo(Deadline o) {
            int c = Long.compare(ts, o.ts);
            return c != 0 ? c : host.compareTo(o.host);
        }
    }

    /**
     * The rack and power domain risks of the admission view (a replan per domain) are taken again
     * at most this often in event time; host risks follow every change.
     */
    static final long DOMAINS_EVERY_MS = 30_000;

    private long nextDomainLook = Long.MIN_VALUE;
    private Admission admission;

    /** vm -> why the last round left it unplaced. */
    private transient Map<String, String> reasons;

    /**
     * Whether a look computes the admission view; a copy made for a question does not (the view
     * leaves the ledger and the plans as they were, and no one reads the copy's).
     */
    private boolean admissionView = true;

    private long updates;
    private long prestagedRounds;
    private long freshRounds;

    public FleetPlanning(String cluster) {
        this(cluster, LOOK_EVERY_MS, false);
    }

    /**
     * A planning that looks at most every {@code lookEveryMs} of event time when no input touched a
     * host (0: at every instant), taking either the hosts that changed or, with {@code everyHost},
     * every host at each look. The engine's planning is {@code (cluster, 1000, false)}; the others
     * are references for tests.
     */
    public FleetPlanning(String cluster, long lookEveryMs, boolean everyHost) {
        this(cluster, new Ledger(), new PrestagedPlans(cluster), lookEveryMs, everyHost);
    }

    private FleetPlanning(
            String cluster,
            Ledger ledger,
            PrestagedPlans plans,
            long lookEveryMs,
            boolean everyHost) {
        this.cluster = cluster;
        this.ledger = ledger;
        this.plans = plans;
        this.lookEveryMs = lookEveryMs;
        this.everyHost = everyHost;
    }

    public Ledger ledger() {
        return ledger;
    }

    public PrestagedPlans plans() {
        return plans;
    }

    /** The admission view as last computed, or null before the first change. */
    public Admission admission() {
        return admission;
    }

    /** Syncs that found a changed host (and so updated plans and the admission view). */
    public long updates() {
        return updates;
    }

    /** Rounds placed from a prestaged plan. */
    public long prestagedRounds() {
        return prestagedRounds;
    }

    /** Rounds placed afresh. */
    public long freshRounds() {
        return freshRounds;
    }

    /**
     * An input event is about to change the hosts it names (VMs: the hosts they leave and join); a
     * heartbeat of a host that was not alive at the last look asks for a look at this instant.
     */
    public void touch(Event e, Map<String, VmState> vms) {
        if (e instanceof Heartbeat hb) {
            Seen s = seen.get(hb.host());
            if (s == null || !s.alive) {
                lookNow = true;
                beatBack.add(hb.host());
            }
        } else if (e instanceof VmEvent ve) {
            touched.add(ve.host());
            VmState vs = vms.get(ve.vm());
            if (vs != null) {
                touched.add(vs.host());
            }
        } else if (e instanceof VmRemoved vr) {
            VmState vs = vms.get(vr.vm());
            if (vs != null) {
                touched.add(vs.host());
            }
        } else if (e instanceof HostEvent he) {
            touched.add(he.host());
        }
    }

    /**
     * Brings the ledger and the plans up to date with the fleet view at the end of an instant:
     * hosts touched by input or whose state changed are taken again, and the plans they affect are
     * made again. A look happens when input touched a host, else at most once a second of event
     * time (instants of heartbeats from live hosts alone change nothing here); it takes the hosts
     * that told the fleet view of a change ({@link Fleet#changes()}), those whose liveness deadline
     * has passed, and every host of a failed domain that came or went, never the others: they are
     * as the last look saw them.
     *
     * @return the admission view when it changed, else null
     */
    public Admission sync(Fleet fleet, FailedDomains domains, long now) {
        if (touched.isEmpty() && !lookNow && now < nextLook) {
            return null;
        }
        lookNow = false;
        nextLook = Times.plus(now, lookEveryMs);
        if (everyHost || !domains.equals(lastDomains)) {
            fleet.changes().drain();
            beatBack.clear();
            for (HostState hs : fleet.hosts().values()) {
                look(fleet, hs, domains, now);
            }
            lastDomains = domains;
        } else {
            for (String id : fleet.changes().drain()) {
                look(fleet, fleet.hosts().get(id), domains, now);
            }
            for (String id : beatBack) {
                look(fleet, fleet.hosts().get(id), domains, now);
            }
            beatBack.clear();
            while (!deadlines.isEmpty() && deadlines.first().ts() <= now) {
                Deadline d = deadlines.pollFirst();
                deadlineOf.remove(d.host());
                look(fleet, fleet.hosts().get(d.host()), domains, now);
            }
        }
        if (touched.isEmpty()) {
            return null;
        }
        List<String> changed = new ArrayList<>(touched);
        touched.clear();
        updates++;
        for (String id : changed) {
            take(ledger, fleet, fleet.hosts().get(id), domains, now);
        }
        plans.update(ledger, changed);
        if (!admissionView) {
            return null;
        }
        boolean freshDomains = admission == null || now >= nextDomainLook;
        if (freshDomains) {
            nextDomainLook = Times.plus(now, DOMAINS_EVERY_MS);
        }
        Admission a = Admission.of(ledger, plans, cluster, freshDomains ? null : admission);
        if (a.equals(admission)) {
            return null;
        }
        admission = a;
        return a;
    }

    /**
     * Takes the host's state now: touched when it differs from the last look; while it is alive,
     * its liveness deadline is kept.
     */
    private void look(Fleet fleet, HostState hs, FailedDomains domains, long now) {
        if (hs == null) {
            return;
        }
        Seen s = seen.get(hs.id);
        if (s == null) {
            s = new Seen();
            seen.put(hs.id, s);
            s.update(fleet, hs, domains, now);
            touched.add(hs.id);
        } else if (s.update(fleet, hs, domains, now)) {
            touched.add(hs.id);
        }
        if (s.alive) {
            // a later deadline than the one kept is taken when the kept one is looked at
            long d = fleet.aliveUntil(hs);
            Long kept = deadlineOf.get(hs.id);
            if (kept == null || d < kept) {
                if (kept != null) {
                    deadlines.remove(new Deadline(kept, hs.id));
                }
                deadlineOf.put(hs.id, d);
                deadlines.add(new Deadline(d, hs.id));
            }
        }
    }

    /** What the ledger last took from the fleet view about a host, to tell whether it changed. */
    private static final class Seen implements Serializable {
        private static final long serialVersionUID = 1L;

        HostEvent record;
        boolean registered;
        Status status;
        boolean draining;
        boolean inMaintenance;
        boolean inDomain;
        boolean alive;
        int vms;
        int incoming;

        /** Takes the host's state now; true when it differs from what was seen. */
        boolean update(Fleet fleet, HostState hs, FailedDomains d, long now) {
            boolean reg = fleet.registeredHere(hs);
            boolean dom =
                    hs.record() != null
                            && ((hs.record().rack() != null
                                            && d.racks().contains(hs.record().rack()))
                                    || (hs.record().powerDomain() != null
                                            && d.powerDomains()
                                                    .contains(hs.record().powerDomain())));
            boolean live = reg && fleet.alive(hs, now);
            int in =
                    hs.incoming().isEmpty()
                            ? 0
                            : hs.incoming().hashCode() * 31 + hs.incoming().size();
            boolean changed =
                    record != hs.record()
                            || registered != reg
                            || status != hs.status()
                            || draining != hs.draining()
                            || inMaintenance != hs.inMaintenance()
                            || inDomain != dom
                            || alive != live
                            || vms != hs.vms().size()
                            || incoming != in;
            record = hs.record();
            registered = reg;
            status = hs.status();
            draining = hs.draining();
            inMaintenance = hs.inMaintenance();
            inDomain = dom;
            alive = live;
            vms = hs.vms().size();
            incoming = in;
            return changed;
        }

        Seen copy() {
            Seen s = new Seen();
            s.record = record;
            s.registered = registered;
            s.status = status;
            s.draining = draining;
            s.inMaintenance = inMaintenance;
            s.inDomain = inDomain;
            s.alive = alive;
            s.vms = vms;
            s.incoming = incoming;
            return s;
        }

        void write(StateOutput out) throws IOException {
            out.writeShared(record, RecordCodec::writeHostEvent);
            int flags = 0;
            flags |= registered ? 1 : 0;
            flags |= draining ? 1 << 1 : 0;
            flags |= inMaintenance ? 1 << 2 : 0;
            flags |= inDomain ? 1 << 3 : 0;
            flags |= alive ? 1 << 4 : 0;
            out.writeVarInt(flags);
            out.writeEnum(status);
            out.writeInt(vms);
            out.writeInt(incoming);
        }

        static Seen read(StateInput in) throws IOException {
            Seen s = new Seen();
            s.record = in.readShared(RecordCodec::readHostEvent);
            int flags = in.readVarInt();
            s.registered = (flags & 1) != 0;
            s.draining = (flags & 1 << 1) != 0;
            s.inMaintenance = (flags & 1 << 2) != 0;
            s.inDomain = (flags & 1 << 3) != 0;
            s.alive = (flags & 1 << 4) != 0;
            s.status = in.readEnum(Status.class);
            s.vms = in.readInt();
            s.incoming = in.readInt();
            return s;
        }
    }

    /** Copies one host of the fleet view into the ledger: record, state, VMs, reservations. */
    private static void take(Ledger ledger, Fleet fleet, HostState hs, FailedDomains d, long now) {
        if (hs == null) {
            return;
        }
        if (!fleet.registeredHere(hs)) {
            ledger.removeHost(hs.id);
        } else {
            HostEvent r = hs.record();
            ledger.putHost(
                    hs.id,
                    r.cluster(),
                    r.cpu(),
                    r.memMb(),
                    r.rack(),
                    r.powerDomain(),
                    hs.hypervisor(),
                    r.storageDomains() == null ? Set.of() : new TreeSet<>(r.storageDomains()),
                    r.spare());
            boolean inDomain =
                    (r.rack() != null && d.racks().contains(r.rack()))
                            || (r.powerDomain() != null
                                    && d.powerDomains().contains(r.powerDomain()));
            ledger.setState(
                    hs.id,
                    hs.status() != Status.FAILED,
                    fleet.alive(hs, now) && !hs.draining() && !hs.inMaintenance() && !inDomain);
        }
        PlanHost h = ledger.host(hs.id);
        if (h != null) {
            for (String vm : new ArrayList<>(h.vms)) {
                if (!hs.vms().contains(vm)) {
                    ledger.removeVm(vm);
                }
            }
        }
        for (String vm : hs.vms()) {
            VmState vs = fleet.vms().get(vm);
            if (vs != null && !vs.ghost()) {
                ledger.putVm(planVm(vs));
            }
        }
        ledger.releaseAll(hs.id);
        for (String vm : hs.incoming()) {
            VmState vs = fleet.vms().get(vm);
            if (vs != null) {
                ledger.reserve(hs.id, planVm(vs));
            }
        }
    }

    /** The planner's view of a VM of the fleet view. */
    public static PlanVm planVm(VmState vs) {
        VmEvent r = vs.record();
        return new PlanVm(
                vs.id,
                vs.host(),
                r.cpu(),
                r.memMb(),
                r.priority(),
                r.ha(),
                r.antiAffinityGroup(),
                r.storageDomain(),
                r.dependsOn());
    }

    /**
     * A ledger of the fleet view as it is now (open hosts: alive, not draining, not in
     * maintenance).
     */
    public static Ledger snapshot(Fleet fleet, long now) {
        Ledger l = new Ledger();
        FailedDomains none = new FailedDomains(new TreeSet<>(), new TreeSet<>());
        for (HostState hs : fleet.hosts().values()) {
            take(l, fleet, hs, none, now);
        }
        return l;
    }

    /**
     * Places one planning round of the engine: every request is checked against the view (the
     * engine's rules) before it is reserved there; what the ledger could not place is tried once
     * more through the view, so that a VM is unplaced only when the view holds no valid target for
     * it.
     *
     * @param jobs the requests' jobs by "incident|vm"
     * @return vm -> target for every request placed
     */
    public Map<String, String> place(
            List<PlacementRequest> requests,
            Map<String, VmJob> jobs,
            PlacementView view,
            Fleet fleet,
            FailedDomains domains,
            long now) {
        Ledger snap = snapshot(fleet, now);
        Exclusions x = new Exclusions(Set.of(), domains.racks(), domains.powerDomains());
        List<VmMove> moves = new ArrayList<>();
        Map<String, PlacementRequest> byVm = new HashMap<>();
        for (PlacementRequest r : requests) {
            VmJob j = jobs.get(r.incidentId() + "|" + r.vm());
            VmState vs = fleet.vms().get(r.vm());
            HostState sh = fleet.hosts().get(j.source);
            moves.add(
                    new VmMove(
                            planVm(vs),
                            j.source,
                            sh == null || sh.record() == null ? null : sh.cluster(),
                            sh == null ? "kvm" : sh.hypervisor(),
                            j.restart,
                            new TreeSet<>(j.failedTargets())));
            byVm.put(r.vm(), r);
        }
        Map<String, String> assigned = fromPlan(snap, moves, x);
        if (assigned != null) {
            prestagedRounds++;
        } else {
            freshRounds++;
            assigned = placer.place(snap, moves, x, true).targets();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : assigned.entrySet()) {
            PlacementRequest r = byVm.get(e.getKey());
            if (r != null && view.fits(r, e.getValue())) {
                view.reserve(r, e.getValue());
                out.put(r.vm(), e.getValue());
            }
        }
        List<PlacementRequest> rest = new ArrayList<>();
        for (PlacementRequest r : requests) {
            if (!out.containsKey(r.vm())) {
                rest.add(r);
            }
        }
        if (!rest.isEmpty()) {
            out.putAll(fallback.place(rest, view));
        }
        reasons = new HashMap<>();
        for (VmMove m : moves) {
            if (!out.containsKey(m.vm().id())) {
                reasons.put(m.vm().id(), snap.whyNot(m, x));
            }
        }
        return out;
    }

    /**
     * The detail of an {@code UNPLACED} alert naming VMs the last round left unplaced: "no valid
     * target: " and why, per reason with its VMs when they differ.
     */
    public String unplacedDetail(List<VmJob> jobs) {
        java.util.TreeMap<String, List<String>> byReason = new java.util.TreeMap<>();
        for (VmJob j : jobs) {
            String why = reasons == null ? null : reasons.get(j.vm);
            byReason.computeIfAbsent(why == null ? "" : why, k -> new ArrayList<>()).add(j.vm);
        }
        byReason.remove("");
        if (byReason.isEmpty()) {
            return "no valid target";
        }
        if (byReason.size() == 1) {
            return "no valid target: " + byReason.firstKey();
        }
        StringBuilder b = new StringBuilder("no valid target:");
        String sep = " ";
        for (Map.Entry<String, List<String>> e : byReason.entrySet()) {
            b.append(sep)
                    .append(e.getKey())
                    .append(" (")
                    .append(String.join(", ", e.getValue()))
                    .append(')');
            sep = "; ";
        }
        return b.toString();
    }

    /**
     * The prestaged plan of the round's one failed host, when the round is exactly its HA VMs, the
     * plan places them all and every placement still fits the ledger; else null.
     */
    private Map<String, String> fromPlan(Ledger snap, List<VmMove> moves, Exclusions x) {
        String source = null;
        for (VmMove m : moves) {
            if (!m.restart() || (source != null && !source.equals(m.source()))) {
                return null;
            }
            source = m.source();
        }
        HostPlan p = source == null ? null : plans.plan(source);
        if (p == null || !p.unplaced().isEmpty() || p.targets().size() != moves.size()) {
            return null;
        }
        Map<String, VmMove> byVm = new HashMap<>();
        for (VmMove m : moves) {
            byVm.put(m.vm().id(), m);
        }
        List<String> done = new ArrayList<>();
        boolean ok = true;
        for (Map.Entry<String, String> e : p.targets().entrySet()) {
            VmMove m = byVm.get(e.getKey());
            PlanHost t = snap.host(e.getValue());
            if (m == null || t == null || !Ledger.fits(t, m, x)) {
                ok = false;
                break;
            }
            snap.reserve(t.id, m.vm());
            done.add(e.getKey());
        }
        if (!ok) {
            for (String vm : done) {
                snap.release(p.targets().get(vm), vm);
            }
            return null;
        }
        return p.targets();
    }

    // ------------------------------------------------------------------ questions

    /**
     * A copy of the planning as it is, changed by its owner alone, that goes on exactly as this one
     * would (the same looks at the same instants, the same hosts taken, the same plans made) but
     * computes no admission view. For what-if questions: the ledger and the plans are copied field
     * by field, never through the checkpoint form.
     */
    public FleetPlanning copyForQuestion() {
        FleetPlanning p =
                new FleetPlanning(cluster, ledger.copy(), plans.copy(), lookEveryMs, everyHost);
        p.admissionView = false;
        seen.forEach((h, s) -> p.seen.put(h, s.copy()));
        p.touched.addAll(touched);
        p.nextLook = nextLook;
        p.lookNow = lookNow;
        p.beatBack.addAll(beatBack);
        p.deadlines.addAll(deadlines);
        p.deadlineOf.putAll(deadlineOf);
        p.lastDomains = lastDomains;
        p.nextDomainLook = nextDomainLook;
        p.admission = admission;
        p.updates = updates;
        p.prestagedRounds = prestagedRounds;
        p.freshRounds = freshRounds;
        return p;
    }

    /**
     * The first instant at which {@link #sync} looks: any instant when an input touched a host or
     * asked for a look, else the first at or after this one.
     */
    public long nextLook() {
        return touched.isEmpty() && !lookNow ? nextLook : Long.MIN_VALUE;
    }

    /** The failed domains of the last look, or null before the first. */
    public FailedDomains lastDomains() {
        return lastDomains;
    }

    /** Why the last round left the VM unplaced, or null when it placed it. */
    public String whyUnplaced(String vm) {
        return reasons == null ? null : reasons.get(vm);
    }

    // ------------------------------------------------------------------ checkpoint

    /**
     * Writes the planning (see {@code io.vmres.engine.state.EngineState}): the ledger, the
     * prestaged plans and what was last seen of each host are written, not made again, since the
     * plans depend on the order of the changes that made them. Each host's last seen record is
     * shared with the fleet view (a new record of a host is told by identity).
     */
    public void write(StateOutput out) throws IOException {
        ledger.write(out);
        plans.write(out);
        out.writeUnorderedMap(seen, Seen::write);
        out.writeStrings(touched);
        out.writeTs(nextLook);
        out.writeBoolean(lookNow);
        out.writeTs(nextDomainLook);
        out.writeBoolean(admission != null);
        if (admission != null) {
            writeAdmission(admission, out);
        }
        out.writeLong(updates);
        out.writeLong(prestagedRounds);
        out.writeLong(freshRounds);
    }

    public static FleetPlanning read(StateInput in, String cluster) throws IOException {
        FleetPlanning p =
                new FleetPlanning(
                        cluster,
                        Ledger.read(in),
                        PrestagedPlans.read(in, cluster),
                        LOOK_EVERY_MS,
                        false);
        in.readMap(p.seen, Seen::read);
        in.readStrings(p.touched);
        p.nextLook = in.readTs();
        p.lookNow = in.readBoolean();
        p.nextDomainLook = in.readTs();
        p.admission = in.readBoolean() ? readAdmission(in) : null;
        p.updates = in.readLong();
        p.prestagedRounds = in.readLong();
        p.freshRounds = in.readLong();
        return p;
    }

    private static void writeAdmission(Admission a, StateOutput out) throws IOException {
        out.writeInt(a.hosts());
        out.writeInt(a.racks());
        out.writeInt(a.powerDomains());
        out.writeAll(
                a.risks(),
                (r, o) -> {
                    o.writeString(r.kind());
                    o.writeString(r.id());
                    o.writeInt(r.unplacedVms());
                    o.writeNullableStrings(r.vms());
                });
    }

    private static Admission readAdmission(StateInput in) throws IOException {
        int hosts = in.readInt();
        int racks = in.readInt();
        int domains = in.readInt();
        List<Admission.Risk> risks =
                in.readAll(
                        new ArrayList<>(),
                        i ->
                                new Admission.Risk(
                                        i.readString(),
                                        i.readString(),
                                        i.readInt(),
                                        i.readNullableStrings()));
        return new Admission(hosts, racks, domains, risks);
    }
}
