package io.vmres.engine.fleet;

import io.vmres.engine.event.HostEvent;
import io.vmres.engine.state.RecordCodec;
import io.vmres.engine.state.StateInput;
import io.vmres.engine.state.StateOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/** One host as this cluster's engine sees it: record, liveness per channel, status, VMs. */
public final class HostState implements Serializable {
    private static final long serialVersionUID = 1L;

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
    private HostEvent record;

    private boolean registered;
    private long removedTs = NEVER;

    private final long[] lastBeat = {NEVER, NEVER};
    private final boolean[] used = new boolean[2];
    private final boolean[] lost = new boolean[2];
    private final long[] lossTs = {NEVER, NEVER};
    private final boolean[] armed = new boolean[2];

    /** Latest power reading of the host's own BMC, or null; its ts; the ts of its latest 'on'. */
    private String power;

    private long powerTs = NEVER;
    private long lastOnTs = NEVER;

    private Status status = Status.NORMAL;

    /** The incident behind a non-normal status. */
    private String incidentId;

    /** When the status was declared. */
    private long statusTs = NEVER;

    /** Per channel: a heartbeat arrived after the declaration (rejoin needs every used channel). */
    private final boolean[] beatSince = new boolean[2];

    /** Declared failed in a HOST_FAILURE, or confirmed in a NEEDS_CONFIRMATION: hard down. */
    private boolean hardDown;

    /** Latest declaration as failed (HOST_FAILURE or NEEDS_CONFIRMATION), for simulated answers. */
    private long lastDeclaredTs = NEVER;

    /** A predicted failure was declared: the host drains for the rest of the replay. */
    private boolean draining;

    /** Between a maintenance event and its maintenance-end. */
    private boolean inMaintenance;

    /** The open PREDICTED_FAILURE (not CLOSED) of the host, if any. */
    private String predictedIncident;

    /** The open MAINTENANCE of the host, if any. */
    private String maintenanceIncident;

    /** Its telemetry cannot be read (its heartbeat partition stalled): it is not classified. */
    private boolean stalled;

    /** When its telemetry was last read again after a stall: its silence counts from there. */
    private long resumedTs = NEVER;

    /** VMs on the host in the fleet view (ghosts of a rejoin excluded). */
    private final TreeSet<String> vms = new TreeSet<>();

    /** VMs planned or in flight to the host. */
    private final TreeSet<String> incoming = new TreeSet<>();

    /** Read-only views of the two sets, made when first asked for: never serialized. */
    private transient SortedSet<String> vmsView;

    private transient SortedSet<String> incomingView;

    /**
     * Where the host tells that its state changed (the planning takes only the hosts told), or null
     * for a host of no fleet view.
     */
    private HostChanges changes;

    public HostState(String id) {
        this.id = id;
    }

    /** A host that tells {@code changes} of every change of what the planning takes from it. */
    HostState(String id, HostChanges changes) {
        this.id = id;
        watch(changes);
    }

    /** From now on, tells {@code changes} of every change (and marks the host changed now). */
    void watch(HostChanges changes) {
        this.changes = changes;
        changed();
    }

    private void changed() {
        if (changes != null) {
            changes.mark(id);
        }
    }

    public HostEvent record() {
        return record;
    }

    public void record(HostEvent record) {
        this.record = record;
        changed();
    }

    public boolean registered() {
        return registered;
    }

    public void registered(boolean registered) {
        this.registered = registered;
        changed();
    }

    public long removedTs() {
        return removedTs;
    }

    public void removedTs(long removedTs) {
        this.removedTs = removedTs;
    }

    public String power() {
        return power;
    }

    /** The ts of the latest own power reading, or {@link #NEVER}. */
    public long powerTs() {
        return powerTs;
    }

    /** The ts of the latest own power reading {@code on}, or {@link #NEVER}. */
    public long lastOnTs() {
        return lastOnTs;
    }

    /** A reading of the host's own BMC (applied in event-time order: it is the latest). */
    public void powerReading(String state, long ts) {
        this.power = state;
        this.powerTs = ts;
        if ("on".equals(state)) {
            this.lastOnTs = ts;
        }
    }

    public boolean hardDown() {
        return hardDown;
    }

    public void hardDown(boolean hardDown) {
        this.hardDown = hardDown;
    }

    public long lastDeclaredTs() {
        return lastDeclaredTs;
    }

    public void lastDeclaredTs(long lastDeclaredTs) {
        this.lastDeclaredTs = lastDeclaredTs;
    }

    public boolean draining() {
        return draining;
    }

    public void draining(boolean draining) {
        this.draining = draining;
        changed();
    }

    public boolean inMaintenance() {
        return inMaintenance;
    }

    public void inMaintenance(boolean inMaintenance) {
        this.inMaintenance = inMaintenance;
        changed();
    }

    public String predictedIncident() {
        return predictedIncident;
    }

    public void predictedIncident(String predictedIncident) {
        this.predictedIncident = predictedIncident;
    }

    public String maintenanceIncident() {
        return maintenanceIncident;
    }

    public void maintenanceIncident(String maintenanceIncident) {
        this.maintenanceIncident = maintenanceIncident;
    }

    /** VMs on the host in the fleet view (ghosts of a rejoin excluded), read only. */
    public SortedSet<String> vms() {
        if (vmsView == null) {
            vmsView = Collections.unmodifiableSortedSet(vms);
        }
        return vmsView;
    }

    /** The VM is on the host now. */
    public void addVm(String vm) {
        if (vms.add(vm)) {
            changed();
        }
    }

    /** The VM is not on the host any more. */
    public void removeVm(String vm) {
        if (vms.remove(vm)) {
            changed();
        }
    }

    /** No VM is on the host any more. */
    public void clearVms() {
        if (!vms.isEmpty()) {
            vms.clear();
            changed();
        }
    }

    /** VMs planned or in flight to the host, read only. */
    public SortedSet<String> incoming() {
        if (incomingView == null) {
            incomingView = Collections.unmodifiableSortedSet(incoming);
        }
        return incomingView;
    }

    /** The VM is planned or in flight to the host. */
    public void addIncoming(String vm) {
        if (incoming.add(vm)) {
            changed();
        }
    }

    /** The VM is not planned nor in flight to the host any more. */
    public void removeIncoming(String vm) {
        if (incoming.remove(vm)) {
            changed();
        }
    }

    public Status status() {
        return status;
    }

    /** The incident behind a non-normal status, or null. */
    public String incidentId() {
        return incidentId;
    }

    /** When the status was declared. */
    public long statusTs() {
        return statusTs;
    }

    /** The host is declared {@code status} by the incident at {@code t}. */
    public void declare(Status status, String incidentId, long t) {
        if (status == Status.NORMAL || incidentId == null) {
            throw new IllegalArgumentException("a declaration names a status and its incident");
        }
        this.status = status;
        this.incidentId = incidentId;
        this.statusTs = t;
        changed();
    }

    /** The host is normal again: no incident stands behind its status any more. */
    public void backToNormal() {
        status = Status.NORMAL;
        incidentId = null;
        changed();
    }

    /** A channel the host uses beat at {@code ts}: it is not lost. */
    public void beat(Channel c, long ts) {
        int i = c.ordinal();
        if (!used[i]) {
            // a channel used from now on: its deadline counts for the host's liveness
            changed();
        }
        used[i] = true;
        lastBeat[i] = Math.max(lastBeat[i], ts);
        lost[i] = false;
    }

    /** Arms the channel's loss timer; false when one is armed already. */
    public boolean arm(Channel c) {
        if (armed[c.ordinal()]) {
            return false;
        }
        armed[c.ordinal()] = true;
        return true;
    }

    /** The channel's loss timer fired. */
    public void disarm(Channel c) {
        armed[c.ordinal()] = false;
    }

    /** The channel is lost at {@code t}. */
    public void lose(Channel c, long t) {
        lost[c.ordinal()] = true;
        lossTs[c.ordinal()] = t;
    }

    /** A heartbeat came on the channel after the declaration. */
    public void beatSince(Channel c) {
        beatSince[c.ordinal()] = true;
    }

    /** Declared now: rejoining needs a beat on every channel from now on. */
    public void clearBeatsSince() {
        java.util.Arrays.fill(beatSince, false);
    }

    public boolean used(Channel c) {
        return used[c.ordinal()];
    }

    public boolean lost(Channel c) {
        return lost[c.ordinal()];
    }

    public long lastBeat(Channel c) {
        return lastBeat[c.ordinal()];
    }

    /** Whether its telemetry cannot be read now (a stalled partition): no loss, no classifying. */
    public boolean stalled() {
        return stalled;
    }

    /** Its telemetry stalled. */
    public void stall() {
        stalled = true;
    }

    /**
     * Its telemetry is read again at {@code ts}: every channel it used counts its silence from
     * there, as at a new start (the channels lost meanwhile are not lost).
     */
    public void resume(long ts) {
        stalled = false;
        resumedTs = Math.max(resumedTs, ts);
        java.util.Arrays.fill(lost, false);
    }

    /** The instant the channel's silence counts from: its last beat, or a later resume. */
    public long silentSince(Channel c) {
        return Math.max(lastBeat[c.ordinal()], resumedTs);
    }

    public long lossTs(Channel c) {
        return lossTs[c.ordinal()];
    }

    public boolean usedAny() {
        return used[0] || used[1];
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
        return Math.max(lastBeat[0], lastBeat[1]);
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

    // ------------------------------------------------------------------ checkpoint

    /** Writes the host's state (see {@code io.vmres.engine.state.EngineState}). */
    public void write(StateOutput out) throws IOException {
        out.writeString(id);
        out.writeShared(record, RecordCodec::writeHostEvent);
        int flags = 0;
        flags |= registered ? 1 : 0;
        flags |= hardDown ? 1 << 1 : 0;
        flags |= draining ? 1 << 2 : 0;
        flags |= inMaintenance ? 1 << 3 : 0;
        for (int c = 0; c < 2; c++) {
            flags |= used[c] ? 1 << (4 + c) : 0;
            flags |= lost[c] ? 1 << (6 + c) : 0;
            flags |= armed[c] ? 1 << (8 + c) : 0;
            flags |= beatSince[c] ? 1 << (10 + c) : 0;
        }
        flags |= stalled ? 1 << 12 : 0;
        out.writeVarInt(flags);
        out.writeTs(removedTs);
        for (int c = 0; c < 2; c++) {
            out.writeTs(lastBeat[c]);
            out.writeTs(lossTs[c]);
        }
        out.writeString(power);
        out.writeEnum(status);
        out.writeString(incidentId);
        out.writeTs(statusTs);
        out.writeTs(lastDeclaredTs);
        out.writeString(predictedIncident);
        out.writeString(maintenanceIncident);
        out.writeStrings(vms);
        out.writeStrings(incoming);
        // since version 3 (Power proof): when the own power readings came
        out.writeTs(powerTs);
        out.writeTs(lastOnTs);
        // since version 5 (stalled telemetry): when it was last read again
        out.writeTs(resumedTs);
    }

    public static HostState read(StateInput in) throws IOException {
        HostState hs = new HostState(in.readString());
        hs.record = in.readShared(RecordCodec::readHostEvent);
        int flags = in.readVarInt();
        hs.registered = (flags & 1) != 0;
        hs.hardDown = (flags & 1 << 1) != 0;
        hs.draining = (flags & 1 << 2) != 0;
        hs.inMaintenance = (flags & 1 << 3) != 0;
        for (int c = 0; c < 2; c++) {
            hs.used[c] = (flags & 1 << (4 + c)) != 0;
            hs.lost[c] = (flags & 1 << (6 + c)) != 0;
            hs.armed[c] = (flags & 1 << (8 + c)) != 0;
            hs.beatSince[c] = (flags & 1 << (10 + c)) != 0;
        }
        hs.stalled = (flags & 1 << 12) != 0;
        hs.removedTs = in.readTs();
        for (int c = 0; c < 2; c++) {
            hs.lastBeat[c] = in.readTs();
            hs.lossTs[c] = in.readTs();
        }
        hs.power = in.readString();
        hs.status = in.readEnum(Status.class);
        hs.incidentId = in.readString();
        hs.statusTs = in.readTs();
        hs.lastDeclaredTs = in.readTs();
        hs.predictedIncident = in.readString();
        hs.maintenanceIncident = in.readString();
        in.readStrings(hs.vms);
        in.readStrings(hs.incoming);
        if (in.version() >= 3) {
            hs.powerTs = in.readTs();
            hs.lastOnTs = in.readTs();
        } else if (hs.power != null) {
            // an earlier state kept no reading times: its latest reading stands, as it did then
            hs.powerTs = Math.max(hs.lastBeat[0], hs.lastBeat[1]);
            hs.lastOnTs = "on".equals(hs.power) ? hs.powerTs : NEVER;
        }
        if (in.version() >= 5) {
            hs.resumedTs = in.readTs();
        }
        return hs;
    }

    /**
     * A copy of the host's state, changed by its owner alone, that tells {@code changes} of its
     * changes (none now); its record is the same object (the planning tells a new record by
     * identity).
     */
    HostState copy(HostChanges changes) {
        HostState h = new HostState(id);
        h.record = record;
        h.registered = registered;
        h.removedTs = removedTs;
        System.arraycopy(lastBeat, 0, h.lastBeat, 0, lastBeat.length);
        System.arraycopy(used, 0, h.used, 0, used.length);
        System.arraycopy(lost, 0, h.lost, 0, lost.length);
        System.arraycopy(lossTs, 0, h.lossTs, 0, lossTs.length);
        System.arraycopy(armed, 0, h.armed, 0, armed.length);
        h.power = power;
        h.powerTs = powerTs;
        h.lastOnTs = lastOnTs;
        h.status = status;
        h.incidentId = incidentId;
        h.statusTs = statusTs;
        System.arraycopy(beatSince, 0, h.beatSince, 0, beatSince.length);
        h.hardDown = hardDown;
        h.lastDeclaredTs = lastDeclaredTs;
        h.draining = draining;
        h.inMaintenance = inMaintenance;
        h.predictedIncident = predictedIncident;
        h.maintenanceIncident = maintenanceIncident;
        h.stalled = stalled;
        h.resumedTs = resumedTs;
        h.vms.addAll(vms);
        h.incoming.addAll(incoming);
        h.changes = changes;
        return h;
    }
}
