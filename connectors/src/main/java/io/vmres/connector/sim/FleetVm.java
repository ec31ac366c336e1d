package io.vmres.connector.sim;

import io.vmres.schema.Vm;
import java.time.Instant;
import java.util.List;

/** A VM of the simulated fleet and the host it runs on now. */
public record FleetVm(
        String vm,
        String host,
        double cpu,
        double memMb,
        int priority,
        boolean ha,
        String antiAffinityGroup,
        String storageDomain,
        List<String> disks) {

    public FleetVm {
        disks = List.copyOf(disks);
    }

    /** The same VM on another host. */
    public FleetVm on(String newHost) {
        return new FleetVm(
                vm, newHost, cpu, memMb, priority, ha, antiAffinityGroup, storageDomain, disks);
    }

    /** Its inventory record. */
    public Vm toAvro(Instant ts) {
        return Vm.newBuilder()
                .setVm(vm)
                .setHost(host)
                .setCpu(cpu)
                .setMemMb(memMb)
                .setPriority(priority)
                .setHa(ha)
                .setAntiAffinityGroup(antiAffinityGroup)
                .setStorageDomain(storageDomain)
                .setDisks(disks)
                .setTs(ts)
                .build();
    }
}
