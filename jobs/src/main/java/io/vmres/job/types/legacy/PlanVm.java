package io.vmres.job.types.legacy;

import java.io.Serializable;

/** Version 1 mirror of {@code io.vmres.engine.plan.PlanVm} (fields only; see {@link V1State}). */
final class PlanVm implements Serializable {
    private static final long serialVersionUID = 0L;
    double cpu;
    boolean ha;
    double memMb;
    int priority;
    java.util.List<?> dependsOn;
    String group;
    String host;
    String id;
    String storageDomain;
}
