package io.vmres.engine.incident;

import io.vmres.engine.IncidentFigures;
import io.vmres.engine.Times;
import io.vmres.engine.execute.VmJob;
import io.vmres.engine.fleet.Fleet;
import io.vmres.engine.fleet.HostState;
import io.vmres.engine.fleet.VmState;
import io.vmres.engine.out.IncidentOut;
import io.vmres.engine.out.Output;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The incident stage: an incident's lines, its state as its hosts and work allow (spec: Incident
 * states), the figures of the summary, and the retention of ended incidents in the live job.
 */
public final class IncidentRules {
    private final Fleet fleet;
    private final Incidents incidents;

    public IncidentRules(Fleet fleet, Incidents incidents) {
        this.fleet = fleet;
        this.incidents = incidents;
    }

    /** Opens a TELEMETRY_OUTAGE, the cluster's one open outage until it closes. */
    public Incident openOutage(long t) {
        Incident inc = incidents.open(IncidentKind.TELEMETRY_OUTAGE, t);
        incidents.outageOpened(inc.id());
        return inc;
    }

    /** The host's part in an incident naming it at {@code t}. */
    public static HostPart part(HostState hs, long t) {
        String rack = hs.record() == null ? null : hs.record().rack();
        String pd = hs.record() == null ? null : hs.record().powerDomain();
        return new HostPart(hs.id, rack, pd, t, hs.lossTime(), hs.lastBeatAny());
    }

    /** Known down (spec: Host failure): power off or a fence that succeeded; confirmed for NC. */
    public boolean knownDown(Incident inc, String host) {
        HostPart p = inc.part(host);
        if (p == null || p.removed()) {
            return false;
        }
        if (inc.kind() == IncidentKind.NEEDS_CONFIRMATION) {
            return p.confirmed();
        }
        HostState hs = fleet.hosts().get(host);
        return fleet.provenOff(hs) || p.fenceSucceeded();
    }

    /** The incident owes the VM's restart (or its migration, for a drain): once per incident. */
    public void addJob(Incident inc, VmState vs, boolean restart) {
        VmJob old = inc.jobs().get(vs.id);
        if (old != null && old.phase() != VmJob.Phase.DROPPED) {
            return; // owed once per incident
        }
        VmJob j = new VmJob(inc.id(), vs.id, vs.host(), restart);
        if (old != null) {
            // attempts count per incident, action and VM: a new job goes on from the dropped one
            j.continueFrom(old);
        }
        inc.jobs().put(vs.id, j);
        incidents.changed();
    }

    public void evaluateAll(long t, Output out) {
        for (Incident inc : incidents.snapshot()) {
            evaluate(inc, t, out);
        }
    }

    /** Moves the incident on as its hosts and work allow (spec: Incident states). */
    public void evaluate(Incident inc, long t, Output out) {
        if (inc.closed()) {
            return;
        }
        boolean pending = inc.anyActiveJob() || inc.inFlight() > 0;
        switch (inc.kind()) {
            case HOST_FAILURE:
            case NEEDS_CONFIRMATION:
                {
                    boolean allBack = true;
                    boolean hostsOk = true;
                    for (HostPart p : inc.parts().values()) {
                        allBack &= p.removed() || p.rejoined();
                        boolean done =
                                inc.kind() == IncidentKind.HOST_FAILURE
                                        ? knownDown(inc, p.host())
                                                || p.fenceExhausted()
                                                || p.rejoined()
                                        : p.confirmed() || p.rejoined();
                        hostsOk &= p.removed() || done;
                    }
                    if (allBack && !pending) {
                        moveTo(inc, IncidentState.CLOSED, t, out);
                    } else if (!inc.ended() && hostsOk && !pending) {
                        moveTo(inc, recoveredState(inc), t, out);
                    }
                    break;
                }
            case TELEMETRY_OUTAGE:
                {
                    boolean allBack = true;
                    for (HostPart p : inc.parts().values()) {
                        allBack &= p.left() || p.removed() || p.rejoined();
                    }
                    if (allBack) {
                        incidents.outageClosed(inc.id());
                        moveTo(inc, IncidentState.CLOSED, t, out);
                    }
                    break;
                }
            case PREDICTED_FAILURE:
            case MAINTENANCE:
                if (!inc.ended() && !pending) {
                    moveTo(inc, recoveredState(inc), t, out);
                }
                break;
            default:
                break;
        }
    }

    private static IncidentState recoveredState(Incident inc) {
        return inc.unplacedVms().isEmpty() && inc.failedVms().isEmpty()
                ? IncidentState.RECOVERED
                : IncidentState.PARTIAL;
    }

    /** Moves the incident to {@code state} with a line, unless it is there already or closed. */
    public void moveTo(Incident inc, IncidentState state, long t, Output out) {
        if (inc.moveTo(state)) {
            writeLine(inc, t, out);
        }
    }

    public void close(Incident inc, long t, Output out) {
        moveTo(inc, IncidentState.CLOSED, t, out);
    }

    /** A line of the incident as it stands now. */
    public void writeLine(Incident inc, long t, Output out) {
        inc.lineWritten(t);
        out.incident(
                new IncidentOut(
                        inc.id(),
                        inc.kind().name(),
                        List.copyOf(inc.hosts()),
                        inc.state().name(),
                        copy(inc.evidence()),
                        t,
                        figuresOf(inc)));
    }

    /** What the summary tells of the incident now. */
    public static IncidentFigures figuresOf(Incident inc) {
        TreeSet<String> unplaced = new TreeSet<>(inc.unplacedVms());
        unplaced.removeAll(inc.recoveredVms());
        TreeSet<String> failed = new TreeSet<>(inc.failedVms());
        failed.removeAll(inc.recoveredVms());
        failed.removeAll(unplaced);
        return new IncidentFigures(
                inc.id(),
                inc.kind().name(),
                List.copyOf(inc.everHosts()),
                inc.state().name(),
                inc.openedTs(),
                inc.failureStartTs(),
                inc.firstCommandTs(),
                inc.lastCommandTs(),
                inc.lastRecoveryTs(),
                inc.recoveredVms().size(),
                unplaced.size(),
                failed.size());
    }

    /** The earliest last heartbeat of the incident's hosts, or its opening when none beat. */
    public static Long minLastBeat(Incident inc) {
        Long min = null;
        for (HostPart p : inc.parts().values()) {
            if (p.lastBeat() != HostState.NEVER && (min == null || p.lastBeat() < min)) {
                min = p.lastBeat();
            }
        }
        return min == null ? inc.openedTs() : min;
    }

    /** The evidence map under {@code key}, made on first use. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> evidenceMap(Incident inc, String key) {
        return (Map<String, Object>)
                inc.evidence().computeIfAbsent(key, k -> new LinkedHashMap<>());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> copy(Map<String, Object> m) {
        Map<String, Object> c = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : m.entrySet()) {
            Object v = e.getValue();
            c.put(e.getKey(), v instanceof Map<?, ?> inner ? copy((Map<String, Object>) inner) : v);
        }
        return c;
    }

    /**
     * Drops the incidents that ended more than {@code retentionMs} before {@code t} and that
     * nothing can reach any more: no work and no command of theirs is left, no host and no open
     * outage names them, and a failure waits for none of its hosts (it is CLOSED). Everything else
     * is per host or per VM and stays.
     */
    public void pruneEnded(long t, long retentionMs) {
        Set<String> named = new TreeSet<>();
        if (incidents.openOutage() != null) {
            named.add(incidents.openOutage());
        }
        for (HostState hs : fleet.hosts().values()) {
            for (String id :
                    new String[] {
                        hs.incidentId(), hs.predictedIncident(), hs.maintenanceIncident()
                    }) {
                if (id != null) {
                    named.add(id);
                }
            }
        }
        long before = Times.minus(t, retentionMs);
        incidents.dropIf(
                inc ->
                        inc.ended()
                                && (inc.closed() || !inc.kind().failure())
                                && inc.inFlight() == 0
                                && !inc.anyActiveJob()
                                && !named.contains(inc.id())
                                && inc.lastLineTs() <= before);
    }
}
