package io.vmres.job.types.legacy;

import java.io.Serializable;

/**
 * Version 1 mirror of {@code io.vmres.engine.out.CommandOut} (fields only; see {@link V1State}).
 */
final class CommandOut implements Serializable {
    private static final long serialVersionUID = 0L;
    int attempt;
    long ts;
    String action;
    String commandId;
    java.util.List<?> disks;
    String host;
    String incidentId;
    Integer priority;
    String target;
    String vm;
    java.util.List<?> vms;
}
