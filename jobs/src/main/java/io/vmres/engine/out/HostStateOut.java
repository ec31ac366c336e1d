package io.vmres.engine.out;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * The fleet view of one host, for dashboards: its state (one of {@link #STATES}, or {@link
 * #REMOVED} once it leaves the cluster), VMs and capacity use. Not part of the replay files.
 */
public record HostStateOut(
        String host,
        String cluster,
        String state,
        String rack,
        String powerDomain,
        int vms,
        double cpuUsed,
        double cpuTotal,
        double memUsedMb,
        double memTotalMb,
        long ts)
        implements Serializable {

    /** The states of a registered host (docs/dashboard.md tells what each means). */
    public static final List<String> STATES =
            List.of(
                    "healthy",
                    "suspect",
                    "isolated",
                    "failed",
                    "fenced",
                    "draining",
                    "maintenance");

    /** The state of a host that left the cluster (removed, or moved to another cluster). */
    public static final String REMOVED = "removed";

    /** The same view of the host, whatever the time it was taken at. */
    public boolean sameAs(HostStateOut o) {
        return o != null
                && host.equals(o.host)
                && cluster.equals(o.cluster)
                && state.equals(o.state)
                && Objects.equals(rack, o.rack)
                && Objects.equals(powerDomain, o.powerDomain)
                && vms == o.vms
                && cpuUsed == o.cpuUsed
                && cpuTotal == o.cpuTotal
                && memUsedMb == o.memUsedMb
                && memTotalMb == o.memTotalMb;
    }
}
