package io.vmres.engine.incident;

import io.vmres.engine.Settings;
import io.vmres.engine.Times;
import io.vmres.engine.event.OperatorConfirm;
import io.vmres.engine.fleet.Fleet;
import io.vmres.engine.fleet.HostState;
import io.vmres.engine.fleet.HostState.Status;
import io.vmres.engine.fleet.VmState;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.Output;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An operator's confirmation that a host without a BMC is down (spec: Operator confirmation): it
 * makes the host of a NEEDS_CONFIRMATION known down, or is ignored with an alert saying why.
 */
public final class Confirmations {
    private final Settings settings;
    private final Fleet fleet;
    private final Incidents incidents;
    private final IncidentRules rules;

    public Confirmations(Settings settings, Fleet fleet, Incidents incidents, IncidentRules rules) {
        this.settings = settings;
        this.fleet = fleet;
        this.incidents = incidents;
        this.rules = rules;
    }

    /**
     * A power domain read off at {@code t}: every host awaiting confirmation in it that the reading
     * proves off and that is still silent, as a confirmation at {@code t} would be judged, is
     * confirmed by it (spec: Power proof). A domain reading never raises {@code CONFIRM_IGNORED}.
     */
    public void domainOff(String powerDomain, long t, Output out) {
        for (HostState hs : fleet.hosts().values()) {
            if (hs.status() != Status.FAILED
                    || !fleet.registeredHere(hs)
                    || hs.record() == null
                    || !powerDomain.equals(hs.record().powerDomain())
                    || !fleet.provenOffByDomain(hs)
                    || Times.plus(hs.lastBeatAny(), settings.heartbeatTimeoutMs()) >= t) {
                continue;
            }
            Incident inc = incidents.get(hs.incidentId());
            HostPart part = inc.part(hs.id);
            if (inc.kind() == IncidentKind.NEEDS_CONFIRMATION
                    && part != null
                    && !part.confirmed()
                    && !part.removed()) {
                apply(inc, part, hs, t, null, "power-domain " + powerDomain + " off", out);
            }
        }
    }

    public void confirm(OperatorConfirm oc, Output out) {
        long t = oc.ts();
        HostState hs = fleet.hosts().get(oc.host());
        String why = null;
        Incident inc = null;
        HostPart part = null;
        if (!fleet.registeredHere(hs)) {
            why = "host is not registered";
        } else if (hs.status() == Status.ISOLATED) {
            why = "host is isolated, not down";
        } else if (hs.status() == Status.OUTAGE) {
            why = "host is in a telemetry outage";
        } else if (hs.status() != Status.FAILED) {
            why = hs.silent() ? "host is not declared yet" : "host is alive";
        } else {
            inc = incidents.get(hs.incidentId());
            part = inc.part(hs.id);
            if (inc.kind() != IncidentKind.NEEDS_CONFIRMATION) {
                why = "host is in a HOST_FAILURE incident";
            } else if (part.confirmed()) {
                why = "host is already confirmed";
            } else if (Times.plus(hs.lastBeatAny(), settings.heartbeatTimeoutMs()) >= t) {
                why = "host sent heartbeats within the timeout";
            }
        }
        if (why != null) {
            out.alert(new AlertOut("CONFIRM_IGNORED", null, oc.host(), List.of(), why, t));
            return;
        }
        apply(inc, part, hs, t, oc.requestedBy(), oc.reason(), out);
    }

    /** A valid confirmation of the host at {@code t}: known down, its HA VMs owed from now on. */
    private void apply(
            Incident inc,
            HostPart part,
            HostState hs,
            long t,
            String requestedBy,
            String reason,
            Output out) {
        part.confirm();
        hs.hardDown(true);
        hs.lastDeclaredTs(Math.max(hs.lastDeclaredTs(), hs.statusTs()));
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("ts", Times.format(t));
        c.put("requestedBy", requestedBy);
        c.put("reason", reason);
        IncidentRules.evidenceMap(inc, "confirmed").put(hs.id, c);
        rules.writeLine(inc, t, out);
        // every HA VM on the host now is owed, planned after the input events of this instant
        for (String v : hs.vms()) {
            VmState vs = fleet.vms().get(v);
            if (vs.ha()) {
                rules.addJob(inc, vs, true);
            }
        }
    }
}
