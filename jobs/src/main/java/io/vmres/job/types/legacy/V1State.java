package io.vmres.job.types.legacy;

import io.vmres.engine.state.EngineState;
import io.vmres.engine.state.StateOutput;
import java.io.ByteArrayInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads a cluster engine of version 1 (Java serialization of the engine's classes as they were
 * before its stages were split out) into the frozen mirror of those classes in this package, and
 * migrates it: the mirror is written in the layout of version 2 of {@link EngineState} (the first
 * compact version; later versions read it as any state of version 2), field for field, old string
 * kinds and states as the enums of the same names, old timers ({@code kind} and {@code aux}) as the
 * timer records of each kind. Nothing but the old engine's classes, their JDK collections and boxed
 * numbers is deserialized: no other class can be named by the bytes.
 */
public final class V1State {
    private V1State() {}

    /** The format version the mirror is written in; frozen with this migration. */
    private static final int WRITTEN_AS = 2;

    /** The old engine's classes, by their old names, to their mirrors. */
    private static final Map<String, Class<?>> MIRRORS = new TreeMap<>();

    /** What else version 1 holds: JDK collections, boxed values, arrays of primitives. */
    private static final Set<String> JDK =
            Set.of(
                    "java.lang.Boolean",
                    "java.lang.Double",
                    "java.lang.Enum",
                    "java.lang.Integer",
                    "java.lang.Long",
                    "java.lang.Number",
                    "java.util.ArrayDeque",
                    "java.util.ArrayList",
                    "java.util.CollSer",
                    "java.util.HashMap",
                    "java.util.HashSet",
                    "java.util.LinkedHashMap",
                    "java.util.LinkedHashSet",
                    "java.util.PriorityQueue",
                    "java.util.TreeMap",
                    "java.util.TreeSet",
                    "[J",
                    "[Z",
                    "[D");

    static {
        mirror("io.vmres.engine.ClusterEngine", ClusterEngine.class);
        mirror("io.vmres.engine.ClusterEngine$Hypervisor", ClusterEngine.Hypervisor.class);
        mirror("io.vmres.engine.ExecutionMode", ExecutionMode.class);
        mirror("io.vmres.engine.Settings", Settings.class);
        mirror("io.vmres.engine.detect.HealthRules", HealthRules.class);
        mirror("io.vmres.engine.event.HostEvent", HostEvent.class);
        mirror("io.vmres.engine.event.SimFault", SimFault.class);
        mirror("io.vmres.engine.event.VmEvent", VmEvent.class);
        mirror("io.vmres.engine.execute.Command", Command.class);
        mirror("io.vmres.engine.execute.Dependencies", Dependencies.class);
        mirror("io.vmres.engine.execute.HostPart", HostPart.class);
        mirror("io.vmres.engine.execute.Incident", Incident.class);
        mirror("io.vmres.engine.execute.MapJob", MapJob.class);
        mirror("io.vmres.engine.execute.Timer", Timer.class);
        mirror("io.vmres.engine.execute.VmJob", VmJob.class);
        mirror("io.vmres.engine.execute.VmJob$Phase", VmJob.Phase.class);
        mirror("io.vmres.engine.fleet.Fleet", Fleet.class);
        mirror("io.vmres.engine.fleet.HostState", HostState.class);
        mirror("io.vmres.engine.fleet.HostState$Status", HostState.Status.class);
        mirror("io.vmres.engine.fleet.VmState", VmState.class);
        mirror("io.vmres.engine.out.CommandOut", CommandOut.class);
        mirror("io.vmres.engine.plan.Admission", Admission.class);
        mirror("io.vmres.engine.plan.Admission$Risk", Admission.Risk.class);
        mirror("io.vmres.engine.plan.BalancedPlacer", BalancedPlacer.class);
        mirror("io.vmres.engine.plan.FleetPlanning", FleetPlanning.class);
        mirror("io.vmres.engine.plan.FleetPlanning$Seen", FleetPlanning.Seen.class);
        mirror("io.vmres.engine.plan.GreedyPlacer", GreedyPlacer.class);
        mirror("io.vmres.engine.plan.HostPlan", HostPlan.class);
        mirror("io.vmres.engine.plan.Ledger", Ledger.class);
        mirror("io.vmres.engine.plan.PlanHost", PlanHost.class);
        mirror("io.vmres.engine.plan.PlanVm", PlanVm.class);
        mirror("io.vmres.engine.plan.PrestagedPlans", PrestagedPlans.class);
        mirror("io.vmres.engine.sim.SimHypervisor", SimHypervisor.class);
    }

    private static void mirror(String oldName, Class<?> mirror) {
        MIRRORS.put(oldName, mirror);
    }

    /** The engine of the Java-serialized bytes of version 1, as an engine of this build. */
    public static io.vmres.engine.ClusterEngine read(byte[] javaSerialized) throws IOException {
        ClusterEngine old;
        try (ObjectInputStream in = new MirrorStream(new ByteArrayInputStream(javaSerialized))) {
            Object o = in.readObject();
            if (!(o instanceof ClusterEngine e)) {
                throw new IOException("not an engine of version 1: " + o.getClass().getName());
            }
            old = e;
        } catch (ClassNotFoundException e) {
            throw new IOException("cannot read an engine of version 1", e);
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        StateOutput out = StateOutput.start(new DataOutputStream(bytes), WRITTEN_AS);
        engine(old, out);
        return EngineState.read(
                new java.io.DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    }

    /** Resolves the old names to the mirrors, the JDK classes allowed to themselves, else fails. */
    private static final class MirrorStream extends ObjectInputStream {
        MirrorStream(InputStream in) throws IOException {
            super(in);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc)
                throws IOException, ClassNotFoundException {
            Class<?> m = MIRRORS.get(desc.getName());
            if (m != null) {
                return m;
            }
            if (JDK.contains(desc.getName())) {
                return super.resolveClass(desc);
            }
            throw new InvalidClassException(desc.getName(), "not part of engine state version 1");
        }

        @Override
        protected Class<?> resolveProxyClass(String[] interfaces) throws InvalidClassException {
            throw new InvalidClassException("proxy", "not part of engine state version 1");
        }
    }

    // ------------------------------------------------------------------ the layout of version 2

    private static void engine(ClusterEngine e, StateOutput out) throws IOException {
        out.writeString(e.cluster);
        settings(e.settings, out);
        out.writeString(e.hypervisor.name());
        out.writeBoolean(e.predictionsFromInput);
        out.writeString(e.mode.name());
        out.writeNullableLong(e.endedRetentionMs);
        out.writeTs(e.inputEnd);
        out.writeTs(e.nextPruneTs);
        // fleet
        out.writeAll(values(e.fleet.hosts), V1State::host);
        out.writeAll(values(e.fleet.vms), V1State::vm);
        out.writeMap(map(e.health), V1State::health);
        // timers
        List<Timer> timers = new ArrayList<>(list(e.timers));
        timers.sort(null);
        out.writeTs(e.timerSeq);
        out.writeAll(timers, V1State::timer);
        // incidents
        out.writeInt(e.incidentSeq);
        out.writeAll(values(e.incidents), V1State::incident);
        out.writeString(e.openOutage);
        out.writeStrings(list(e.givenUp));
        out.writeBoolean(e.dirty);
        // in flight
        out.writeMap(map(e.inflight), V1State::command);
        out.writeMap(map(e.perTarget), (Integer n, StateOutput o) -> o.writeInt(n));
        out.writeInt(e.clusterInflight);
        // simulated hypervisor
        out.writeAll(list(e.sim.faults), V1State::simFault);
        out.writeAll(list(e.sim.left), (Integer n, StateOutput o) -> o.writeInt(n));
        planning(e.planning, out);
        // the hosts told: none (version 1 did not keep them)
        out.writeVarInt(0);
    }

    private static void settings(Settings s, StateOutput out) throws IOException {
        out.writeLong(s.heartbeatTimeoutMs);
        out.writeLong(s.outOfOrdernessMs);
        out.writeDouble(s.massSilenceFraction);
        out.writeInt(s.maxInFlightPerTarget);
        out.writeInt(s.maxInFlightPerCluster);
        out.writeLong(s.commandTimeoutMs);
        out.writeInt(s.maxAttempts);
        out.writeLong(s.eccWindowMs);
        out.writeInt(s.eccThreshold);
        out.writeDouble(s.tempThresholdC);
        out.writeInt(s.tempWindows);
        out.writeLong(s.smartWindowMs);
        out.writeInt(s.smartPendingRise);
        out.writeInt(s.smartReallocatedRise);
        out.writeLong(s.evacuationLeadTimeMs);
        // version 1 had no clock skew setting: the default
        out.writeLong(io.vmres.engine.Settings.DEFAULTS.maxClockSkewMs());
    }

    private static void hostEvent(HostEvent e, StateOutput out) throws IOException {
        out.writeTs(e.ts);
        out.writeLong(e.seq);
        out.writeString(e.host);
        out.writeString(e.cluster);
        out.writeNumber(e.cpu);
        out.writeNumber(e.memMb);
        out.writeString(e.rack);
        out.writeString(e.powerDomain);
        out.writeString(e.hypervisor);
        out.writeNullableStrings(e.storageDomains == null ? null : list(e.storageDomains));
        out.writeBoolean(e.spare);
        out.writeBoolean(e.bmc);
    }

    private static void vmEvent(VmEvent e, StateOutput out) throws IOException {
        out.writeTs(e.ts);
        out.writeLong(e.seq);
        out.writeString(e.vm);
        out.writeString(e.host);
        out.writeNumber(e.cpu);
        out.writeNumber(e.memMb);
        out.writeInt(e.priority);
        out.writeBoolean(e.ha);
        out.writeString(e.antiAffinityGroup);
        out.writeString(e.storageDomain);
        out.writeNullableStrings(e.disks == null ? null : list(e.disks));
        out.writeNullableStrings(e.dependsOn == null ? null : list(e.dependsOn));
    }

    private static void host(HostState h, StateOutput out) throws IOException {
        out.writeString(h.id);
        out.writeShared(h.record, V1State::hostEvent);
        int flags = 0;
        flags |= h.registered ? 1 : 0;
        flags |= h.hardDown ? 1 << 1 : 0;
        flags |= h.draining ? 1 << 2 : 0;
        flags |= h.inMaintenance ? 1 << 3 : 0;
        for (int c = 0; c < 2; c++) {
            flags |= h.used[c] ? 1 << (4 + c) : 0;
            flags |= h.lost[c] ? 1 << (6 + c) : 0;
            flags |= h.armed[c] ? 1 << (8 + c) : 0;
            flags |= h.beatSince[c] ? 1 << (10 + c) : 0;
        }
        out.writeVarInt(flags);
        out.writeTs(h.removedTs);
        for (int c = 0; c < 2; c++) {
            out.writeTs(h.lastBeat[c]);
            out.writeTs(h.lossTs[c]);
        }
        out.writeString(h.power);
        out.writeString(h.status == null ? null : h.status.name());
        out.writeString(h.incidentId);
        out.writeTs(h.statusTs);
        out.writeTs(h.lastDeclaredTs);
        out.writeString(h.predictedIncident);
        out.writeString(h.maintenanceIncident);
        out.writeStrings(list(h.vms));
        out.writeStrings(list(h.incoming));
    }

    private static void vm(VmState v, StateOutput out) throws IOException {
        out.writeString(v.id);
        out.writeShared(v.record, V1State::vmEvent);
        out.writeString(v.host);
        out.writeVarInt((v.down ? 1 : 0) | (v.ghost ? 2 : 0));
    }

    private static void health(HealthRules r, StateOutput out) throws IOException {
        out.writeAll(
                list(r.ecc),
                (long[] e, StateOutput o) -> {
                    o.writeTs(e[0]);
                    o.writeNumber(Double.longBitsToDouble(e[1]));
                });
        out.writeDouble(r.eccSum);
        out.writeNullableDouble(r.psu);
        out.writeNullableDouble(r.fans);
        Map<String, Collection<double[]>> smart = map(r.smart);
        out.writeMap(
                smart,
                (q, o) ->
                        o.writeAll(
                                q,
                                (x, o2) -> {
                                    o2.writeDouble(x[0]);
                                    o2.writeDouble(x[1]);
                                }));
        Map<Long, long[]> windows = map(r.tempWindows);
        out.writeVarInt(windows.size());
        for (Map.Entry<Long, long[]> w : windows.entrySet()) {
            out.writeTs(w.getKey());
            out.writeLong(w.getValue()[0]);
            out.writeLong(w.getValue()[1]);
        }
        out.writeTs(r.lastHotWindowEnd);
        out.writeInt(r.hotRun);
    }

    /**
     * Old kinds: 0 loss (aux: channel), 1 classify (aux: loss time), 2 isolation (aux: mgmt loss),
     * 3 temperature, 10 answer.
     */
    private static void timer(Timer t, StateOutput out) throws IOException {
        switch (t.kind) {
            case 0:
                out.writeString("LOSS");
                out.writeTs(t.ts);
                out.writeTs(t.seq);
                out.writeString(t.key);
                out.writeString(io.vmres.engine.fleet.Channel.values()[(int) t.aux].name());
                break;
            case 1:
                out.writeString("CLASSIFY");
                out.writeTs(t.ts);
                out.writeTs(t.seq);
                out.writeString(t.key);
                out.writeTs(t.aux);
                break;
            case 2:
                out.writeString("ISOLATION");
                out.writeTs(t.ts);
                out.writeTs(t.seq);
                out.writeString(t.key);
                out.writeTs(t.aux);
                break;
            case 3:
                out.writeString("TEMPERATURE");
                out.writeTs(t.ts);
                out.writeTs(t.seq);
                out.writeString(t.key);
                break;
            case 10:
                out.writeString("ANSWER");
                out.writeTs(t.ts);
                out.writeTs(t.seq);
                out.writeString(t.key);
                break;
            default:
                throw new IOException("unknown timer kind of version 1: " + t.kind);
        }
    }

    private static void incident(Incident i, StateOutput out) throws IOException {
        out.writeString(i.id);
        out.writeString(i.kind);
        out.writeTs(i.openedTs);
        out.writeString(i.state);
        out.writeStrings(list(i.hosts));
        out.writeStrings(list(i.everHosts));
        out.writeMap(map(i.parts), V1State::part);
        out.writeMap(map(i.jobs), (VmJob j, StateOutput o) -> o.writeShared(j, V1State::job));
        out.writeAll(
                list(i.pendingMaps), (MapJob m, StateOutput o) -> o.writeShared(m, V1State::map));
        out.writeValue(i.evidence);
        out.writeNullableLong(i.failureStartTs);
        out.writeNullableLong(i.firstCommandTs);
        out.writeNullableLong(i.lastCommandTs);
        out.writeNullableLong(i.lastRecoveryTs);
        out.writeStrings(list(i.recovered));
        out.writeStrings(list(i.unplaced));
        out.writeStrings(list(i.failed));
        out.writeInt(i.inFlight);
        out.writeInt(i.commandSeq);
        out.writeTs(i.lastLineTs);
        out.writeTs(i.deadline);
    }

    private static void part(HostPart p, StateOutput out) throws IOException {
        out.writeString(p.host);
        out.writeString(p.rack);
        out.writeString(p.powerDomain);
        out.writeTs(p.namedTs);
        out.writeTs(p.lossTs);
        out.writeTs(p.lastBeat);
        int flags = 0;
        flags |= p.removed ? 1 : 0;
        flags |= p.rejoined ? 1 << 1 : 0;
        flags |= p.left ? 1 << 2 : 0;
        flags |= p.confirmed ? 1 << 3 : 0;
        flags |= p.fenceNeeded ? 1 << 4 : 0;
        flags |= p.fenceInFlight ? 1 << 5 : 0;
        flags |= p.fenceSucceeded ? 1 << 6 : 0;
        flags |= p.fenceExhausted ? 1 << 7 : 0;
        out.writeVarInt(flags);
        out.writeInt(p.fenceAttempts);
    }

    private static void job(VmJob j, StateOutput out) throws IOException {
        out.writeString(j.incidentId);
        out.writeString(j.vm);
        out.writeString(j.source);
        out.writeVarInt((j.restart ? 1 : 0) | (j.noRetry ? 2 : 0) | (j.waitingDeps ? 4 : 0));
        out.writeString(j.phase.name());
        out.writeString(j.target);
        out.writeInt(j.attempts);
        out.writeInt(j.mapFailures);
        out.writeStrings(list(j.failedTargets));
        out.writeStrings(list(j.mappedOn));
    }

    private static void map(MapJob m, StateOutput out) throws IOException {
        out.writeString(m.incidentId);
        out.writeString(m.host);
        out.writeString(m.target);
        out.writeNullableStrings(m.vms == null ? null : list(m.vms));
        out.writeNullableStrings(m.disks == null ? null : list(m.disks));
        out.writeInt(m.priority);
        out.writeInt(m.attempt);
        out.writeBoolean(m.inFlight);
    }

    private static void command(Command c, StateOutput out) throws IOException {
        CommandOut o = c.out;
        out.writeString(o.action);
        out.writeString(o.commandId);
        out.writeString(o.incidentId);
        out.writeString(o.action);
        out.writeString(o.host);
        out.writeString(o.target);
        out.writeString(o.vm);
        out.writeNullableStrings(o.vms == null ? null : list(o.vms));
        out.writeNullableStrings(o.disks == null ? null : list(o.disks));
        out.writeInt(o.attempt);
        out.writeBoolean(o.priority != null);
        if (o.priority != null) {
            out.writeInt(o.priority);
        }
        out.writeTs(o.ts);
        out.writeShared(c.map, V1State::map);
        out.writeShared(c.job, V1State::job);
        out.writeString(c.simStatus);
        out.writeString(c.simDetail);
        out.writeTs(c.answerTs);
    }

    private static void simFault(SimFault f, StateOutput out) throws IOException {
        out.writeTs(f.ts);
        out.writeLong(f.seq);
        out.writeString(f.action);
        out.writeInt(f.count);
        out.writeString(f.host);
        out.writeString(f.target);
        out.writeString(f.vm);
    }

    private static void planning(FleetPlanning p, StateOutput out) throws IOException {
        if (p == null) {
            // a state saved without planning: an empty one, made again from the fleet view
            out.writeVarInt(0); // ledger hosts
            out.writeVarInt(0); // ledger VMs
            out.writeVarInt(0); // plans
            out.writeVarInt(0); // by target
            out.writeVarInt(0); // short
            out.writeLong(0); // replans
            out.writeVarInt(0); // seen
            out.writeVarInt(0); // touched
            out.writeTs(Long.MIN_VALUE);
            out.writeBoolean(false);
            out.writeTs(Long.MIN_VALUE);
            out.writeBoolean(false);
            out.writeLong(0);
            out.writeLong(0);
            out.writeLong(0);
            return;
        }
        // ledger
        out.writeAll(values(p.ledger.hosts), V1State::planHost);
        out.writeUnorderedMap(
                map(p.ledger.vms), (PlanVm v, StateOutput o) -> o.writeShared(v, V1State::planVm));
        // prestaged plans
        out.writeMap(
                map(p.plans.plans),
                (HostPlan h, StateOutput o) -> {
                    o.writeString(h.host);
                    o.writeMap(map(h.targets), (String t, StateOutput o2) -> o2.writeString(t));
                    o.writeStrings(list(h.unplaced));
                });
        out.writeUnorderedMap(
                map(p.plans.byTarget), (Collection<String> s, StateOutput o) -> o.writeStrings(s));
        out.writeStrings(list(p.plans.short_));
        out.writeLong(p.plans.replans);
        // planning
        out.writeUnorderedMap(map(p.seen), V1State::seen);
        out.writeStrings(list(p.touched));
        out.writeTs(p.nextLook);
        out.writeBoolean(p.lookNow);
        out.writeTs(p.nextDomainLook);
        out.writeBoolean(p.admission != null);
        if (p.admission != null) {
            Admission a = p.admission;
            out.writeInt(a.hosts);
            out.writeInt(a.racks);
            out.writeInt(a.powerDomains);
            out.writeAll(
                    list(a.risks),
                    (Admission.Risk r, StateOutput o) -> {
                        o.writeString(r.kind);
                        o.writeString(r.id);
                        o.writeInt(r.unplacedVms);
                        o.writeNullableStrings(r.vms == null ? null : list(r.vms));
                    });
        }
        out.writeLong(p.updates);
        out.writeLong(p.prestagedRounds);
        out.writeLong(p.freshRounds);
    }

    private static void planHost(PlanHost h, StateOutput out) throws IOException {
        out.writeString(h.id);
        out.writeVarInt((h.known ? 1 : 0) | (h.spare ? 2 : 0) | (h.up ? 4 : 0) | (h.open ? 8 : 0));
        out.writeString(h.cluster);
        out.writeNumber(h.cpu);
        out.writeNumber(h.memMb);
        out.writeString(h.rack);
        out.writeString(h.powerDomain);
        out.writeString(h.hypervisor);
        List<String> domains = new ArrayList<>(list(h.storageDomains));
        domains.sort(null);
        out.writeStrings(domains);
        out.writeNumber(h.usedCpu);
        out.writeNumber(h.usedMem);
        out.writeInt(h.inbound);
        out.writeInt(h.staged);
        out.writeUnorderedMap(map(h.groups), (Integer n, StateOutput o) -> o.writeInt(n));
        out.writeStrings(list(h.vms));
        out.writeMap(
                map(h.reserved), (PlanVm v, StateOutput o) -> o.writeShared(v, V1State::planVm));
    }

    private static void planVm(PlanVm v, StateOutput out) throws IOException {
        out.writeString(v.id);
        out.writeString(v.host);
        out.writeNumber(v.cpu);
        out.writeNumber(v.memMb);
        out.writeInt(v.priority);
        out.writeBoolean(v.ha);
        out.writeString(v.group);
        out.writeString(v.storageDomain);
        out.writeStrings(v.dependsOn == null ? List.of() : list(v.dependsOn));
    }

    private static void seen(FleetPlanning.Seen s, StateOutput out) throws IOException {
        out.writeShared(s.record, V1State::hostEvent);
        int flags = 0;
        flags |= s.registered ? 1 : 0;
        flags |= s.draining ? 1 << 1 : 0;
        flags |= s.inMaintenance ? 1 << 2 : 0;
        flags |= s.inDomain ? 1 << 3 : 0;
        flags |= s.alive ? 1 << 4 : 0;
        out.writeVarInt(flags);
        out.writeString(s.status == null ? null : s.status.name());
        out.writeInt(s.vms);
        out.writeInt(s.incoming);
    }

    // ------------------------------------------------------------------ the mirror's collections

    @SuppressWarnings("unchecked")
    private static <T> List<T> list(Collection<?> c) {
        return new ArrayList<>((Collection<T>) c);
    }

    @SuppressWarnings("unchecked")
    private static <T> Collection<T> values(Map<?, ?> m) {
        return (Collection<T>) m.values();
    }

    @SuppressWarnings("unchecked")
    private static <K, V> Map<K, V> map(Map<?, ?> m) {
        return (Map<K, V>) m;
    }
}
