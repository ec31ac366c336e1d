package io.vmres.job.types.legacy;

import java.io.Serializable;

/** Version 1 mirror of {@code io.vmres.engine.event.VmEvent} (fields only; see {@link V1State}). */
final class VmEvent implements Serializable {
    private static final long serialVersionUID = 0L;
    double cpu;
    boolean ha;
    double memMb;
    int priority;
    long seq;
    long ts;
    String antiAffinityGroup;
    java.util.List<?> dependsOn;
    java.util.List<?> disks;
    String host;
    String storageDomain;
    String vm;
}
