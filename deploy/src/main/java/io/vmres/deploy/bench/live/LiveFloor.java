package io.vmres.deploy.bench.live;

import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.sim.Ledger;
import io.vmres.engine.Settings;
import io.vmres.schema.Action;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The floor of one live recovery, every term in seconds: detection (heartbeatTimeout +
 * outOfOrderness), the fence when one ran, and the critical path of the disk maps and boots the
 * simulated fleet drew for it, within the in-flight limits. A lower bound of the schedule on the
 * targets the job chose: a host's VMs are recovered no earlier than its own detection (hosts of one
 * crash that last beat at different moments are declared as far apart), each VM boots after the map
 * that brought its disks, every command (map or boot) holds one of the in-flight slots while it
 * runs, {@code maxInFlightPerTarget} of a target and {@code maxInFlightPerCluster} in all; no time
 * at all between a call's end and the next call's start.
 *
 * @param maps the longest chain of map + boot over the VMs and the per-target and per-cluster
 *     packing of the maps and boots (the critical path after detection and fence)
 */
public record LiveFloor(double detection, double fence, double maps) {

    public double total() {
        return detection + fence + maps;
    }

    /**
     * The floor of the recovery of {@code vms} from {@code hosts}, all detected at once, from the
     * successful calls of {@code entries} (a ledger's) that concern them.
     */
    public static LiveFloor of(
            Settings s, Collection<String> hosts, Set<String> vms, List<Ledger.Entry> entries) {
        Map<String, Double> at = new HashMap<>();
        for (String h : hosts) {
            at.put(h, 0.0);
        }
        return of(s, at, vms, entries);
    }

    /**
     * As {@link #of(Settings, Collection, Set, List)}, each host of {@code detectedAfter} detected
     * that many seconds after the first (its last heartbeat as much after the earliest one).
     */
    public static LiveFloor of(
            Settings s,
            Map<String, Double> detectedAfter,
            Set<String> vms,
            List<Ledger.Entry> entries) {
        double fence = 0;
        // the disks a VM needs on a target come with the quickest successful map that carried them
        Map<String, Double> mapOf = new HashMap<>();
        Map<String, Double> mapsPerTarget = new HashMap<>();
        Map<String, Double> mapsFirstStart = new HashMap<>();
        double mapsAll = 0;
        double firstStart = Double.MAX_VALUE;
        for (Ledger.Entry e : entries) {
            Double after = detectedAfter.get(e.host());
            if (e.status() != Outcome.Status.SUCCEEDED || after == null) {
                continue;
            }
            if (e.action() == Action.FENCE_HOST) {
                fence = Math.max(fence, seconds(e));
            } else if (e.action() == Action.MAP_DISKS) {
                for (String vm : e.vms()) {
                    mapOf.merge(vm + "@" + e.target(), after + seconds(e), Math::min);
                }
                // a map holds an in-flight slot of its target and of the cluster while it runs
                mapsPerTarget.merge(e.target(), seconds(e), Double::sum);
                mapsFirstStart.merge(e.target(), after, Math::min);
                mapsAll += seconds(e);
                firstStart = Math.min(firstStart, after);
            }
        }
        double chain = 0;
        double firstReady = Double.MAX_VALUE;
        double bootsAll = 0;
        // target -> {first ready, boot sum, first start}
        Map<String, double[]> perTarget = new HashMap<>();
        for (Ledger.Entry e : entries) {
            Double after = detectedAfter.get(e.host());
            if (e.action() != Action.RESTART_VM
                    || e.status() != Outcome.Status.SUCCEEDED
                    || after == null
                    || !vms.contains(e.vm())) {
                continue;
            }
            double ready = mapOf.getOrDefault(e.vm() + "@" + e.target(), after);
            double boot = seconds(e);
            chain = Math.max(chain, ready + boot);
            firstReady = Math.min(firstReady, ready);
            firstStart = Math.min(firstStart, after);
            bootsAll += boot;
            double[] t =
                    perTarget.computeIfAbsent(
                            e.target(), k -> new double[] {ready, 0, Double.MAX_VALUE});
            t[0] = Math.min(t[0], ready);
            t[1] += boot;
            t[2] = Math.min(t[2], after);
        }
        double path = chain;
        for (Map.Entry<String, double[]> e : perTarget.entrySet()) {
            double[] t = e.getValue();
            path = Math.max(path, t[0] + t[1] / s.maxInFlightPerTarget());
            double maps = mapsPerTarget.getOrDefault(e.getKey(), 0.0);
            double start = Math.min(t[2], mapsFirstStart.getOrDefault(e.getKey(), t[2]));
            path = Math.max(path, start + (maps + t[1]) / s.maxInFlightPerTarget());
        }
        if (bootsAll > 0) {
            path = Math.max(path, firstReady + bootsAll / s.maxInFlightPerCluster());
            path = Math.max(path, firstStart + (mapsAll + bootsAll) / s.maxInFlightPerCluster());
        }
        return new LiveFloor((s.heartbeatTimeoutMs() + s.outOfOrdernessMs()) / 1000.0, fence, path);
    }

    /** A call's duration in seconds, as the ledger tells it. */
    static double seconds(Ledger.Entry e) {
        return Duration.between(e.started(), e.finished()).toMillis() / 1000.0;
    }
}
