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
    long deadLetters) {}
