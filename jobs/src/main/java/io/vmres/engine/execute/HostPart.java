package io.vmres.engine.execute;

import java.io.Serializable;

/** A host named by an incident, as of the line that first named it. */
public final class HostPart implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String host;
    public final String rack;
    public final String powerDomain;
    public final long namedTs;
    public final long lossTs;
    public final long lastBeat;
    public boolean removed;
    public boolean rejoined;

    /** Left a telemetry outage (its power read off). */
    public boolean left;

    public boolean confirmed;
    public boolean fenceNeeded;
    public boolean fenceInFlight;
    public int fenceAttempts;
    public boolean fenceSucceeded;
    public boolean fenceExhausted;

    public HostPart(
            String host,
            String rack,
            String powerDomain,
            long namedTs,
            long lossTs,
            long lastBeat) {
        this.host = host;
        this.rack = rack;
        this.powerDomain = powerDomain;
        this.namedTs = namedTs;
        this.lossTs = lossTs;
        this.lastBeat = lastBeat;
    }
}
