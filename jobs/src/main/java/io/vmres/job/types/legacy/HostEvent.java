package io.vmres.job.types.legacy;

import java.io.Serializable;

/**
 * Version 1 mirror of {@code io.vmres.engine.event.HostEvent} (fields only; see {@link V1State}).
 */
final class HostEvent implements Serializable {
    private static final long serialVersionUID = 0L;
    boolean bmc;
    double cpu;
    double memMb;
    long seq;
    boolean spare;
    long ts;
    String cluster;
    String host;
    String hypervisor;
    String powerDomain;
    String rack;
    java.util.List<?> storageDomains;
}
