package io.vmres.job.types.legacy;

import java.io.Serializable;

/**
 * Version 1 mirror of {@code io.vmres.engine.execute.MapJob} (fields only; see {@link V1State}).
 */
final class MapJob implements Serializable {
    private static final long serialVersionUID = 1L;
    int attempt;
    boolean inFlight;
    int priority;
    java.util.List<?> disks;
    String host;
    String incidentId;
    String target;
    java.util.List<?> vms;
}
