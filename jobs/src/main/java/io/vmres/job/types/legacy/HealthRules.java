package io.vmres.job.types.legacy;

import java.io.Serializable;

/**
 * Version 1 mirror of {@code io.vmres.engine.detect.HealthRules} (fields only; see {@link
 * V1State}).
 */
final class HealthRules implements Serializable {
    private static final long serialVersionUID = 1L;
    double eccSum;
    int hotRun;
    long lastHotWindowEnd;
    java.util.ArrayDeque<?> ecc;
    Double fans;
    Double psu;
    java.util.TreeMap<?, ?> smart;
    java.util.TreeMap<?, ?> tempWindows;
}
