package io.vmres.engine;

import java.io.Serializable;
import java.time.Duration;

/**
 * The spec's settings, with its defaults. Durations are held in milliseconds. Parsing and
 * validation of overrides ({@code meta.config}, {@code --set}) live in {@code SettingsParser}.
 */
public record Settings(
        long heartbeatTimeoutMs,
        long outOfOrdernessMs,
        double massSilenceFraction,
        int maxInFlightPerTarget,
        int maxInFlightPerCluster,
        long commandTimeoutMs,
        int maxAttempts,
        long eccWindowMs,
        int eccThreshold,
        double tempThresholdC,
        int tempWindows,
        long smartWindowMs,
        int smartPendingRise,
        int smartReallocatedRise,
        long evacuationLeadTimeMs,
        long maxClockSkewMs)
        implements Serializable {

    public static final Settings DEFAULTS =
            new Settings(
                    Duration.ofSeconds(10).toMillis(),
                    Duration.ofSeconds(2).toMillis(),
                    0.5,
                    8,
                    256,
                    Duration.ofMinutes(5).toMillis(),
                    3,
                    Duration.ofHours(24).toMillis(),
                    100,
                    90,
                    3,
                    Duration.ofHours(168).toMillis(),
                    8,
                    100,
                    Duration.ofMinutes(30).toMillis(),
                    Duration.ofSeconds(1).toMillis());
}
