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
 * targets the job chose: each VM boots after the map that brought its disks, a target boots at most
 * {@code maxInFlightPerTarget} VMs at once, the cluster {@code maxInFlightPerCluster}; no time at
 * all between a call's end and the next call's start.
 *
 * @param maps the longest chain of map + boot over the VMs and the per-target and per-cluster
 *     packing of the boots (the critical path after detection and fence)
 */
public record LiveFloor(double detection, double fence, double maps) {

    public double total() {
        return detection + fence + maps;
    }

    /**
     * The floor of the recovery of {@code vms} from {@code hosts}, from the successful calls of
     * {@code entries} (a ledger's) that concern them.
     */
    public static LiveFloor of(
            Settings s, Collection<String> hosts, Set<String> vms, List<Ledger.Entry> entries) {
        double fence = 0;
        // the disks a VM needs on a target come with the quickest successful map that carried them
        Map<String, Double> mapOf = new HashMap<>();
        for (Ledger.Entry e : entries) {
            if (e.status() != Outcome.Status.SUCCEEDED || !hosts.contains(e.host())) {
                continue;
            }
            if (e.action() == Action.FENCE_HOST) {
                fence = Math.max(fence, seconds(e));
            } else if (e.action() == Action.MAP_DISKS) {
                for (String vm : e.vms()) {
                    mapOf.merge(vm + "@" + e.target(), seconds(e), Math::min);
                }
            }
        }
        double chain = 0;
        double firstReady = Double.MAX_VALUE;
        double bootsAll = 0;
        Map<String, double[]> perTarget = new HashMap<>(); // target -> {first ready, boot sum}
        for (Ledger.Entry e : entries) {
            if (e.action() != Action.RESTART_VM
                    || e.status() != Outcome.Status.SUCCEEDED
                    || !hosts.contains(e.host())
                    || !vms.contains(e.vm())) {
                continue;
            }
            double ready = mapOf.getOrDefault(e.vm() + "@" + e.target(), 0.0);
            double boot = seconds(e);
            chain = Math.max(chain, ready + boot);
            firstReady = Math.min(firstReady, ready);
            bootsAll += boot;
            double[] t = perTarget.computeIfAbsent(e.target(), k -> new double[] {ready, 0});
            t[0] = Math.min(t[0], ready);
            t[1] += boot;
        }
        double path = chain;
        for (double[] t : perTarget.values()) {
            path = Math.max(path, t[0] + t[1] / s.maxInFlightPerTarget());
        }
        if (bootsAll > 0) {
            path = Math.max(path, firstReady + bootsAll / s.maxInFlightPerCluster());
        }
        return new LiveFloor((s.heartbeatTimeoutMs() + s.outOfOrdernessMs()) / 1000.0, fence, path);
    }

    private static double seconds(Ledger.Entry e) {
        return Duration.between(e.started(), e.finished()).toMillis() / 1000.0;
    }
}
