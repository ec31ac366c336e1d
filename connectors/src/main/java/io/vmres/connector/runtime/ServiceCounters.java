package io.vmres.connector.runtime;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The live counters of a {@link ConnectorService}, counted by its parts on any thread; {@link
 * #snapshot} gives the {@link ConnectorCounters} that logs, metrics and tests read.
 */
final class ServiceCounters {
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong run = new AtomicLong();
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong deadLetters = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong inDoubt = new AtomicLong();
    private final AtomicLong settled = new AtomicLong();
    private final AtomicLong unsettled = new AtomicLong();
    private final AtomicLong conflicts = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong ledgerSkipped = new AtomicLong();
    private final AtomicLong ledgerExpired = new AtomicLong();
    private final AtomicLong latencyTotalMillis = new AtomicLong();
    private final AtomicLong latencyMaxMillis = new AtomicLong();

    void received() {
        received.incrementAndGet();
    }

    void called() {
        run.incrementAndGet();
    }

    void retried() {
        retries.incrementAndGet();
    }

    void duplicate() {
        duplicates.incrementAndGet();
    }

    void deadLetter() {
        deadLetters.incrementAndGet();
    }

    void skipped() {
        skipped.incrementAndGet();
    }

    void inDoubt() {
        inDoubt.incrementAndGet();
    }

    /** A restart or migration past its timeout, or failed in doubt, settled on its target. */
    void settled() {
        settled.incrementAndGet();
    }

    /** One that could not be settled: answered in doubt. */
    void unsettled() {
        unsettled.incrementAndGet();
    }

    /** A command refused: its id is known with another action, host, target or VM. */
    void rejected() {
        rejected.incrementAndGet();
    }

    void conflict() {
        conflicts.incrementAndGet();
    }

    /** Unreadable ledger entries skipped while loading. */
    void ledgerSkipped(long n) {
        ledgerSkipped.addAndGet(n);
    }

    /** Ledger entries removed (tombstoned) past their retention. */
    void ledgerExpired(long n) {
        ledgerExpired.addAndGet(n);
    }

    private final CommandOutcomes outcomes = new CommandOutcomes();

    /**
     * A command answered, with its action (as the command named it) and the time from the start of
     * its call (0 if it had none).
     */
    void answered(String action, Outcome.Status status, long millis) {
        outcomes.answered(action, status, millis);
        switch (status) {
            case SUCCEEDED:
                succeeded.incrementAndGet();
                break;
            case FAILED:
                failed.incrementAndGet();
                break;
            default:
                timedOut.incrementAndGet();
        }
        latencyTotalMillis.addAndGet(millis);
        latencyMaxMillis.accumulateAndGet(millis, Math::max);
    }

    /** The answers by action and status, and their latency. */
    CommandOutcomes outcomes() {
        return outcomes;
    }

    /** The counters now, with the calls running and commands queued as the dispatcher saw them. */
    ConnectorCounters snapshot(long running, long queued) {
        return new ConnectorCounters(
                received.get(),
                run.get(),
                running,
                queued,
                succeeded.get(),
                failed.get(),
                timedOut.get(),
                duplicates.get(),
                deadLetters.get(),
                retries.get(),
                inDoubt.get(),
                skipped.get(),
                settled.get(),
                unsettled.get(),
                conflicts.get(),
                ledgerSkipped.get(),
                ledgerExpired.get(),
                latencyTotalMillis.get(),
                latencyMaxMillis.get(),
                rejected.get());
    }
}
