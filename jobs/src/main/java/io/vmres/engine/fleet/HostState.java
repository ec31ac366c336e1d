package io.vmres.engine.fleet;

import io.vmres.engine.event.HostEvent;
import java.io.Serializable;
import java.util.TreeSet;

/** One host as this cluster's engine sees it: record, liveness per channel, status, VMs. */
public final class HostState implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final int MGMT = 0;
    public static final int STORAGE = 1;
    public static final long NEVER = Long.MIN_VALUE;

    /** What the engine has declared about the host. */
    public enum Status {
        NORMAL,
        ISOLATED,
        FAILED,
        OUTAGE
    }

    public final String id;

    /** The record valid now (latest host event applied), or null before any. */
    public HostEvent record;

    public boolean registered;
    public long removedTs = NEVER;

    public final long[] lastBeat = {NEVER, NEVER};
    public final boolean[] used = new boolean[2];
    public final boolean[] lost = new boolean[2];
    public final long[] lossTs = {NEVER, NEVER};
    public final boolean[] armed = new boolean[2];

    /** Latest power reading, or null. */
    public String power;

    public Status status = Status.NORMAL;

    /** The incident behind a non-normal status. */
    public String incidentId;

    /** When the status was declared. */
    public long statusTs = NEVER;

    /** Per channel: a heartbeat arrived after the declaration (rejoin needs every used channel). */
    public final boolean[] beatSince = new boolean[2];

    /** Declared failed in a HOST_FAILURE, or confirmed in a NEEDS_CONFIRMATION: hard down. */
    public boolean hardDown;

    /** Latest declaration as failed (HOST_FAILURE or NEEDS_CONFIRMATION), for simulated answers. */
    public long lastDeclaredTs = NEVER;

    /** A predicted failure was declared: the host drains for the rest of the replay. */
    public boolean draining;

    /** Between a maintenance event and its maintenance-end. */
    public boolean inMaintenance;

    /** The open PREDICTED_FAILURE (not CLOSED) of the host, if any. */
    public String predictedIncident;

    /** The open MAINTENANCE of the host, if any. */
    public String maintenanceIncident;

    /** VMs on the host in the fleet view (ghosts of a rejoin excluded). */
    public final TreeSet<String> vms = new TreeSet<>();

    /** VMs planned or in flight to the host. */
    public final TreeSet<String> incoming = new TreeSet<>();

    public HostState(String id) {
        this.id = id;
    }

    public boolean usedAny() {
        return used[MGMT] || used[STORAGE];
    }

    /** Every channel the host used is lost (and it used one). */
    public boolean silent() {
        if (!usedAny()) {
            return false;
        }
        for (int c = 0; c < 2; c++) {
            if (used[c] && !lost[c]) {
                return false;
            }
        }
        return true;
    }

    /** The latest of the channel losses: when the host became silent. */
    public long lossTime() {
        long t = NEVER;
        for (int c = 0; c < 2; c++) {
            if (used[c]) {
                t = Math.max(t, lossTs[c]);
            }
        }
        return t;
    }

    public long lastBeatAny() {
        return Math.max(lastBeat[MGMT], lastBeat[STORAGE]);
    }

    /** Every channel the host used has beaten since its declaration. */
    public boolean beatOnEveryChannelSince() {
        for (int c = 0; c < 2; c++) {
            if (used[c] && !beatSince[c]) {
                return false;
            }
        }
        return usedAny();
    }

    public String cluster() {
        return record == null ? null : record.cluster();
    }

    public String hypervisor() {
        return record == null || record.hypervisor() == null ? "kvm" : record.hypervisor();
    }
}
