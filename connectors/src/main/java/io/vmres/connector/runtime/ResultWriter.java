package io.vmres.connector.runtime;

import io.vmres.schema.CommandResult;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * Writes what the connector service answers (results, dead letters) and commits the offsets of the
 * commands answered; the one place where the at-least-once and the exactly-once modes differ. The
 * mode is chosen once, when the service is built: {@link AtLeastOnceResultWriter} or {@link
 * ExactlyOnceResultWriter}.
 *
 * <p>Threads: {@link #open}, {@link #onAssigned}, the {@code commit…} methods and {@link #write}
 * run on the poll thread; the others on any thread.
 */
interface ResultWriter {

    /** What an earlier run of the service did with a command id this run has not seen yet. */
    enum Prior {
        /** Nothing known: run it. */
        NONE,
        /** Answered, with its result committed: neither run nor answered again. */
        ANSWERED,
        /** Started, never answered: its call's outcome is unknown (see runInDoubt). */
        IN_DOUBT
    }

    /**
     * Commands given an in-flight slot whose call waits until the writer has recorded its start
     * (the dispatcher holds them, so that they count against the limits meanwhile).
     */
    interface PendingStarts {
        /** Takes the commands waiting now. */
        List<CommandJob> take();

        /** Their start is recorded: call them. */
        void launch(List<CommandJob> jobs);

        /** Their start could not be recorded: give their slots back, to be read again. */
        void abandon(List<CommandJob> jobs);
    }

    /** Prepares the writer, on the poll thread, before the first poll. */
    void open() throws InterruptedException;

    /** Partitions just assigned to this replica. */
    void onAssigned(Collection<TopicPartition> partitions);

    /** What an earlier run did with a command id that is neither answered nor held in this run. */
    Prior prior(String commandId);

    /**
     * What the command an earlier run knew under this id asked for ({@link Request#fingerprint}),
     * or null when unknown.
     */
    default String fingerprint(String commandId) {
        return null;
    }

    /**
     * Called by the poll loop after each poll, before the records it returned are handled: loads
     * what an assignment asked for (never in the rebalance callback).
     */
    default void beforeHandling() {}

    /** Whether a command's call must wait, holding its slot, until its start is recorded. */
    boolean recordsStart(CommandJob job);

    /** A command now waits for its start to be recorded: have it recorded soon. */
    void startPending();

    /**
     * Writes a command's result, once for each of its deliveries; {@code fingerprint} is what the
     * command asked for.
     */
    void writeResult(
            CommandResult result, Outcome outcome, String fingerprint, List<Delivery> deliveries);

    /** A command id answered before in this run is read again. */
    void answerAgain(CommandResult earlier, Delivery delivery);

    /** Writes a record (a dead letter) that answers a delivery. */
    void write(String topic, String key, byte[] value, Delivery delivery);

    /** A delivery answered without a record (another connector's command, a duplicate). */
    void pass(Delivery delivery);

    /** End of a poll round: writes what is pending and commits the offsets answered. */
    void commitRound(PendingStarts starts);

    /** Before partitions are given up: commits what is answered, so the new owner skips it. */
    void commitBeforeRevoke(Collection<TopicPartition> partitions, PendingStarts starts);

    /** Closing: writes the last results and commits (nothing after a failure: see each mode). */
    void commitLast(PendingStarts starts);

    /**
     * The key of a result: its cluster, so that one cluster's results stay in order; its host when
     * the command named no cluster.
     */
    static String keyOf(CommandResult result) {
        return result.getCluster() != null ? result.getCluster() : result.getHost();
    }
}
