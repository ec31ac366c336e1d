package io.vmres.job.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The backlog the job's source tells Flink, so that checkpoints come seldom while it catches up.
 */
class BacklogEnumeratorTest {
    private static final KafkaPartitionSplit P0 =
            new KafkaPartitionSplit(new TopicPartition("vmres.heartbeats", 0), 0);
    private static final KafkaPartitionSplit P1 =
            new KafkaPartitionSplit(new TopicPartition("vmres.heartbeats", 1), 0);

    @Test
    void backlogUntilEverySplitAssignedHasCaughtUp() {
        Context ctx = new Context();
        BacklogEnumerator e =
                new BacklogEnumerator(ctx, List.of(), c -> new Assigning(c, List.of(P0, P1)));
        e.start();
        assertEquals(List.of(true), ctx.backlog);

        e.handleSourceEvent(0, new BacklogEnumerator.SplitsCaughtUp(List.of(P0.splitId())));
        assertEquals(List.of(true), ctx.backlog, "one split of two has read its backlog");
        assertTrue(e.processingBacklog());

        e.handleSourceEvent(1, new BacklogEnumerator.SplitsCaughtUp(List.of(P1.splitId())));
        assertEquals(List.of(true, false), ctx.backlog);
        assertFalse(e.processingBacklog());

        // told again (a reader that restarted): no second change
        e.handleSourceEvent(1, new BacklogEnumerator.SplitsCaughtUp(List.of(P1.splitId())));
        assertEquals(List.of(true, false), ctx.backlog);
    }

    @Test
    void restoredSplitsCountAlthoughNotAssignedAgain() {
        Context ctx = new Context();
        BacklogEnumerator e =
                new BacklogEnumerator(ctx, List.of(P0, P1), c -> new Assigning(c, List.of()));
        e.start();
        e.handleSourceEvent(0, new BacklogEnumerator.SplitsCaughtUp(List.of(P1.splitId())));
        assertEquals(List.of(true), ctx.backlog, "P0, restored as assigned, has not caught up");
        e.handleSourceEvent(0, new BacklogEnumerator.SplitsCaughtUp(List.of(P0.splitId())));
        assertEquals(List.of(true, false), ctx.backlog);
    }

    @Test
    void noSplitGivenIsNoCatchUpDone() {
        BacklogEnumerator.Backlog b = new BacklogEnumerator.Backlog();
        assertFalse(b.caughtUp(List.of("a-0")), "nothing given yet: the assignment may come");
        b.given(List.of("a-0", "a-1"));
        assertFalse(b.caughtUp(List.of()));
        assertTrue(b.caughtUp(List.of("a-1")), "a-0 was told before it was given");
        assertFalse(b.caughtUp(List.of("a-0", "a-1")), "done once");
        b.given(List.of("a-2"));
        assertTrue(b.done(), "a partition added later does not make it catch up again");
    }

    @Test
    void otherEventsGoToTheKafkaEnumerator() {
        Context ctx = new Context();
        List<Assigning> made = new ArrayList<>();
        BacklogEnumerator e =
                new BacklogEnumerator(
                        ctx,
                        List.of(),
                        c -> {
                            Assigning a = new Assigning(c, List.of(P0));
                            made.add(a);
                            return a;
                        });
        SourceEvent other = new SourceEvent() {};
        e.handleSourceEvent(3, other);
        assertEquals(List.of(other), made.get(0).events);
    }

    @Test
    void readerTellsEachSplitOnceWhenItHasReadItsBacklog() throws Exception {
        CatchUpSource.Backlog backlog = new CatchUpSource.Backlog();
        List<SourceEvent> told = new ArrayList<>();
        CatchUpSource.Reader reader =
                new CatchUpSource.Reader(new NothingToRead(), backlog, new Properties(), told::add);
        backlog.split("p-0").target(3);
        backlog.split("p-1").target(0); // nothing to read
        backlog.split("p-2"); // its backlog not known yet
        reader.tellCaughtUp();
        assertEquals(List.of(List.of("p-1")), splits(told));

        backlog.read("p-0", 1, 1L);
        reader.tellCaughtUp();
        assertEquals(1, told.size(), "p-0 has not read offset 2 yet");

        backlog.read("p-0", 2, 2L);
        backlog.split("p-2").target(0);
        reader.tellCaughtUp();
        reader.tellCaughtUp();
        assertEquals(2, told.size());
        assertEquals(List.of("p-0", "p-2"), splits(told).get(1).stream().sorted().toList());
    }

    private static List<List<String>> splits(List<SourceEvent> told) {
        return told.stream().map(e -> ((BacklogEnumerator.SplitsCaughtUp) e).splits()).toList();
    }

    /** A Kafka enumerator that assigns its splits to reader 0 when it starts. */
    private static final class Assigning
            implements SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> {
        private final SplitEnumeratorContext<KafkaPartitionSplit> c;
        private final List<KafkaPartitionSplit> splits;
        final List<SourceEvent> events = new ArrayList<>();

        Assigning(SplitEnumeratorContext<KafkaPartitionSplit> c, List<KafkaPartitionSplit> splits) {
            this.c = c;
            this.splits = splits;
        }

        @Override
        public void start() {
            if (!splits.isEmpty()) {
                c.assignSplits(new SplitsAssignment<>(Map.of(0, splits)));
            }
        }

        @Override
        public void handleSourceEvent(int subtaskId, SourceEvent event) {
            events.add(event);
        }

        @Override
        public void handleSplitRequest(int subtaskId, String host) {}

        @Override
        public void addSplitsBack(List<KafkaPartitionSplit> splits, int subtaskId) {}

        @Override
        public void addReader(int subtaskId) {}

        @Override
        public KafkaSourceEnumState snapshotState(long checkpointId) {
            return null;
        }

        @Override
        public void close() {}
    }

    /** The coordinator's context: what the source told of its backlog, in order. */
    private static final class Context implements SplitEnumeratorContext<KafkaPartitionSplit> {
        final List<Boolean> backlog = new ArrayList<>();

        @Override
        public void setIsProcessingBacklog(boolean isProcessingBacklog) {
            backlog.add(isProcessingBacklog);
        }

        @Override
        public void assignSplits(SplitsAssignment<KafkaPartitionSplit> assignment) {}

        @Override
        public SplitEnumeratorMetricGroup metricGroup() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void sendEventToSourceReader(int subtaskId, SourceEvent event) {}

        @Override
        public int currentParallelism() {
            return 1;
        }

        @Override
        public Map<Integer, ReaderInfo> registeredReaders() {
            return Map.of();
        }

        @Override
        public void signalNoMoreSplits(int subtask) {}

        @Override
        public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler) {}

        @Override
        public <T> void callAsync(
                Callable<T> callable, BiConsumer<T, Throwable> handler, long delay, long period) {}

        @Override
        public void runInCoordinatorThread(Runnable runnable) {
            runnable.run();
        }
    }
}
