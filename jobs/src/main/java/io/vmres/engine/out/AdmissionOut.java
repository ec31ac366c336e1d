package io.vmres.engine.out;

import io.vmres.engine.plan.Admission;
import java.io.Serializable;
import java.util.List;

/**
 * Which single failures a cluster can absorb now (the admission view): hosts, racks and power
 * domains checked, and those whose failure would leave HA VMs unplaced.
 *
 * @param ts event time (epoch ms) of the instant the view changed
 */
public record AdmissionOut(
        String cluster, int hosts, int racks, int powerDomains, List<Risk> risks, long ts)
        implements Serializable {

    /** A failure that would leave HA VMs unplaced; {@code vms} names at most 50 of them. */
    public record Risk(String kind, String id, int unplacedVms, List<String> vms)
            implements Serializable {}

    /** The view of a cluster at an instant. */
    public static AdmissionOut of(String cluster, Admission a, long ts) {
        return new AdmissionOut(
                cluster,
                a.hosts(),
                a.racks(),
                a.powerDomains(),
                a.risks().stream()
                        .map(r -> new Risk(r.kind(), r.id(), r.unplacedVms(), r.vms()))
                        .toList(),
                ts);
    }
}
