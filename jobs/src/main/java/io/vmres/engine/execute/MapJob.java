package io.vmres.engine.execute;

import io.vmres.engine.state.StateInput;
import io.vmres.engine.state.StateOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.List;

/** One MAP_DISKS of a failed host's VMs onto one target; retried in place with attempt + 1. */
public final class MapJob implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String incidentId;
    public final String host;
    public final String target;
    public final List<String> vms;
    public final List<String> disks;
    public final int priority;
    private int attempt = 1;
    private boolean inFlight;

    public MapJob(
            String incidentId,
            String host,
            String target,
            List<String> vms,
            List<String> disks,
            int priority) {
        this.incidentId = incidentId;
        this.host = host;
        this.target = target;
        this.vms = vms;
        this.disks = disks;
        this.priority = priority;
    }

    /** Its attempt now, from 1. */
    public int attempt() {
        return attempt;
    }

    public boolean inFlight() {
        return inFlight;
    }

    /** Issued (again). */
    void issued() {
        inFlight = true;
    }

    /** Answered; a failure is retried in place with the next attempt. */
    void answered() {
        inFlight = false;
    }

    /** Retried in place: same VMs and disks, attempt + 1. */
    void retryInPlace() {
        attempt++;
    }

    /** Writes the map job (see {@code io.vmres.engine.state.EngineState}). */
    public void write(StateOutput out) throws IOException {
        out.writeString(incidentId);
        out.writeString(host);
        out.writeString(target);
        out.writeNullableStrings(vms);
        out.writeNullableStrings(disks);
        out.writeInt(priority);
        out.writeInt(attempt);
        out.writeBoolean(inFlight);
    }

    public static MapJob read(StateInput in) throws IOException {
        MapJob m =
                new MapJob(
                        in.readString(),
                        in.readString(),
                        in.readString(),
                        in.readNullableStrings(),
                        in.readNullableStrings(),
                        in.readInt());
        m.attempt = in.readInt();
        m.inFlight = in.readBoolean();
        return m;
    }
}
