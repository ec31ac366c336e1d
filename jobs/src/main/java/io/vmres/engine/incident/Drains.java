package io.vmres.engine.incident;

import io.vmres.engine.Settings;
import io.vmres.engine.Times;
import io.vmres.engine.execute.VmJob;
import io.vmres.engine.fleet.Fleet;
import io.vmres.engine.fleet.HostState;
import io.vmres.engine.fleet.VmState;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.Output;
import java.util.List;

/**
 * Drains (spec: Predicted failure, Maintenance): a PREDICTED_FAILURE or MAINTENANCE owes the live
 * migration of every VM of its host by its deadline; one open drain per host; a maintenance ends at
 * its maintenance-end, any drain when its host fails.
 */
public final class Drains {
    private final Settings settings;
    private final Fleet fleet;
    private final Incidents incidents;
    private final IncidentRules rules;

    public Drains(Settings settings, Fleet fleet, Incidents incidents, IncidentRules rules) {
        this.settings = settings;
        this.fleet = fleet;
        this.incidents = incidents;
        this.rules = rules;
    }

    /** Opens the drain a declaration asks for, unless one drains the host already. */
    public void declare(Declaration d, HostState hs, long t, Output out) {
        if (hs.status() == HostState.Status.FAILED) {
            return;
        }
        boolean predicted = d.kind() == IncidentKind.PREDICTED_FAILURE;
        if (predicted ? hs.predictedIncident() != null : hs.maintenanceIncident() != null) {
            return; // one open drain of each kind per host
        }
        String other = predicted ? hs.maintenanceIncident() : hs.predictedIncident();
        if (other != null && !incidents.get(other).ended()) {
            // a drain under way already owes every VM of the host: a second one could only owe them
            // again and never move them itself; the operator is told instead
            if (predicted) {
                hs.draining(true);
            }
            out.alert(
                    new AlertOut(
                            "ALREADY_DRAINING",
                            other,
                            hs.id,
                            List.of(),
                            d.kind() + " of " + hs.id + " while " + other + " drains it",
                            t));
            return;
        }
        Incident inc = incidents.open(d.kind(), t);
        inc.name(IncidentRules.part(hs, t));
        inc.failureStartTs(t);
        if (predicted) {
            hs.draining(true);
            hs.predictedIncident(inc.id());
            inc.deadline(Times.plus(t, settings.evacuationLeadTimeMs()));
            inc.evidence().put("rule", d.rule());
            inc.evidence().put("sensor", d.sensor());
            if (!d.rule().equals("cpu_temp")) {
                inc.evidence().put("value", d.value());
            }
        } else {
            hs.maintenanceIncident(inc.id());
            inc.deadline(d.maintenance().deadline());
            inc.evidence().put("reason", d.maintenance().reason());
            inc.evidence().put("requestedBy", d.maintenance().requestedBy());
        }
        inc.evidence().put("deadline", Times.format(inc.deadline()));
        rules.writeLine(inc, t, out);
        for (String v : hs.vms()) {
            VmState vs = fleet.vms().get(v);
            if (!vs.down() && !owedByDrain(v)) {
                rules.addJob(inc, vs, false);
            }
        }
        rules.evaluate(inc, t, out);
    }

    private boolean owedByDrain(String vm) {
        for (Incident inc : incidents.all()) {
            VmJob j = inc.jobs().get(vm);
            if (j != null && j.active() && !j.restart) {
                return true;
            }
        }
        return false;
    }

    /** The host's maintenance ends: its MAINTENANCE, if one is open, ends too. */
    public void maintenanceEnd(HostState hs, long t, Output out) {
        hs.inMaintenance(false);
        if (hs.maintenanceIncident() == null) {
            return;
        }
        Incident inc = incidents.get(hs.maintenanceIncident());
        hs.maintenanceIncident(null);
        endDrain(inc, t, out);
    }

    /** A drain ends: migrations not yet issued are dropped, one in flight is not retried. */
    private void endDrain(Incident inc, long t, Output out) {
        for (VmJob j : inc.jobs().values()) {
            if (j.phase() == VmJob.Phase.IN_FLIGHT) {
                j.noMoreRetries();
            } else if (j.active()) {
                fleet.drop(j);
            }
        }
        rules.close(inc, t, out);
    }

    /** Drain then failure: the drains end, what they have not moved is owed by the failure. */
    public void hostFailed(HostState hs, long t, Output out) {
        for (String id : new String[] {hs.predictedIncident(), hs.maintenanceIncident()}) {
            Incident drain = id == null ? null : incidents.get(id);
            if (drain != null && !drain.ended()) {
                for (VmJob j : drain.jobs().values()) {
                    if (j.active()) {
                        fleet.drop(j);
                    }
                }
                rules.close(drain, t, out);
            }
        }
        hs.predictedIncident(null);
        hs.maintenanceIncident(null);
    }
}
