package io.vmres.connector.libvirt;

import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.storage.DiskMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.libvirt.Connect;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;

/**
 * Disk mapping on libvirt storage: a disk is a volume of a shared storage pool (NFS, iSCSI, RBD),
 * and it is usable on the target when the target's libvirt sees the volume in its pool. The pool is
 * refreshed first, so that a volume created elsewhere shows up.
 */
public final class LibvirtVolumes implements DiskMapper {
    private final LibvirtConnector libvirt;
    private final String pool;

    LibvirtVolumes(LibvirtConnector libvirt, String pool) {
        this.libvirt = libvirt;
        this.pool = pool;
    }

    @Override
    public Outcome map(String host, String target, List<String> disks, Duration timeout) {
        Connect c = libvirt.connection(target);
        try {
            StoragePool p = c.storagePoolLookupByName(pool);
            if (p.isActive() != 1) {
                p.create(0);
            }
            p.refresh(0);
            List<String> missing = new ArrayList<>();
            for (String disk : disks) {
                try {
                    p.storageVolLookupByName(disk);
                } catch (LibvirtException e) {
                    if (e.getError() == null
                            || e.getError().getCode() != ErrorNumber.VIR_ERR_NO_STORAGE_VOL) {
                        throw e;
                    }
                    missing.add(disk);
                }
            }
            if (!missing.isEmpty()) {
                return Outcome.failed(
                        "volumes not in pool " + pool + " on " + target + ": " + missing);
            }
            return Outcome.succeeded(
                    disks.size() + " volumes of pool " + pool + " visible on " + target);
        } catch (LibvirtException e) {
            return Outcome.failed("libvirt storage: " + LibvirtConnector.msg(e));
        }
    }
}
