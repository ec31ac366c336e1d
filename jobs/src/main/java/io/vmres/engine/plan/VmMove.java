package io.vmres.engine.plan;

import java.io.Serializable;
import java.util.Set;

/**
 * One VM to place in a planning round: a restart from a failed host or a live migration from a
 * draining one.
 *
 * @param source the host it leaves (never its target)
 * @param cluster the source host's cluster (a target must be in it), or null for any
 * @param hypervisor the source host's hypervisor (a target must run it)
 * @param avoid targets excluded for this VM (those of earlier failed attempts)
 */
public record VmMove(
        PlanVm vm,
        String source,
        String cluster,
        String hypervisor,
        boolean restart,
        Set<String> avoid)
        implements Serializable {

    public VmMove {
        avoid = avoid == null ? Set.of() : avoid;
    }

    /** A restart of the VM from its own host, in the given cluster, on hosts of that hypervisor. */
    public static VmMove restart(PlanVm vm, String cluster, String hypervisor) {
        return new VmMove(vm, vm.host(), cluster, hypervisor, true, Set.of());
    }
}
