package io.vmres.job.types.legacy;

import java.io.Serializable;

/** Version 1 mirror of {@code io.vmres.engine.execute.VmJob} (fields only; see {@link V1State}). */
final class VmJob implements Serializable {
    private static final long serialVersionUID = 1L;
    int attempts;
    int mapFailures;
    boolean noRetry;
    boolean restart;
    boolean waitingDeps;
    java.util.TreeSet<?> failedTargets;
    String incidentId;
    java.util.TreeSet<?> mappedOn;
    VmJob.Phase phase;
    String source;
    String target;
    String vm;

    /** Version 1 mirror of {@code io.vmres.engine.execute.VmJob$Phase}. */
    enum Phase {
        TO_PLACE,
        PLACED,
        MAPPING,
        READY,
        IN_FLIGHT,
        DONE,
        GIVEN_UP,
        DROPPED
    }
}
