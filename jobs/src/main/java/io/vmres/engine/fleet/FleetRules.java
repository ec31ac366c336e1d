package io.vmres.engine.fleet;

import io.vmres.engine.ClusterEngine.Hypervisor;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.HostRemoved;
import io.vmres.engine.event.VmEvent;
import io.vmres.engine.event.VmRemoved;
import io.vmres.engine.execute.VmJob;
import io.vmres.engine.fleet.HostState.Status;
import io.vmres.engine.incident.HostPart;
import io.vmres.engine.incident.Incident;
import io.vmres.engine.incident.IncidentKind;
import io.vmres.engine.incident.IncidentRules;
import io.vmres.engine.incident.Incidents;
import io.vmres.engine.out.Output;
import java.util.ArrayList;
import java.util.List;

/**
 * The fleet stage (spec: The fleet view, Hosts over time): inventory moves hosts and VMs in and out
 * of the cluster's view, a removed host leaves every incident's work, and a declared host that
 * beats again on every channel rejoins.
 */
public final class FleetRules {
    private final String cluster;
    private final Hypervisor hypervisor;
    private final Fleet fleet;
    private final Incidents incidents;
    private final IncidentRules rules;

    /**
     * @param hypervisor who answers commands: with connectors ({@code EXTERNAL}) the inventory
     *     reports what their restarts and migrations did, see {@link #vmEvent}
     */
    public FleetRules(
            String cluster,
            Hypervisor hypervisor,
            Fleet fleet,
            Incidents incidents,
            IncidentRules rules) {
        this.cluster = cluster;
        this.hypervisor = hypervisor;
        this.fleet = fleet;
        this.incidents = incidents;
        this.rules = rules;
    }

    public void hostEvent(HostEvent he, Output out) {
        HostState hs = fleet.host(he.host());
        if (cluster.equals(he.cluster())) {
            hs.record(he);
            hs.registered(true);
        } else {
            // the host moved to another cluster: from now on it is not registered here
            boolean was = fleet.registeredHere(hs);
            hs.record(he);
            if (was) {
                leave(hs, he.ts(), false, out);
            }
            hs.registered(false);
        }
    }

    public void hostRemoved(HostRemoved hr, Output out) {
        HostState hs = fleet.hosts().get(hr.host());
        if (hs != null && hs.registered()) {
            hs.removedTs(hr.ts());
            leave(hs, hr.ts(), true, out);
        }
    }

    /**
     * A {@code vm} record: inventory wins. A record that places the VM on another host ends what
     * every incident owes of it (spec: Owed VMs), except, in the live job, while its restart or
     * migration is in flight and the record places it on that command's source or target: the
     * cloud's inventory reports what the connectors' hypervisors did, so that is the command's own
     * doing, and its answer (recovered or not) settles it.
     */
    public void vmEvent(VmEvent ve) {
        VmState vs = fleet.vms().get(ve.vm());
        HostState to = fleet.hosts().get(ve.host());
        if (to != null && to.record() != null && !cluster.equals(to.cluster())) {
            if (vs != null) {
                removeVm(vs); // it left this cluster's fleet view
            }
            return;
        }
        to = fleet.host(ve.host());
        if (vs == null) {
            vs = new VmState(ve.vm(), ve);
            fleet.vms().put(vs.id, vs);
        } else {
            if (!vs.host().equals(ve.host())) {
                unowe(vs.id, ve.host()); // placed on another host, owed by nobody
                fleet.hosts().get(vs.host()).removeVm(vs.id);
            }
            vs.record(ve);
            vs.host(ve.host());
        }
        vs.down(false);
        vs.ghost(false);
        to.addVm(vs.id);
    }

    public void vmRemoved(VmRemoved vr) {
        VmState vs = fleet.vms().get(vr.vm());
        if (vs != null) {
            removeVm(vs);
        }
    }

    private void removeVm(VmState vs) {
        unowe(vs.id);
        HostState hs = fleet.hosts().get(vs.host());
        if (hs != null) {
            hs.removeVm(vs.id);
        }
        fleet.vms().remove(vs.id);
    }

    /** Every incident drops the VM's work not yet issued; an answer in flight recovers nothing. */
    private void unowe(String vm) {
        unowe(vm, null);
    }

    /** As {@link #unowe(String)}, but a job whose own command moved the VM to {@code to} stays. */
    private void unowe(String vm, String to) {
        for (Incident inc : incidents.all()) {
            VmJob j = inc.jobs().get(vm);
            if (j != null && j.active() && !movedByItsCommand(j, to)) {
                fleet.drop(j);
            }
        }
    }

    /** Live: the VM's restart or migration in flight put it on {@code to} (or back). */
    private boolean movedByItsCommand(VmJob j, String to) {
        return hypervisor == Hypervisor.EXTERNAL
                && to != null
                && j.phase() == VmJob.Phase.IN_FLIGHT
                && (to.equals(j.target()) || to.equals(j.source));
    }

    /**
     * A host is removed, or moved out of this cluster. A removed host's VMs leave the fleet view
     * and it leaves every incident's work (spec: Hosts over time). A host that moved on is only no
     * longer registered here: answers under way still count, nothing more is issued from it (its
     * record now names another cluster), and its incidents still wait for it (only a removal ends
     * that wait).
     */
    private void leave(HostState hs, long t, boolean removed, Output out) {
        hs.registered(false);
        if (removed) {
            List<VmState> on = new ArrayList<>();
            for (VmState vs : fleet.vms().values()) {
                if (vs.host().equals(hs.id)) {
                    on.add(vs);
                }
            }
            for (VmState vs : on) {
                removeVm(vs);
            }
        }
        for (Incident inc : incidents.all()) {
            HostPart part = inc.part(hs.id);
            if (part == null || inc.closed()) {
                continue;
            }
            part.leftCluster(removed);
            if (!removed) {
                continue;
            }
            for (VmJob j : inc.jobs().values()) {
                if (j.active() && j.source.equals(hs.id)) {
                    fleet.drop(j);
                }
            }
            inc.pendingMaps().removeIf(m -> m.host.equals(hs.id));
            if (inc.kind() == IncidentKind.HOST_ISOLATED) {
                rules.close(inc, t, out);
            }
        }
        hs.backToNormal();
        hs.hardDown(false);
        rules.evaluateAll(t, out);
    }

    /**
     * A declared host beat again on every channel it used (spec: Rejoin): it is normal again; a
     * failed host rejoins empty.
     */
    public void rejoin(HostState hs, long t, Output out) {
        incidents.changed();
        Incident inc = incidents.get(hs.incidentId());
        HostPart part = inc.part(hs.id);
        part.rejoin();
        if (hs.status() == Status.FAILED) {
            if (inc.kind() == IncidentKind.HOST_FAILURE || part.confirmed()) {
                // a failed host rejoins empty: what is still on it is gone
                for (String v : hs.vms()) {
                    fleet.vms().get(v).ghost(true);
                }
                hs.clearVms();
                if (!rules.knownDown(inc, hs.id) && !part.fenceInFlight()) {
                    // back without being known down, and no fence under way that would make it so:
                    // its VMs not yet under way are not owed any more
                    for (VmJob j : inc.jobs().values()) {
                        if (j.active()
                                && j.source.equals(hs.id)
                                && j.phase() != VmJob.Phase.IN_FLIGHT) {
                            fleet.drop(j);
                        }
                    }
                }
            } else {
                for (String v : hs.vms()) {
                    fleet.vms().get(v).down(false); // never confirmed: its VMs ran on
                }
            }
        }
        hs.backToNormal();
        hs.hardDown(false);
        rules.evaluate(inc, t, out);
    }
}
