package io.vmres.engine.plan;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Where each HA VM of a host would go if the host failed now, on its own (for a failed host: its
 * VMs still on it): vm -> target in placement order, and the HA VMs no target would hold.
 */
public record HostPlan(String host, LinkedHashMap<String, String> targets, List<String> unplaced)
        implements Serializable {

    public HostPlan {
        targets = new LinkedHashMap<>(targets);
        unplaced = List.copyOf(unplaced);
    }
}
