package io.vmres.connector.storage;

import io.vmres.connector.runtime.Outcome;
import java.time.Duration;
import java.util.List;

/**
 * The storage side of a {@code MAP_DISKS} command: makes a failed host's VM disks usable on the
 * target host, before the VMs restart there. A SAN backend would add the target's initiator to the
 * LUNs' host group; a Ceph backend would map the RBD images on the target (or check that the
 * target's libvirt secret and monitors reach them). Implementations must be idempotent: mapping a
 * disk already mapped succeeds.
 */
public interface DiskMapper {

    /**
     * Maps the disks on the target host.
     *
     * @param host the failed host the disks come from
     * @param target the host the VMs restart on
     * @param disks the disk ids of the command
     * @param timeout the time the call has
     */
    Outcome map(String host, String target, List<String> disks, Duration timeout)
            throws InterruptedException;
}
