package io.vmres.engine.incident;

import io.vmres.engine.state.StateInput;
import io.vmres.engine.state.StateOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The incidents of one cluster, in the order they were opened, with what the rules need across
 * them: the open telemetry outage, the VMs given up, and whether anything changed that execution
 * must look at.
 */
public final class Incidents implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String cluster;
    private final LinkedHashMap<String, Incident> byId = new LinkedHashMap<>();
    private int seq;

    /** The TELEMETRY_OUTAGE not closed yet, if any: one at a time per cluster. */
    private String openOutage;

    /** VMs named by a give-up alert. */
    private final TreeSet<String> givenUp = new TreeSet<>();

    /** Something changed since execution last looked: it looks again at the end of the step. */
    private boolean changed;

    public Incidents(String cluster) {
        this.cluster = cluster;
    }

    /**
     * Opens the next incident of the cluster ({@code inc-STEM-NNNN}: the cluster, and an epoch
     * live).
     */
    public Incident open(IncidentKind kind, long t) {
        String id = String.format("inc-%s-%04d", cluster, ++seq);
        Incident inc = new Incident(id, kind, t);
        byId.put(id, inc);
        return inc;
    }

    public Incident get(String id) {
        return byId.get(id);
    }

    /** Every incident held, in the order opened (a live view). */
    public Collection<Incident> all() {
        return byId.values();
    }

    /** A copy of every incident held, for rules that may open or drop some while they go. */
    public List<Incident> snapshot() {
        return new ArrayList<>(byId.values());
    }

    /**
     * The incidents that may still have work: an incident that reached RECOVERED, PARTIAL or CLOSED
     * has no job left (it takes no VM on after that).
     */
    public List<Incident> working() {
        List<Incident> list = new ArrayList<>();
        for (Incident inc : byId.values()) {
            if (!inc.ended()) {
                list.add(inc);
            }
        }
        return list;
    }

    public int size() {
        return byId.size();
    }

    /** Drops the incidents that match (retention). */
    public void dropIf(Predicate<Incident> filter) {
        byId.values().removeIf(filter);
    }

    public String openOutage() {
        return openOutage;
    }

    void outageOpened(String id) {
        openOutage = id;
    }

    void outageClosed(String id) {
        if (id.equals(openOutage)) {
            openOutage = null;
        }
    }

    public boolean givenUp(String vm) {
        return givenUp.contains(vm);
    }

    public void giveUp(String vm) {
        givenUp.add(vm);
    }

    /** Something changed that execution must look at. */
    public void changed() {
        changed = true;
    }

    /** Whether something changed since the last call. */
    public boolean takeChanged() {
        boolean was = changed;
        changed = false;
        return was;
    }

    /** Writes the incidents in the order opened (the cluster is the engine's). */
    public void write(StateOutput out) throws IOException {
        out.writeInt(seq);
        out.writeAll(byId.values(), Incident::write);
        out.writeString(openOutage);
        out.writeStrings(givenUp);
        out.writeBoolean(changed);
    }

    public static Incidents read(StateInput in, String cluster) throws IOException {
        Incidents all = new Incidents(cluster);
        all.seq = in.readInt();
        int n = in.readVarInt();
        for (int i = 0; i < n; i++) {
            Incident inc = Incident.read(in);
            all.byId.put(inc.id(), inc);
        }
        all.openOutage = in.readString();
        in.readStrings(all.givenUp);
        all.changed = in.readBoolean();
        return all;
    }
}
