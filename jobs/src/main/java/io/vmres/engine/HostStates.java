package io.vmres.engine;

import io.vmres.engine.event.ClockSkew;
import io.vmres.engine.event.Event;
import io.vmres.engine.event.Heartbeat;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.VmEvent;
import io.vmres.engine.fleet.Channel;
import io.vmres.engine.fleet.Fleet;
import io.vmres.engine.fleet.HostState;
import io.vmres.engine.fleet.HostState.Status;
import io.vmres.engine.fleet.VmState;
import io.vmres.engine.incident.HostPart;
import io.vmres.engine.incident.Incident;
import io.vmres.engine.incident.Incidents;
import io.vmres.engine.out.HostStateOut;
import io.vmres.engine.out.Output;
import io.vmres.engine.state.RecordCodec;
import io.vmres.engine.state.StateInput;
import io.vmres.engine.state.StateOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.TreeMap;

/**
 * The fleet view of a cluster's hosts as dashboards see it: at the end of an instant, every host
 * whose state, VM count or capacity use changed since it was last told is told once. Read-only over
 * the engine's fleet and incidents; decides nothing.
 */
final class HostStates implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String cluster;
    private final Fleet fleet;
    private final Incidents incidents;

    /** What was last told of each host still registered here. */
    private final TreeMap<String, HostStateOut> told = new TreeMap<>();

    /**
     * A cheap signature of each host's view when it was last looked at: most instants change no
     * host, and comparing signatures spares summing every host's VMs at each of them. A cache, not
     * state: transient, empty after a restore (every host is then looked at in full once; the
     * signatures hold identity hashes, which a restore changes anyway).
     */
    private transient HashMap<String, Long> looked;

    HostStates(String cluster, Fleet fleet, Incidents incidents) {
        this.cluster = cluster;
        this.fleet = fleet;
        this.incidents = incidents;
    }

    /**
     * Whether the input of an instant may change a host's view. A heartbeat of a host told and with
     * no lost channel changes nothing: instants of such heartbeats alone skip the scan.
     */
    boolean touchedBy(List<Event> events) {
        for (Event e : events) {
            if (e instanceof ClockSkew) {
                continue; // a note of a wrong clock changes no host's view
            }
            if (!(e instanceof Heartbeat hb)) {
                return true;
            }
            HostState hs = fleet.hosts().get(hb.host());
            if (hs == null
                    || hs.lost(Channel.MGMT)
                    || hs.lost(Channel.STORAGE)
                    || !hs.usedAny()
                    || !told.containsKey(hb.host())) {
                return true;
            }
        }
        return false;
    }

    /** Whether the input of an instant holds inventory: VMs may have changed size in place. */
    static boolean inventory(List<Event> events) {
        for (Event e : events) {
            if (e instanceof VmEvent || e instanceof HostEvent) {
                return true;
            }
        }
        return false;
    }

    /**
     * Tells every host whose view changed, in host order.
     *
     * @param inventory the instant's input may have changed VMs in place (their sizes): every host
     *     is looked at in full, not only those whose signature changed
     */
    void report(long t, Output out, boolean inventory) {
        if (looked == null) {
            looked = new HashMap<>();
        }
        for (HostState hs : fleet.hosts().values()) {
            long sig = signature(hs);
            Long before = looked.put(hs.id, sig);
            if (!inventory && before != null && before == sig) {
                continue;
            }
            HostStateOut last = told.get(hs.id);
            if (!fleet.registeredHere(hs)) {
                if (last != null) {
                    told.remove(hs.id);
                    out.hostState(
                            new HostStateOut(
                                    hs.id,
                                    cluster,
                                    HostStateOut.REMOVED,
                                    last.rack(),
                                    last.powerDomain(),
                                    0,
                                    0,
                                    0,
                                    0,
                                    0,
                                    t));
                }
                continue;
            }
            HostStateOut now = view(hs, t);
            if (!now.sameAs(last)) {
                told.put(hs.id, now);
                out.hostState(now);
            }
        }
    }

    /** What the view of a host depends on, but the sizes of its VMs. */
    private long signature(HostState hs) {
        long s = fleet.registeredHere(hs) ? 1 : 2;
        s = s * 31 + hs.status().ordinal();
        s = s * 31 + (hs.lost(Channel.MGMT) ? 1 : 0) + (hs.lost(Channel.STORAGE) ? 2 : 0);
        s = s * 31 + (hs.inMaintenance() ? 1 : 0) + (hs.draining() ? 2 : 0);
        s = s * 31 + System.identityHashCode(hs.record()); // a new record of the host: look again
        s = s * 31 + hs.vms().size();
        for (String v : hs.vms()) {
            s = s * 31 + v.hashCode();
        }
        if (hs.status() == Status.FAILED) {
            s = s * 31 + state(hs).hashCode(); // fenced or not
        }
        return s;
    }

    private HostStateOut view(HostState hs, long t) {
        double cpu = 0;
        double mem = 0;
        int n = 0;
        for (String v : hs.vms()) {
            VmState vs = fleet.vms().get(v);
            if (vs != null) {
                cpu += vs.record().cpu();
                mem += vs.record().memMb();
                n++;
            }
        }
        return new HostStateOut(
                hs.id,
                cluster,
                state(hs),
                hs.record().rack(),
                hs.record().powerDomain(),
                n,
                cpu,
                hs.record().cpu(),
                mem,
                hs.record().memMb(),
                t);
    }

    /** The engine's own notion of each state, worst first (docs/dashboard.md). */
    private String state(HostState hs) {
        switch (hs.status()) {
            case FAILED:
                {
                    Incident inc = hs.incidentId() == null ? null : incidents.get(hs.incidentId());
                    HostPart part = inc == null ? null : inc.part(hs.id);
                    return part != null && part.fenceSucceeded() ? "fenced" : "failed";
                }
            case ISOLATED:
                return "isolated";
            case OUTAGE:
                return "suspect";
            default:
                break;
        }
        if (hs.lost(Channel.MGMT) || hs.lost(Channel.STORAGE)) {
            return "suspect"; // a channel is lost: not declared (yet)
        }
        if (hs.inMaintenance()) {
            return "maintenance";
        }
        return hs.draining() ? "draining" : "healthy";
    }

    /** Writes what was last told of each host; the signatures are a cache, not written. */
    void write(StateOutput out) throws IOException {
        out.writeMap(told, RecordCodec::writeHostView);
    }

    static HostStates read(StateInput in, String cluster, Fleet fleet, Incidents incidents)
            throws IOException {
        HostStates h = new HostStates(cluster, fleet, incidents);
        in.readMap(h.told, RecordCodec::readHostView);
        return h;
    }
}
