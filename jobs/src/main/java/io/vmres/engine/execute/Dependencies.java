package io.vmres.engine.execute;

import io.vmres.engine.fleet.Fleet;
import io.vmres.engine.fleet.HostState;
import io.vmres.engine.fleet.HostState.Status;
import io.vmres.engine.fleet.VmState;
import io.vmres.engine.incident.Incident;
import io.vmres.engine.incident.Incidents;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The spec's Dependencies rule for a VM whose restart is otherwise due: it may go, it waits, or one
 * of its dependencies will not run again (gone, not HA on a dead host, given up, or a cycle of VMs
 * all owed and not running) and it is given up.
 */
public final class Dependencies {
    /** What the dependencies of a VM allow. */
    public enum Verdict {
        RUN,
        WAIT,
        DEAD
    }

    private final Fleet fleet;
    private final Incidents incidents;

    /**
     * @param incidents the cluster's incidents and the VMs given up so far (read only here)
     */
    public Dependencies(Fleet fleet, Incidents incidents) {
        this.fleet = fleet;
        this.incidents = incidents;
    }

    /** Whether the VM's dependencies run, may still run, or one will not run again. */
    public Verdict of(VmJob j) {
        VmState vs = fleet.vms().get(j.vm);
        boolean wait = false;
        for (String d : vs.dependsOn()) {
            VmState ds = fleet.relevantDependency(j.vm, d);
            if (ds == null || fleet.runs(ds)) {
                continue;
            }
            if (dead(ds)) {
                return Verdict.DEAD;
            }
            wait = true;
        }
        if (wait && inCycle(j.vm)) {
            return Verdict.DEAD;
        }
        return wait ? Verdict.WAIT : Verdict.RUN;
    }

    private boolean dead(VmState ds) {
        HostState dh = fleet.hosts().get(ds.host());
        // a VM on a failed host that rejoined is gone, unless its recovery is still under way
        return (ds.ghost() && !owed(ds.id))
                || incidents.givenUp(ds.id)
                || (dh != null && dh.status() == Status.FAILED && dh.hardDown() && !ds.ha());
    }

    private boolean owed(String vm) {
        for (Incident inc : incidents.all()) {
            VmJob j = inc.jobs().get(vm);
            if (j != null && j.active()) {
                return true;
            }
        }
        return false;
    }

    /** The VM depends on itself through VMs that are all owed and not running. */
    private boolean inCycle(String vm) {
        TreeSet<String> seen = new TreeSet<>();
        List<String> stack = new ArrayList<>();
        stack.add(vm);
        while (!stack.isEmpty()) {
            String x = stack.remove(stack.size() - 1);
            VmState xs = fleet.vms().get(x);
            if (xs == null) {
                continue;
            }
            for (String d : xs.dependsOn()) {
                VmState ds = fleet.relevantDependency(x, d);
                if (ds == null) {
                    continue;
                }
                if (d.equals(vm)) {
                    return true;
                }
                if (!seen.contains(d) && !fleet.runs(ds) && !incidents.givenUp(d) && owed(d)) {
                    seen.add(d);
                    stack.add(d);
                }
            }
        }
        return false;
    }
}
