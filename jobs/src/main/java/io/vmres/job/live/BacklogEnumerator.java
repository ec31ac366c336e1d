package io.vmres.job.live;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka source's enumerator, telling Flink whether the job is still reading the backlog its
 * splits had when they were given ({@link SplitEnumeratorContext#setIsProcessingBacklog}): while it
 * is, checkpoints come at {@code execution.checkpointing.interval-during-backlog}; once every split
 * given has been read up to its backlog (its reader says so with {@link SplitsCaughtUp}), at the
 * job's own, shorter interval, which is how soon a command reaches the connectors. Everything else
 * is the Kafka enumerator's.
 */
final class BacklogEnumerator
        implements SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> {
    private static final Logger LOG = LoggerFactory.getLogger(BacklogEnumerator.class);

    private final SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> kafka;
    private final SplitEnumeratorContext<KafkaPartitionSplit> context;
    private final Backlog backlog;

    /**
     * Wraps the enumerator {@code make} builds over the context it is given (so that the splits it
     * assigns are seen here), {@code restored} the splits a restored state had assigned already.
     */
    BacklogEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context,
            Collection<KafkaPartitionSplit> restored,
            java.util.function.Function<
                            SplitEnumeratorContext<KafkaPartitionSplit>,
                            SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState>>
                    make) {
        this.context = context;
        this.backlog = new Backlog();
        List<String> ids = new ArrayList<>();
        for (KafkaPartitionSplit s : restored) {
            ids.add(s.splitId());
        }
        backlog.given(ids);
        this.kafka = make.apply(new Seeing(context));
    }

    @Override
    public void start() {
        context.setIsProcessingBacklog(true);
        kafka.start();
    }

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
        kafka.handleSplitRequest(subtaskId, requesterHostname);
    }

    @Override
    public void addSplitsBack(List<KafkaPartitionSplit> splits, int subtaskId) {
        kafka.addSplitsBack(splits, subtaskId);
    }

    @Override
    public void addReader(int subtaskId) {
        kafka.addReader(subtaskId);
    }

    @Override
    public KafkaSourceEnumState snapshotState(long checkpointId) throws Exception {
        return kafka.snapshotState(checkpointId);
    }

    @Override
    public void close() throws java.io.IOException {
        kafka.close();
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        kafka.notifyCheckpointComplete(checkpointId);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
        kafka.notifyCheckpointAborted(checkpointId);
    }

    @Override
    public void handleSourceEvent(int subtaskId, SourceEvent event) {
        if (event instanceof SplitsCaughtUp up) {
            if (backlog.caughtUp(up.splits())) {
                LOG.info(
                        "every split has read its backlog: checkpoints at the job's live interval");
                context.setIsProcessingBacklog(false);
            }
            return;
        }
        kafka.handleSourceEvent(subtaskId, event);
    }

    /** Whether the enumerator still tells a backlog (tests). */
    boolean processingBacklog() {
        return !backlog.done();
    }

    /** A reader's word that these splits have read the backlog they had when it got them. */
    record SplitsCaughtUp(List<String> splits) implements SourceEvent {
        private static final long serialVersionUID = 1L;

        SplitsCaughtUp {
            splits = List.copyOf(splits);
        }
    }

    /**
     * The splits given and those whose readers have read their backlog: done once at least one was
     * given and every one given has. Done stays done: a partition added later is read as it comes,
     * it does not make the job a catching-up one again.
     */
    static final class Backlog {
        private final Set<String> given = new HashSet<>();
        private final Set<String> caughtUp = new HashSet<>();
        private boolean done;

        void given(Collection<String> splits) {
            given.addAll(splits);
        }

        /** Notes {@code splits} caught up; true when that made the backlog done just now. */
        boolean caughtUp(Collection<String> splits) {
            caughtUp.addAll(splits);
            if (done || given.isEmpty() || !caughtUp.containsAll(given)) {
                return false;
            }
            done = true;
            return true;
        }

        boolean done() {
            return done;
        }
    }

    /** The enumerator's context, noting every split the Kafka enumerator assigns. */
    private final class Seeing implements SplitEnumeratorContext<KafkaPartitionSplit> {
        private final SplitEnumeratorContext<KafkaPartitionSplit> c;

        Seeing(SplitEnumeratorContext<KafkaPartitionSplit> c) {
            this.c = c;
        }

        @Override
        public void assignSplits(SplitsAssignment<KafkaPartitionSplit> assignment) {
            List<String> ids = new ArrayList<>();
            for (List<KafkaPartitionSplit> splits : assignment.assignment().values()) {
                for (KafkaPartitionSplit s : splits) {
                    ids.add(s.splitId());
                }
            }
            backlog.given(ids);
            c.assignSplits(assignment);
        }

        @Override
        public void assignSplit(KafkaPartitionSplit split, int subtask) {
            backlog.given(List.of(split.splitId()));
            c.assignSplit(split, subtask);
        }

        @Override
        public SplitEnumeratorMetricGroup metricGroup() {
            return c.metricGroup();
        }

        @Override
        public void sendEventToSourceReader(int subtaskId, SourceEvent event) {
            c.sendEventToSourceReader(subtaskId, event);
        }

        @Override
        public void sendEventToSourceReader(int subtaskId, int attemptNumber, SourceEvent event) {
            c.sendEventToSourceReader(subtaskId, attemptNumber, event);
        }

        @Override
        public int currentParallelism() {
            return c.currentParallelism();
        }

        @Override
        public Map<Integer, ReaderInfo> registeredReaders() {
            return c.registeredReaders();
        }

        @Override
        public Map<Integer, Map<Integer, ReaderInfo>> registeredReadersOfAttempts() {
            return c.registeredReadersOfAttempts();
        }

        @Override
        public void signalNoMoreSplits(int subtask) {
            c.signalNoMoreSplits(subtask);
        }

        @Override
        public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler) {
            c.callAsync(callable, handler);
        }

        @Override
        public <T> void callAsync(
                Callable<T> callable,
                BiConsumer<T, Throwable> handler,
                long initialDelay,
                long period) {
            c.callAsync(callable, handler, initialDelay, period);
        }

        @Override
        public void runInCoordinatorThread(Runnable runnable) {
            c.runInCoordinatorThread(runnable);
        }

        @Override
        public void setIsProcessingBacklog(boolean isProcessingBacklog) {
            c.setIsProcessingBacklog(isProcessingBacklog);
        }
    }
}
