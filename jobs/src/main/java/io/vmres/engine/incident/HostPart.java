package io.vmres.engine.incident;

import io.vmres.engine.state.StateInput;
import io.vmres.engine.state.StateOutput;
import java.io.IOException;
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

    /** Writes the part (see {@code io.vmres.engine.state.EngineState}). */
    public void write(StateOutput out) throws IOException {
        out.writeString(host);
        out.writeString(rack);
        out.writeString(powerDomain);
        out.writeTs(namedTs);
        out.writeTs(lossTs);
        out.writeTs(lastBeat);
        int flags = 0;
        flags |= removed ? 1 : 0;
        flags |= rejoined ? 1 << 1 : 0;
        flags |= left ? 1 << 2 : 0;
        flags |= confirmed ? 1 << 3 : 0;
        flags |= fenceNeeded ? 1 << 4 : 0;
        flags |= fenceInFlight ? 1 << 5 : 0;
        flags |= fenceSucceeded ? 1 << 6 : 0;
        flags |= fenceExhausted ? 1 << 7 : 0;
        out.writeVarInt(flags);
        out.writeInt(fenceAttempts);
    }

    public static HostPart read(StateInput in) throws IOException {
        HostPart p =
                new HostPart(
                        in.readString(),
                        in.readString(),
                        in.readString(),
                        in.readTs(),
                        in.readTs(),
                        in.readTs());
        int flags = in.readVarInt();
        p.removed = (flags & 1) != 0;
        p.rejoined = (flags & 1 << 1) != 0;
        p.left = (flags & 1 << 2) != 0;
        p.confirmed = (flags & 1 << 3) != 0;
        p.fenceNeeded = (flags & 1 << 4) != 0;
        p.fenceInFlight = (flags & 1 << 5) != 0;
        p.fenceSucceeded = (flags & 1 << 6) != 0;
        p.fenceExhausted = (flags & 1 << 7) != 0;
        p.fenceAttempts = in.readInt();
        return p;
    }
}
