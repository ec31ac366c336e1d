package io.vmres.engine.whatif;

import java.util.List;

/**
 * The answer to a what-if question: per cluster, how its hosts would be declared, where each HA VM
 * would be restarted and when, what would stay unplaced and why, and the predicted recovery time.
 * Instants are epoch milliseconds; durations are seconds.
 *
 * @param at the fleet state's time: the asked hosts stop right after it
 * @param failures the failures asked, as written ({@code host:h-12})
 * @param unmatched the failures that name no registered host of any cluster
 * @param clusters one answer per cluster the failures touch, in cluster order
 * @param answerMs wall time the answer took, from the fleet state to the answer
 */
public record WhatIfAnswer(
        long at,
        List<String> failures,
        List<String> unmatched,
        List<ClusterAnswer> clusters,
        double answerMs) {

    /** VMs restarted over every cluster. */
    public int vmsRestarted() {
        return clusters.stream().mapToInt(c -> c.restarts().size()).sum();
    }

    /** VMs left unplaced over every cluster. */
    public int vmsUnplaced() {
        return clusters.stream().mapToInt(c -> c.unplaced().size()).sum();
    }

    /** The longest predicted recovery of any cluster, or null when nothing is recovered. */
    public Double recoveryS() {
        Double max = null;
        for (ClusterAnswer c : clusters) {
            if (c.recoveryS() != null && (max == null || c.recoveryS() > max)) {
                max = c.recoveryS();
            }
        }
        return max;
    }

    /** The same answer with the time it took. */
    public WhatIfAnswer withAnswerMs(double ms) {
        return new WhatIfAnswer(at, failures, unmatched, clusters, ms);
    }

    /**
     * One cluster's part.
     *
     * @param hosts the failing hosts of the cluster, in declaration order
     * @param failedRacks racks excluded as targets (two or more failing hosts of one incident)
     * @param failedPowerDomains power domains excluded likewise
     * @param rounds the planning rounds, one per declaration instant
     * @param restarts every HA VM restarted, in the order its restart is issued
     * @param unplaced every HA VM left unplaced, with the rule that kept it off every host
     * @param awaitingConfirmation hosts without a BMC: no restart until an operator confirms them
     * @param failureStart the last heartbeat of the first hosts declared (the recovery's start)
     * @param lastRecovery when the last restart succeeds, null when none is made
     * @param recoveryS lastRecovery - failureStart, null when no restart is made
     * @param maxPerTarget the most VMs one target receives
     */
    public record ClusterAnswer(
            String cluster,
            List<HostDown> hosts,
            List<String> failedRacks,
            List<String> failedPowerDomains,
            List<Round> rounds,
            List<Restart> restarts,
            List<Unplaced> unplaced,
            List<String> awaitingConfirmation,
            Long failureStart,
            Long lastRecovery,
            Double recoveryS,
            int maxPerTarget) {}

    /**
     * A failing host.
     *
     * @param lastHeartbeat its last heartbeat at or before the question's time
     * @param declared when vmres declares it: loss time (every channel silent for heartbeatTimeout)
     *     + outOfOrderness
     * @param proof how it is known down: {@code power-off} (its BMC reads off), {@code
     *     needs-confirmation} (no BMC), {@code already-down} (declared before the question)
     * @param haVms its HA VMs, the ones vmres restarts
     * @param otherVms its VMs that are not HA (never restarted)
     */
    public record HostDown(
            String host,
            String rack,
            String powerDomain,
            long lastHeartbeat,
            long declared,
            String proof,
            int haVms,
            int otherVms) {}

    /** A planning round: the hosts declared at one instant, placed together. */
    public record Round(long at, List<String> hosts, boolean prestaged, int vms) {}

    /**
     * One VM restarted.
     *
     * @param prestaged its target comes from the failed host's prestaged plan
     * @param mapAt when the disk mapping holding its disks is issued (null: it has no disks)
     * @param restartAt when its restart is issued
     * @param recoveredAt when its restart succeeds
     */
    public record Restart(
            String vm,
            String from,
            String to,
            int priority,
            boolean prestaged,
            Long mapAt,
            long restartAt,
            long recoveredAt) {}

    /** One VM no host can take, and why. */
    public record Unplaced(String vm, String from, int priority, String reason) {}
}
