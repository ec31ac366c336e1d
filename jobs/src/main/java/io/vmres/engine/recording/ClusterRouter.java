package io.vmres.engine.recording;

import io.vmres.engine.event.ClockSkew;
import io.vmres.engine.event.CommandResultEvent;
import io.vmres.engine.event.Event;
import io.vmres.engine.event.Events;
import io.vmres.engine.event.Health;
import io.vmres.engine.event.Heartbeat;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.HostRemoved;
import io.vmres.engine.event.Maintenance;
import io.vmres.engine.event.MaintenanceEnd;
import io.vmres.engine.event.OperatorConfirm;
import io.vmres.engine.event.Power;
import io.vmres.engine.event.PowerDomainReading;
import io.vmres.engine.event.SimFault;
import io.vmres.engine.event.TelemetryStall;
import io.vmres.engine.event.VmEvent;
import io.vmres.engine.event.VmRemoved;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Assigns input events to the cluster engines that must see them (the pipeline is keyed by
 * cluster). A host belongs to the cluster of its latest record routed so far, so events should be
 * routed in the order they are applied: (ts, seq) order in a replay ({@link ReplayDriver} routes as
 * it releases events), arrival order where nothing better is known.
 *
 * <ul>
 *   <li>{@code host}: the cluster its record names, and also the previous one when the host moves
 *       between clusters (so the old cluster sees it leave). A cluster that gains a host (a move,
 *       or its first record) also gets the latest record of each VM on it, as of the host event's
 *       ts and seq.
 *   <li>{@code vm}: the cluster of its host, and also the previous one when the VM moves to a host
 *       of another cluster.
 *   <li>{@code vm-removed}: the cluster of the VM's last host.
 *   <li>{@code host-removed}, {@code heartbeat}, {@code power}, {@code health}, {@code
 *       maintenance}, {@code maintenance-end}, {@code operator-confirm}, and the pipeline's own
 *       {@link ClockSkew} notes and the live job's {@link TelemetryStall} notes: the cluster of the
 *       host.
 *   <li>{@code sim-fault}: every cluster (each counts it separately); a cluster first seen later
 *       first receives, in order, every sim-fault routed before it appeared.
 *   <li>{@code power-domain}: every cluster (a domain may feed hosts of several, and a host may
 *       join a domain later); a cluster first seen later first receives the latest reading of each
 *       domain.
 *   <li>Events about hosts or VMs never registered go to the key {@link #UNKNOWN}.
 * </ul>
 *
 * <p>Deterministic: the same events in the same order give the same deliveries.
 */
public final class ClusterRouter implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The key of events about hosts or VMs that no host record places in a cluster. */
    public static final String UNKNOWN = "";

    /** An event handed to the engine of one cluster. */
    public record Delivery(String cluster, Event event) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    private final Map<String, String> clusterOfHost = new HashMap<>();
    private final Map<String, String> hostOfVm = new HashMap<>();

    /** Each VM's latest record, and the VMs on each host, to tell a cluster a host brings along. */
    private final Map<String, VmEvent> lastVm = new HashMap<>();

    private final Map<String, TreeSet<String>> vmsOnHost = new HashMap<>();

    /** Clusters seen so far, in the order first seen. */
    private final Set<String> clusters = new LinkedHashSet<>();

    /** Every sim-fault so far: a cluster seen later must still count them. */
    private final List<SimFault> simFaults = new ArrayList<>();

    /** The latest reading of each power domain: a cluster seen later must still know it. */
    private final Map<String, PowerDomainReading> latestDomainReading = new TreeMap<>();

    /** The deliveries of one event, in a deterministic order. */
    public List<Delivery> route(Event e) {
        List<Delivery> out = new ArrayList<>(2);
        if (e instanceof HostEvent h) {
            String previous = clusterOfHost.put(h.host(), h.cluster());
            deliver(out, h.cluster(), e);
            if (!h.cluster().equals(previous)) {
                if (previous != null) {
                    deliver(out, previous, e);
                }
                // VMs already on the host (placed while it was unknown or in another cluster) are
                // now in
                // this cluster's fleet view: it learns of them as of the host's record.
                for (String vm : vmsOnHost.getOrDefault(h.host(), new TreeSet<>())) {
                    deliver(out, h.cluster(), at(lastVm.get(vm), h.ts(), h.seq()));
                }
            }
        } else if (e instanceof VmEvent v) {
            String previousHost = hostOfVm.put(v.vm(), v.host());
            lastVm.put(v.vm(), v);
            if (previousHost != null && vmsOnHost.containsKey(previousHost)) {
                vmsOnHost.get(previousHost).remove(v.vm());
            }
            vmsOnHost.computeIfAbsent(v.host(), k -> new TreeSet<>()).add(v.vm());
            String cluster = clusterOf(v.host());
            deliver(out, cluster, e);
            if (previousHost != null) {
                String previous = clusterOf(previousHost);
                if (!previous.equals(cluster)) {
                    deliver(out, previous, e);
                }
            }
        } else if (e instanceof VmRemoved v) {
            String host = hostOfVm.remove(v.vm());
            lastVm.remove(v.vm());
            if (host != null && vmsOnHost.containsKey(host)) {
                vmsOnHost.get(host).remove(v.vm());
            }
            deliver(out, host == null ? UNKNOWN : clusterOf(host), e);
        } else if (e instanceof HostRemoved r) {
            // The VMs still on a removed host leave the fleet view: a later record brings none
            // along.
            vmsOnHost.remove(r.host());
            deliver(out, clusterOf(r.host()), e);
        } else if (e instanceof SimFault f) {
            simFaults.add(f);
            for (String c : List.copyOf(clusters)) {
                if (!UNKNOWN.equals(c)) {
                    out.add(new Delivery(c, e));
                }
            }
        } else if (e instanceof PowerDomainReading p) {
            // A domain may feed hosts of several clusters, and hosts may join it later: every
            // cluster keeps the latest reading of every domain.
            latestDomainReading.put(p.powerDomain(), p);
            for (String c : List.copyOf(clusters)) {
                if (!UNKNOWN.equals(c)) {
                    out.add(new Delivery(c, e));
                }
            }
        } else if (e instanceof CommandResultEvent) {
            // Results name commands, not hosts: they reach an engine through the command's own key.
            throw new IllegalArgumentException("command results are not routed by host");
        } else {
            deliver(out, clusterOf(hostOf(e)), e);
        }
        return out;
    }

    /** How much the router knows, for logs. */
    public String describe() {
        return clusterOfHost.size()
                + " hosts, "
                + hostOfVm.size()
                + " VMs, "
                + clusters.size()
                + " clusters";
    }

    /** The VM's record as of another instant (same ts and seq as the event that brings it). */
    private static VmEvent at(VmEvent v, long ts, long seq) {
        return (VmEvent) Events.at(v, ts, seq);
    }

    private String clusterOf(String host) {
        String c = clusterOfHost.get(host);
        return c == null ? UNKNOWN : c;
    }

    private void deliver(List<Delivery> out, String cluster, Event e) {
        if (clusters.add(cluster) && !UNKNOWN.equals(cluster)) {
            // A cluster seen for the first time counts the earlier sim-faults too, and knows the
            // latest reading of each power domain, before anything else, in the order they came.
            List<Event> earlier = new ArrayList<>(simFaults);
            earlier.addAll(latestDomainReading.values());
            earlier.sort(Comparator.comparingLong(Event::ts).thenComparingLong(Event::seq));
            for (Event x : earlier) {
                out.add(new Delivery(cluster, x));
            }
        }
        out.add(new Delivery(cluster, e));
    }

    private static String hostOf(Event e) {
        if (e instanceof Heartbeat x) {
            return x.host();
        } else if (e instanceof Power x) {
            return x.host();
        } else if (e instanceof Health x) {
            return x.host();
        } else if (e instanceof Maintenance x) {
            return x.host();
        } else if (e instanceof MaintenanceEnd x) {
            return x.host();
        } else if (e instanceof OperatorConfirm x) {
            return x.host();
        } else if (e instanceof ClockSkew x) {
            return x.host();
        } else if (e instanceof TelemetryStall x) {
            return x.host();
        }
        throw new IllegalArgumentException("no route for event type " + e.type());
    }
}
