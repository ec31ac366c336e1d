package io.vmres.engine.correlate;

import io.vmres.engine.Settings;
import io.vmres.engine.Times;
import io.vmres.engine.fleet.Channel;
import io.vmres.engine.fleet.Fleet;
import io.vmres.engine.fleet.HostState;
import io.vmres.engine.fleet.HostState.Status;
import io.vmres.engine.fleet.VmState;
import io.vmres.engine.incident.Drains;
import io.vmres.engine.incident.HostPart;
import io.vmres.engine.incident.Incident;
import io.vmres.engine.incident.IncidentKind;
import io.vmres.engine.incident.IncidentRules;
import io.vmres.engine.incident.Incidents;
import io.vmres.engine.out.Output;
import java.util.ArrayList;
import java.util.List;

/**
 * The correlation stage (spec: Host failure, Network isolation, Telemetry outage, Correlated
 * failure): at loss + outOfOrderness every silent, unclassified host of the cluster is classified
 * in one batch: a host failure, a host awaiting confirmation (no BMC) or, when a large share of the
 * cluster fell silent together, a telemetry outage; failures sharing a rack or power domain become
 * one incident.
 */
public final class Correlator {
    private final Settings settings;
    private final Fleet fleet;
    private final Incidents incidents;
    private final IncidentRules rules;
    private final Drains drains;

    public Correlator(
            Settings settings,
            Fleet fleet,
            Incidents incidents,
            IncidentRules rules,
            Drains drains) {
        this.settings = settings;
        this.fleet = fleet;
        this.incidents = incidents;
        this.rules = rules;
        this.drains = drains;
    }

    /** The host fell silent at {@code lossTime}: the batch is classified now, unless stale. */
    public void classifyTimer(String host, long lossTime, long t, Output out) {
        HostState hs = fleet.hosts().get(host);
        // stale when the host beat again since, or is classified already
        if (hs.silent()
                && !hs.stalled()
                && hs.lossTime() == lossTime
                && fleet.registeredHere(hs)
                && (hs.status() == Status.NORMAL || hs.status() == Status.ISOLATED)) {
            classify(t, out);
        }
    }

    /** Mgmt lost at {@code mgmtLoss} while storage beats on: the host is isolated, not down. */
    public void isolationTimer(String host, long mgmtLoss, long t, Output out) {
        HostState hs = fleet.hosts().get(host);
        if (hs.status() != Status.NORMAL
                || hs.stalled()
                || !fleet.registeredHere(hs)
                || !hs.lost(Channel.MGMT)
                || hs.lossTs(Channel.MGMT) != mgmtLoss
                || !hs.used(Channel.STORAGE)
                || hs.lost(Channel.STORAGE)) {
            return;
        }
        incidents.changed();
        Incident inc = incidents.open(IncidentKind.HOST_ISOLATED, t);
        inc.name(IncidentRules.part(hs, t));
        inc.failureStartTs(hs.lastBeat(Channel.MGMT));
        inc.evidence().put("lastMgmtHeartbeat", Times.format(hs.lastBeat(Channel.MGMT)));
        inc.evidence().put("storageAlive", true);
        hs.declare(Status.ISOLATED, inc.id(), t);
        rules.writeLine(inc, t, out);
    }

    /**
     * Classifies every silent, unclassified host of the cluster in one batch (spec: Host failure).
     */
    private void classify(long t, Output out) {
        incidents.changed();
        long timeout = settings.heartbeatTimeoutMs();
        int registered = 0;
        int recent = 0;
        List<HostState> batch = new ArrayList<>();
        for (HostState hs : fleet.hosts().values()) {
            if (!fleet.registeredHere(hs)) {
                continue;
            }
            registered++;
            if (!hs.silent() || hs.stalled()) {
                continue; // a stalled host's silence is the input's, not its own: not judged
            }
            long loss = hs.lossTime();
            if (loss > Times.minus(t, timeout) && loss <= t) {
                recent++;
            }
            if (hs.status() == Status.NORMAL || hs.status() == Status.ISOLATED) {
                batch.add(hs);
            }
        }
        boolean outage =
                incidents.openOutage() != null
                        || recent >= settings.massSilenceFraction() * registered - 1e-9;
        List<HostState> failures = new ArrayList<>();
        List<HostState> unconfirmed = new ArrayList<>();
        List<HostState> silent = new ArrayList<>();
        for (HostState hs : batch) {
            if (hs.status() == Status.ISOLATED) {
                // storage lost as well: the isolation ends, the host is classified as silent
                Incident iso = incidents.get(hs.incidentId());
                hs.backToNormal();
                rules.close(iso, t, out);
            }
            if (fleet.provenOff(hs)) {
                // known down by its power, BMC or not: a host failure, never an outage
                failures.add(hs);
            } else if (outage) {
                silent.add(hs);
            } else if (hs.record() != null && !hs.record().bmc()) {
                unconfirmed.add(hs);
            } else {
                failures.add(hs);
            }
        }
        if (!silent.isEmpty()) {
            joinOutage(silent, recent, registered, t, out);
        }
        for (List<HostState> g : Correlation.groups(failures)) {
            declareFailed(IncidentKind.HOST_FAILURE, g, t, out);
        }
        for (List<HostState> g : Correlation.groups(unconfirmed)) {
            declareFailed(IncidentKind.NEEDS_CONFIRMATION, g, t, out);
        }
    }

    private void joinOutage(
            List<HostState> silent, int recent, int registered, long t, Output out) {
        String open = incidents.openOutage();
        Incident inc = open == null ? null : incidents.get(open);
        boolean fresh = inc == null;
        if (fresh) {
            inc = rules.openOutage(t);
            inc.evidence().put("silentHosts", recent);
            inc.evidence().put("registeredHosts", registered);
        }
        for (HostState hs : silent) {
            inc.name(IncidentRules.part(hs, t));
            hs.declare(Status.OUTAGE, inc.id(), t);
            hs.clearBeatsSince();
        }
        if (fresh) {
            inc.failureStartTs(IncidentRules.minLastBeat(inc));
        }
        rules.writeLine(inc, t, out);
    }

    /** A host of an outage whose power is proven off leaves it and is a host failure. */
    public void powerOffInOutage(HostState hs, long t, Output out) {
        if (hs.status() != Status.OUTAGE || !fleet.provenOff(hs)) {
            return;
        }
        leaveOutage(List.of(hs), t, out);
    }

    /**
     * A power domain read off: every host of the outage that the reading proves off leaves it,
     * together, as one batch of host failures (spec: Telemetry outage, Power proof).
     */
    public void domainOffInOutage(String powerDomain, long t, Output out) {
        List<HostState> off = new ArrayList<>();
        for (HostState hs : fleet.hosts().values()) {
            if (hs.status() == Status.OUTAGE
                    && fleet.registeredHere(hs)
                    && hs.record() != null
                    && powerDomain.equals(hs.record().powerDomain())
                    && fleet.provenOff(hs)) {
                off.add(hs);
            }
        }
        if (!off.isEmpty()) {
            leaveOutage(off, t, out);
        }
    }

    private void leaveOutage(List<HostState> batch, long t, Output out) {
        Incident o = incidents.get(batch.get(0).incidentId());
        for (HostState hs : batch) {
            o.part(hs.id).leaveOutage();
            o.unname(hs.id);
            hs.backToNormal();
        }
        rules.writeLine(o, t, out);
        rules.evaluate(o, t, out);
        for (List<HostState> g : Correlation.groups(batch)) {
            declareFailed(IncidentKind.HOST_FAILURE, g, t, out);
        }
    }

    /** A group of failed hosts joins a correlated open incident of its kind, or opens its own. */
    private void declareFailed(IncidentKind kind, List<HostState> group, long t, Output out) {
        long timeout = settings.heartbeatTimeoutMs();
        Incident target = null;
        for (Incident inc : incidents.all()) {
            if (inc.kind() != kind || inc.ended()) {
                continue;
            }
            for (HostPart p : inc.parts().values()) {
                for (HostState g : group) {
                    boolean domain =
                            g.record() != null
                                    && ((p.rack() != null && p.rack().equals(g.record().rack()))
                                            || (p.powerDomain() != null
                                                    && p.powerDomain()
                                                            .equals(g.record().powerDomain())));
                    if (domain && Times.distance(p.lossTs(), g.lossTime()) <= timeout) {
                        target = inc;
                    }
                }
                if (target != null) {
                    break;
                }
            }
            if (target != null) {
                break;
            }
        }
        boolean fresh = target == null;
        Incident inc = fresh ? incidents.open(kind, t) : target;
        for (HostState hs : group) {
            nameFailed(inc, hs, t, out);
        }
        if (fresh) {
            inc.failureStartTs(IncidentRules.minLastBeat(inc));
        }
        rules.writeLine(inc, t, out);
    }

    private void nameFailed(Incident inc, HostState hs, long t, Output out) {
        HostPart part = IncidentRules.part(hs, t);
        inc.name(part);
        IncidentRules.evidenceMap(inc, "lastHeartbeat").put(hs.id, Times.format(hs.lastBeatAny()));
        IncidentRules.evidenceMap(inc, "power").put(hs.id, hs.power());
        if (fleet.provenOffByDomain(hs)) {
            IncidentRules.evidenceMap(inc, "powerDomainOff").put(hs.id, hs.record().powerDomain());
        }
        boolean hf = inc.kind() == IncidentKind.HOST_FAILURE;
        hs.declare(Status.FAILED, inc.id(), t);
        hs.hardDown(hf);
        hs.lastDeclaredTs(t);
        hs.clearBeatsSince();
        drains.hostFailed(hs, t, out);
        for (String v : hs.vms()) {
            VmState vs = fleet.vms().get(v);
            vs.down(true);
            if (hf && vs.ha()) {
                rules.addJob(inc, vs, true);
            }
        }
        if (hf && hs.record() != null && hs.record().bmc() && !fleet.provenOff(hs)) {
            part.needFence();
        }
    }
}
