package io.vmres.job.types.legacy;

import java.io.Serializable;

/** Version 1 mirror of {@code io.vmres.engine.plan.PlanHost} (fields only; see {@link V1State}). */
final class PlanHost implements Serializable {
    private static final long serialVersionUID = 1L;
    double cpu;
    int inbound;
    boolean known;
    double memMb;
    boolean open;
    double room;
    boolean spare;
    int staged;
    boolean up;
    double usedCpu;
    double usedMem;
    String cluster;
    java.util.HashMap<?, ?> groups;
    String hypervisor;
    String id;
    String powerDomain;
    String rack;
    java.util.TreeMap<?, ?> reserved;
    java.util.Set<?> storageDomains;
    java.util.TreeSet<?> vms;
}
