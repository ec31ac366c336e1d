package io.vmres.engine.plan;

import java.io.Serializable;
import java.util.List;

/**
 * A VM as the planner sees it: where it runs, what it needs of a target, and what it asks of its
 * placement (priority, anti-affinity group, storage domain, dependencies).
 *
 * @param group anti-affinity group, or null
 * @param storageDomain the storage domain a target must have, or null
 * @param dependsOn VMs that must run before it restarts (empty when none)
 */
public record PlanVm(
        String id,
        String host,
        double cpu,
        double memMb,
        int priority,
        boolean ha,
        String group,
        String storageDomain,
        List<String> dependsOn)
        implements Serializable {

    public PlanVm {
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
    }
}
