package io.vmres.engine.plan;

import java.io.Serializable;
import java.util.Set;

/**
 * What a planning round must not target besides the ledger's closed hosts: the hosts failing in the
 * round and the failed racks and power domains.
 */
public record Exclusions(Set<String> hosts, Set<String> racks, Set<String> powerDomains)
        implements Serializable {

    public static final Exclusions NONE = new Exclusions(Set.of(), Set.of(), Set.of());

    public Exclusions {
        hosts = hosts == null ? Set.of() : hosts;
        racks = racks == null ? Set.of() : racks;
        powerDomains = powerDomains == null ? Set.of() : powerDomains;
    }

    /** The target is in none of the excluded hosts and domains. */
    public boolean allows(PlanHost h) {
        return !hosts.contains(h.id)
                && (h.rack() == null || !racks.contains(h.rack()))
                && (h.powerDomain() == null || !powerDomains.contains(h.powerDomain()));
    }
}
