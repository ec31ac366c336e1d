package io.vmres.job.types.legacy;

import java.io.Serializable;

/** Version 1 mirror of {@code io.vmres.engine.Settings} (fields only; see {@link V1State}). */
final class Settings implements Serializable {
    private static final long serialVersionUID = 0L;
    long commandTimeoutMs;
    int eccThreshold;
    long eccWindowMs;
    long evacuationLeadTimeMs;
    long heartbeatTimeoutMs;
    double massSilenceFraction;
    int maxAttempts;
    int maxInFlightPerCluster;
    int maxInFlightPerTarget;
    long outOfOrdernessMs;
    int smartPendingRise;
    int smartReallocatedRise;
    long smartWindowMs;
    double tempThresholdC;
    int tempWindows;
}
