package io.vmres.engine.execute;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** One incident of a cluster: its hosts, state, owed VMs, and what its summary tells. */
public final class Incident implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String id;
    public final String kind;
    public final long openedTs;
    public String state = "OPEN";

    /** Hosts its lines name now, in the order first named. */
    public final LinkedHashSet<String> hosts = new LinkedHashSet<>();

    /** Every host ever named, in the order first named. */
    public final LinkedHashSet<String> everHosts = new LinkedHashSet<>();

    public final LinkedHashMap<String, HostPart> parts = new LinkedHashMap<>();

    /** vm -> its job (one per VM taken on). */
    public final TreeMap<String, VmJob> jobs = new TreeMap<>();

    public final List<MapJob> pendingMaps = new ArrayList<>();
    public final Map<String, Object> evidence = new LinkedHashMap<>();
    public Long failureStartTs;
    public Long firstCommandTs;
    public Long lastCommandTs;
    public Long lastRecoveryTs;
    public final TreeSet<String> recovered = new TreeSet<>();
    public final TreeSet<String> unplaced = new TreeSet<>();
    public final TreeSet<String> failed = new TreeSet<>();
    public int inFlight;
    public int commandSeq;

    /** The instant of its last line (0 in incidents checkpointed before it was kept). */
    public long lastLineTs;

    /** Drains: the deadline. */
    public long deadline;

    public Incident(String id, String kind, long openedTs) {
        this.id = id;
        this.kind = kind;
        this.openedTs = openedTs;
    }

    public boolean ended() {
        return state.equals("RECOVERED") || state.equals("PARTIAL") || state.equals("CLOSED");
    }

    public boolean closed() {
        return state.equals("CLOSED");
    }

    public boolean anyActiveJob() {
        for (VmJob j : jobs.values()) {
            if (j.active()) {
                return true;
            }
        }
        return false;
    }

    public boolean failureKind() {
        return kind.equals("HOST_FAILURE") || kind.equals("NEEDS_CONFIRMATION");
    }

    public boolean drainKind() {
        return kind.equals("PREDICTED_FAILURE") || kind.equals("MAINTENANCE");
    }
}
