package io.vmres.engine.incident;

import io.vmres.engine.execute.MapJob;
import io.vmres.engine.execute.VmJob;
import io.vmres.engine.state.StateInput;
import io.vmres.engine.state.StateOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One incident of a cluster: its hosts, state, owed VMs, and what its summary tells. Its state
 * moves only as {@link IncidentState} allows.
 */
public final class Incident implements Serializable {
    private static final long serialVersionUID = 2L;

    private final String id;
    private final IncidentKind kind;
    private final long openedTs;
    private IncidentState state = IncidentState.OPEN;

    /** Hosts its lines name now, in the order first named. */
    private final LinkedHashSet<String> hosts = new LinkedHashSet<>();

    /** Every host ever named, in the order first named. */
    private final LinkedHashSet<String> everHosts = new LinkedHashSet<>();

    private final LinkedHashMap<String, HostPart> parts = new LinkedHashMap<>();

    /** vm -> its job (one per VM taken on). */
    private final TreeMap<String, VmJob> jobs = new TreeMap<>();

    private final List<MapJob> pendingMaps = new ArrayList<>();
    private final LinkedHashMap<String, Object> evidence = new LinkedHashMap<>();
    private Long failureStartTs;
    private Long firstCommandTs;
    private Long lastCommandTs;
    private Long lastRecoveryTs;
    private final TreeSet<String> recovered = new TreeSet<>();
    private final TreeSet<String> unplaced = new TreeSet<>();
    private final TreeSet<String> failed = new TreeSet<>();
    private int inFlight;
    private int commandSeq;

    /** The instant of its last line. */
    private long lastLineTs;

    /** Drains: the deadline. */
    private long deadline;

    public Incident(String id, IncidentKind kind, long openedTs) {
        this.id = id;
        this.kind = kind;
        this.openedTs = openedTs;
    }

    public String id() {
        return id;
    }

    public IncidentKind kind() {
        return kind;
    }

    public long openedTs() {
        return openedTs;
    }

    public IncidentState state() {
        return state;
    }

    /**
     * Moves to {@code to}; false (and nothing changes) when it is the state already or the incident
     * is closed.
     *
     * @throws IllegalStateException when the move is not in {@link IncidentState}'s table
     */
    boolean moveTo(IncidentState to) {
        if (closed() || state == to) {
            return false;
        }
        state = state.to(to);
        return true;
    }

    public boolean ended() {
        return state.ended();
    }

    public boolean closed() {
        return state == IncidentState.CLOSED;
    }

    public boolean anyActiveJob() {
        for (VmJob j : jobs.values()) {
            if (j.active()) {
                return true;
            }
        }
        return false;
    }

    /** Names a host: on its lines now and among every host it ever named. */
    public void name(HostPart part) {
        parts.put(part.host(), part);
        hosts.add(part.host());
        everHosts.add(part.host());
    }

    /** The host leaves its lines (it stays among every host it ever named). */
    public void unname(String host) {
        hosts.remove(host);
    }

    /** Hosts its lines name now, in the order first named. */
    public LinkedHashSet<String> hosts() {
        return hosts;
    }

    /** Every host ever named, in the order first named. */
    public LinkedHashSet<String> everHosts() {
        return everHosts;
    }

    public HostPart part(String host) {
        return parts.get(host);
    }

    /** host -> its part, in the order first named. */
    public Map<String, HostPart> parts() {
        return parts;
    }

    /** vm -> its job (one per VM taken on). */
    public TreeMap<String, VmJob> jobs() {
        return jobs;
    }

    /** Disk maps waiting to be retried in place. */
    public List<MapJob> pendingMaps() {
        return pendingMaps;
    }

    /** What its lines tell as evidence, in the order first told. */
    public LinkedHashMap<String, Object> evidence() {
        return evidence;
    }

    public Long failureStartTs() {
        return failureStartTs;
    }

    public void failureStartTs(Long ts) {
        this.failureStartTs = ts;
    }

    public Long firstCommandTs() {
        return firstCommandTs;
    }

    public Long lastCommandTs() {
        return lastCommandTs;
    }

    public Long lastRecoveryTs() {
        return lastRecoveryTs;
    }

    /** A command of the incident is issued at {@code t}; returns its number (from 1). */
    public int commandIssued(long t) {
        if (firstCommandTs == null) {
            firstCommandTs = t;
        }
        lastCommandTs = t;
        inFlight++;
        return ++commandSeq;
    }

    /** A command of the incident has its answer. */
    public void commandAnswered() {
        inFlight--;
    }

    /** The VM moved, by the incident's command, at {@code t}. */
    public void recovered(String vm, long t) {
        recovered.add(vm);
        // results applied as they arrive (live) may tell of an earlier move after a later one
        lastRecoveryTs = lastRecoveryTs == null ? t : Math.max(lastRecoveryTs, t);
    }

    /** The VM is given up: no target for it, or its work failed for good. */
    public void givenUp(String vm, boolean unplacedNow) {
        (unplacedNow ? unplaced : failed).add(vm);
    }

    public TreeSet<String> recoveredVms() {
        return recovered;
    }

    public TreeSet<String> unplacedVms() {
        return unplaced;
    }

    public TreeSet<String> failedVms() {
        return failed;
    }

    /** Commands of the incident in flight. */
    public int inFlight() {
        return inFlight;
    }

    /** Commands issued so far. */
    public int commandsIssued() {
        return commandSeq;
    }

    public long lastLineTs() {
        return lastLineTs;
    }

    void lineWritten(long t) {
        lastLineTs = t;
    }

    /** Drains: the deadline. */
    public long deadline() {
        return deadline;
    }

    public void deadline(long deadline) {
        this.deadline = deadline;
    }

    /**
     * Writes the incident (see {@code io.vmres.engine.state.EngineState}); its jobs and disk maps
     * are shared with the commands in flight.
     */
    public void write(StateOutput out) throws IOException {
        out.writeString(id);
        out.writeEnum(kind);
        out.writeTs(openedTs);
        out.writeEnum(state);
        out.writeStrings(hosts);
        out.writeStrings(everHosts);
        out.writeMap(parts, HostPart::write);
        out.writeMap(jobs, (j, o) -> o.writeShared(j, VmJob::write));
        out.writeAll(pendingMaps, (m, o) -> o.writeShared(m, MapJob::write));
        out.writeValue(evidence);
        out.writeNullableLong(failureStartTs);
        out.writeNullableLong(firstCommandTs);
        out.writeNullableLong(lastCommandTs);
        out.writeNullableLong(lastRecoveryTs);
        out.writeStrings(recovered);
        out.writeStrings(unplaced);
        out.writeStrings(failed);
        out.writeInt(inFlight);
        out.writeInt(commandSeq);
        out.writeTs(lastLineTs);
        out.writeTs(deadline);
    }

    @SuppressWarnings("unchecked")
    public static Incident read(StateInput in) throws IOException {
        Incident inc = new Incident(in.readString(), in.readEnum(IncidentKind.class), in.readTs());
        inc.state = in.readEnum(IncidentState.class);
        in.readStrings(inc.hosts);
        in.readStrings(inc.everHosts);
        in.readMap(inc.parts, HostPart::read);
        in.readMap(inc.jobs, i -> i.readShared(VmJob::read));
        in.readAll(inc.pendingMaps, i -> i.readShared(MapJob::read));
        inc.evidence.putAll((Map<String, Object>) in.readValue());
        inc.failureStartTs = in.readNullableLong();
        inc.firstCommandTs = in.readNullableLong();
        inc.lastCommandTs = in.readNullableLong();
        inc.lastRecoveryTs = in.readNullableLong();
        in.readStrings(inc.recovered);
        in.readStrings(inc.unplaced);
        in.readStrings(inc.failed);
        inc.inFlight = in.readInt();
        inc.commandSeq = in.readInt();
        inc.lastLineTs = in.readTs();
        inc.deadline = in.readTs();
        return inc;
    }
}
