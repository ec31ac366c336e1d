package io.vmres.job.types.legacy;

import java.io.Serializable;

/**
 * Version 1 mirror of {@code io.vmres.engine.execute.HostPart} (fields only; see {@link V1State}).
 */
final class HostPart implements Serializable {
    private static final long serialVersionUID = 1L;
    boolean confirmed;
    int fenceAttempts;
    boolean fenceExhausted;
    boolean fenceInFlight;
    boolean fenceNeeded;
    boolean fenceSucceeded;
    long lastBeat;
    boolean left;
    long lossTs;
    long namedTs;
    boolean rejoined;
    boolean removed;
    String host;
    String powerDomain;
    String rack;
}
