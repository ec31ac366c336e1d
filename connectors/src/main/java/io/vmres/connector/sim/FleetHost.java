package io.vmres.connector.sim;

import io.vmres.schema.Host;
import java.time.Instant;
import java.util.List;

/** A host of the simulated fleet as the inventory describes it. */
public record FleetHost(
        String host,
        String cluster,
        String rack,
        String powerDomain,
        String hypervisor,
        List<String> storageDomains,
        double cpu,
        double memMb,
        boolean spare,
        boolean bmc) {

    public FleetHost {
        storageDomains = List.copyOf(storageDomains);
    }

    /** Its inventory record. */
    public Host toAvro(Instant ts) {
        return Host.newBuilder()
                .setHost(host)
                .setCluster(cluster)
                .setCpu(cpu)
                .setMemMb(memMb)
                .setRack(rack)
                .setPowerDomain(powerDomain)
                .setHypervisor(hypervisor)
                .setStorageDomains(storageDomains)
                .setSpare(spare)
                .setBmc(bmc)
                .setTs(ts)
                .build();
    }
}
