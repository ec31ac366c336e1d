package io.vmres.engine.incident;

import java.io.Serializable;

/** A host named by an incident, as of the line that first named it, and its fence. */
public final class HostPart implements Serializable {
    private static final long serialVersionUID = 2L;

    private final String host;
    private final String rack;
    private final String powerDomain;
    private final long namedTs;
    private final long lossTs;
    private final long lastBeat;
    private boolean removed;
    private boolean rejoined;

    /** Left a telemetry outage (its power read off). */
    private boolean left;

    private boolean confirmed;
    private boolean fenceNeeded;
    private boolean fenceInFlight;
    private int fenceAttempts;
    private boolean fenceSucceeded;
    private boolean fenceExhausted;

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

    public String host() {
        return host;
    }

    public String rack() {
        return rack;
    }

    public String powerDomain() {
        return powerDomain;
    }

    public long namedTs() {
        return namedTs;
    }

    public long lossTs() {
        return lossTs;
    }

    public long lastBeat() {
        return lastBeat;
    }

    public boolean removed() {
        return removed;
    }

    public boolean rejoined() {
        return rejoined;
    }

    public boolean left() {
        return left;
    }

    public boolean confirmed() {
        return confirmed;
    }

    public boolean fenceNeeded() {
        return fenceNeeded;
    }

    public boolean fenceInFlight() {
        return fenceInFlight;
    }

    public int fenceAttempts() {
        return fenceAttempts;
    }

    public boolean fenceSucceeded() {
        return fenceSucceeded;
    }

    public boolean fenceExhausted() {
        return fenceExhausted;
    }

    /** The host left the cluster: removed (it leaves the incident's work) or moved away. */
    public void leftCluster(boolean removed) {
        this.removed = removed;
        this.fenceNeeded = false;
    }

    public void rejoin() {
        rejoined = true;
    }

    /** Its power read off during a telemetry outage: it leaves the outage. */
    public void leaveOutage() {
        left = true;
    }

    public void confirm() {
        confirmed = true;
    }

    /** It must be fenced before its VMs restart (a BMC, power not off). */
    public void needFence() {
        fenceNeeded = true;
    }

    /** A fence is due: needed, none under way, none succeeded or exhausted, still here. */
    public boolean fenceDue() {
        return fenceNeeded
                && !fenceInFlight
                && !fenceSucceeded
                && !fenceExhausted
                && !removed
                && !rejoined;
    }

    /** A fence is issued; returns its attempt (from 1). */
    public int fenceIssued() {
        fenceInFlight = true;
        return ++fenceAttempts;
    }

    /** A fence answered; when it failed, whether this was its last attempt. */
    public boolean fenceAnswered(boolean ok, int maxAttempts) {
        fenceInFlight = false;
        if (ok) {
            fenceSucceeded = true;
            return false;
        }
        if (!removed && fenceAttempts >= maxAttempts) {
            fenceExhausted = true;
            return true;
        }
        return false;
    }
}
