package io.vmres.deploy.bench;

import io.vmres.engine.Settings;
import io.vmres.engine.sim.SimHypervisor;

/** The critical path of a recovery, every term in seconds: what no schedule can beat. */
record RecoveryLowerBound(
        double detection,
        double fence,
        double map,
        int waves,
        double restart,
        int balancedPerTarget) {
    double total() {
        return detection + fence + map + waves * restart;
    }

    /**
     * Detection timeout + fence (when a host's power does not read off) + one disk mapping + the
     * restarts packed into the in-flight limits: the VMs spread evenly over the targets, each
     * target restarting {@code maxInFlightPerTarget} at a time, the cluster {@code
     * maxInFlightPerCluster}.
     */
    static RecoveryLowerBound of(RecoveryFleet fleet, Settings s, RecoveryRun parallel) {
        int vms = parallel.vmsRecovered();
        int balanced = (vms + fleet.targets() - 1) / fleet.targets();
        int waves =
                Math.max(
                        ceilDiv(balanced, s.maxInFlightPerTarget()),
                        ceilDiv(vms, s.maxInFlightPerCluster()));
        // the rack's BMCs read off before it is declared failed: it is known down without a fence
        double fence = parallel.commands().get("FENCE_HOST") > 0 ? latencyS("FENCE_HOST") : 0;
        return new RecoveryLowerBound(
                (s.heartbeatTimeoutMs() + s.outOfOrdernessMs()) / 1000.0,
                fence,
                latencyS("MAP_DISKS"),
                waves,
                latencyS("RESTART_VM"),
                balanced);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static double latencyS(String action) {
        return SimHypervisor.latency(action) / 1000.0;
    }
}
