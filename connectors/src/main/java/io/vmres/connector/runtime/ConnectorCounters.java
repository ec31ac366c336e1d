package io.vmres.connector.runtime;

/**
 * A snapshot of a {@link ConnectorService}'s counters, for logs, metrics and tests.
 *
 * @param received command records read, duplicates and undecodable ones included
 * @param run calls made to the hypervisor connector
 * @param running calls in flight now
 * @param queued commands waiting for an in-flight slot now
 * @param succeeded commands answered {@code SUCCEEDED}
 * @param failed commands answered {@code FAILED} (invalid commands included)
 * @param timedOut commands answered {@code TIMED_OUT}
 * @param duplicates deliveries of a command id already seen, answered without a new call
 * @param deadLetters records that were no command, sent to the dead-letter topic
 * @param retries calls made again after a transient error
 * @param inDoubt commands found started but not answered by a predecessor (exactly-once mode)
 * @param skipped commands for another connector (see {@link HypervisorConnector#handles})
 * @param settled restarts and migrations past their timeout (or failed in doubt) whose target was
 *     settled before the answer (see {@link HypervisorConnector#settle})
 * @param unsettled such commands that could not be settled: answered in doubt
 * @param conflicts commands refused because their id is known with another action, host, target or
 *     VM
 * @param ledgerSkipped unreadable ledger entries skipped while loading (exactly-once mode)
 * @param ledgerExpired ledger entries removed past their retention (exactly-once mode)
 * @param latencyTotalMillis time from the start of each call to its answer, summed
 * @param latencyMaxMillis the longest such time
 * @param rejected commands refused unrun and answered {@code REJECTED}: unsigned, forged, altered,
 *     signed by an unknown or retired key, stale, or replayed (docs/security.md)
 */
public record ConnectorCounters(
        long received,
        long run,
        long running,
        long queued,
        long succeeded,
        long failed,
        long timedOut,
        long duplicates,
        long deadLetters,
        long retries,
        long inDoubt,
        long skipped,
        long settled,
        long unsettled,
        long conflicts,
        long ledgerSkipped,
        long ledgerExpired,
        long latencyTotalMillis,
        long latencyMaxMillis,
        long rejected) {

    /** Commands answered, whatever the status. */
    public long answered() {
        return succeeded + failed + timedOut;
    }

    /** Mean time from the start of a call to its answer, in milliseconds; 0 before any. */
    public double latencyMeanMillis() {
        long n = answered();
        return n == 0 ? 0 : (double) latencyTotalMillis / n;
    }
}
