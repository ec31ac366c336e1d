package io.vmres.job.live;

import io.vmres.engine.ClockRule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job's Kafka source, whose splits hold event time back while they have a backlog. When the job
 * starts (or restores) over topics that already hold records, each partition has a backlog: the
 * records up to the end offset it had then. A partition whose records have not come yet, or come
 * slowly behind another's (one consumer reads them all, a chunk of one partition at a time), must
 * not let another partition's newer records move event time: its own records would arrive behind
 * it, late (heartbeats lost, hosts looking silent). So its reader
 *
 * <ul>
 *   <li>asks, for each split it is given, the end offset of the partition then, and the last record
 *       before it (on read-committed topics, transaction markers and aborted records come last and
 *       are never read: the last record read is the one to wait for);
 *   <li>tells {@link InputWatermarks} of each split's backlog: the split is never idle until its
 *       reader has read that record (its {@link DecodingDeserializer} counts what it reads). A
 *       split's generator knows its split from its first record; until then it is held while any
 *       split of the reader has not begun reading a backlog it has (or may have: not known yet).
 * </ul>
 *
 * <p>When the end offsets cannot be asked (the brokers do not answer), the split is held until they
 * can: event time waits, nothing is judged on doubt. Everything else is the {@link KafkaSource}'s:
 * its enumerator, its splits and their state, so a checkpoint of the plain source restores into
 * this one.
 */
public final class CatchUpSource
        implements Source<Decoded, KafkaPartitionSplit, KafkaSourceEnumState>,
                ResultTypeQueryable<Decoded> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CatchUpSource.class);

    /** How long a reader waits for the end offsets before it tries again. */
    static final Duration ASK_TIMEOUT = Duration.ofSeconds(15);

    /** How soon after a failed ask a reader asks again. */
    static final long ASK_AGAIN_MS = 5_000;

    /**
     * How soon after the last ask a reader asks the end offsets of its splits again, so that a
     * split with nothing to read no longer holds event time ({@link Split#unreadAppendedAfter()}):
     * asked again once the answer has come, if the reader has read anything newer since, and at
     * most this often. An answer wakes the reader, which at once emits the watermarks of its
     * splits.
     */
    static final long ENDS_EVERY_MS = 25;

    /**
     * The system property that sets {@link #ENDS_EVERY_MS} for the readers made after (to compare
     * periods in a benchmark).
     */
    public static final String ENDS_EVERY_PROPERTY = "vmres.source.endsEveryMs";

    /**
     * The system property that, {@code false}, leaves an answer to be taken at the reader's next
     * record and its watermarks to the periodic emission (to compare with them emitted at once).
     */
    public static final String WATERMARKS_AT_ANSWER_PROPERTY = "vmres.source.watermarksAtAnswer";

    /** How long a reader waits for the end offsets asked every {@link #ENDS_EVERY_MS}. */
    static final Duration ENDS_TIMEOUT = Duration.ofSeconds(2);

    private final KafkaSource<Decoded> kafka;
    private final DecodingDeserializer deserializer;
    private final Properties consumer;

    /**
     * @param kafka the source, built with {@code deserializer}
     * @param consumer the client properties to ask the end offsets with (bootstrap servers among
     *     them)
     */
    public CatchUpSource(
            KafkaSource<Decoded> kafka, DecodingDeserializer deserializer, Properties consumer) {
        this.kafka = kafka;
        this.deserializer = deserializer;
        this.consumer = consumer;
    }

    @Override
    public Boundedness getBoundedness() {
        return kafka.getBoundedness();
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> createEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context) {
        return new BacklogEnumerator(context, List.of(), kafka::createEnumerator);
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> restoreEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context, KafkaSourceEnumState state)
            throws Exception {
        return new BacklogEnumerator(
                context,
                state.assignedSplits(),
                c -> {
                    try {
                        return kafka.restoreEnumerator(c, state);
                    } catch (Exception e) {
                        throw new IllegalStateException("cannot restore the Kafka enumerator", e);
                    }
                });
    }

    @Override
    public SimpleVersionedSerializer<KafkaPartitionSplit> getSplitSerializer() {
        return kafka.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<KafkaSourceEnumState> getEnumeratorCheckpointSerializer() {
        return kafka.getEnumeratorCheckpointSerializer();
    }

    @Override
    public TypeInformation<Decoded> getProducedType() {
        return kafka.getProducedType();
    }

    @Override
    public SourceReader<Decoded, KafkaPartitionSplit> createReader(SourceReaderContext context)
            throws Exception {
        // this task's copy of the source holds this task's copy of the deserializer
        Backlog backlog = new Backlog();
        deserializer.countReads(backlog);
        // the task's thread makes the splits' watermark generators: they find the backlog there
        InputWatermarks.readerBacklog(backlog);
        return new Reader(
                kafka.createReader(context),
                backlog,
                consumer,
                context::sendSourceEventToCoordinator,
                null,
                Long.getLong(ENDS_EVERY_PROPERTY, ENDS_EVERY_MS),
                // a bounded source's finished splits give their outputs back: emitted periodically
                kafka.getBoundedness() == Boundedness.CONTINUOUS_UNBOUNDED
                        && Boolean.parseBoolean(
                                System.getProperty(WATERMARKS_AT_ANSWER_PROPERTY, "true")));
    }

    /**
     * What each split of one reader still has to read of its backlog, and what the reader has read
     * (the reader's thread).
     */
    static final class Backlog implements DecodingDeserializer.Reads {
        private final Map<String, Split> splits = new HashMap<>();

        /** The split of the record read last (its generator sees the record next). */
        private Split last;

        /** The append time of the record read last ({@link ClockRule#NO_RECV_TS}: none). */
        private long lastAppendTs = ClockRule.NO_RECV_TS;

        /** The greatest append time read from any split of the reader. */
        private long maxAppendTs = ClockRule.NO_RECV_TS;

        Split split(String id) {
            return splits.computeIfAbsent(id, Split::new);
        }

        @Override
        public void read(String partition, long offset, long appendTs) {
            Split s = splits.get(partition);
            if (s != null) {
                s.read(offset);
            }
            last = s;
            lastAppendTs = appendTs;
            maxAppendTs = Math.max(maxAppendTs, appendTs);
        }

        /** The split of the record read last; null when none or not one of this reader's. */
        Split last() {
            return last;
        }

        /** The append time of the record read last; {@link ClockRule#NO_RECV_TS} when none. */
        long lastAppendTs() {
            return lastAppendTs;
        }

        /** The greatest append time read so far; {@link ClockRule#NO_RECV_TS} when none. */
        long maxAppendTs() {
            return maxAppendTs;
        }

        /**
         * The brokers answered that each split of {@code ends} ended at that offset, asked once the
         * reader had read append times up to {@code readBefore}: every record at or after that
         * offset was appended after the answer, later than {@code readBefore} by the brokers'
         * clocks.
         */
        void ends(Map<String, Long> ends, long readBefore) {
            for (Map.Entry<String, Long> e : ends.entrySet()) {
                Split s = splits.get(e.getKey());
                if (s != null) {
                    s.end(e.getValue(), readBefore);
                }
            }
        }

        /** The splits of the reader. */
        Collection<Split> splits() {
            return splits.values();
        }

        /**
         * The splits that have read their backlog and are not in {@code told}; empty when none, or
         * when a split's backlog is not known yet.
         */
        List<String> caughtUpNotIn(Set<String> told) {
            List<String> up = new ArrayList<>();
            for (Split s : splits.values()) {
                if (!told.contains(s.id) && s.caughtUp()) {
                    up.add(s.id);
                }
            }
            return up;
        }

        /** Whether every split the reader has was told caught up ({@code told}). */
        boolean allIn(Set<String> told) {
            return told.containsAll(splits.keySet());
        }

        /**
         * Whether a split of the reader has read nothing yet of a backlog it has or may have: until
         * none has, a generator that has seen no record may be that split's.
         */
        boolean anyUnstarted() {
            for (Split s : splits.values()) {
                if (!s.caughtUp() && s.next == 0) {
                    return true;
                }
            }
            return false;
        }
    }

    /** One split's backlog: the offset its reader must reach; and its end as last asked. */
    static final class Split {
        final String id;

        /** The offset after the last record of the backlog; -1 while not known. */
        private long target = -1;

        /** The offset after the last record read (0: none read). */
        private long next;

        /** The end offset last asked (-1: none), and the append time read before asking it. */
        private long end = -1;

        private long endReadBefore = ClockRule.NO_RECV_TS;

        /** The split's watermark generator, once it has seen the split's first record (or null). */
        private InputWatermarks.Generator watermarks;

        Split(String id) {
            this.id = id;
        }

        void read(long offset) {
            boolean behind = !caughtUp();
            next = Math.max(next, offset + 1);
            if (behind && caughtUp()) {
                LOG.info("{} has read its backlog up to offset {}", id, target);
            }
        }

        void target(long offset) {
            target = offset;
        }

        /** {@code g} makes the split's watermarks (the task's thread). */
        void watermarks(InputWatermarks.Generator g) {
            watermarks = g;
        }

        /** The split's watermark generator; null while it has seen no record of the split. */
        InputWatermarks.Generator watermarks() {
            return watermarks;
        }

        void end(long offset, long readBefore) {
            end = offset;
            endReadBefore = readBefore;
        }

        boolean known() {
            return target >= 0;
        }

        /** Whether the reader has read the whole backlog (false while it is not known). */
        boolean caughtUp() {
            return target >= 0 && next >= target;
        }

        /**
         * The least append time a record of the split not read yet can have: the append time the
         * reader had read before it last asked the split's end, once it has read up to that end;
         * {@link ClockRule#NO_RECV_TS} while it has not (or never asked, or knows no append time).
         */
        long unreadAppendedAfter() {
            return end >= 0 && next >= end ? endReadBefore : ClockRule.NO_RECV_TS;
        }
    }

    /** The Kafka reader, with the backlog of each of its splits. */
    // its close() throws what the Kafka reader's does, as SourceReader declares
    @SuppressWarnings("try")
    static final class Reader implements SourceReader<Decoded, KafkaPartitionSplit> {
        private final SourceReader<Decoded, KafkaPartitionSplit> kafka;
        private final Backlog backlog;
        private final Properties consumer;

        /** Splits whose backlog is not known yet. */
        private final Map<String, KafkaPartitionSplit> unknown = new LinkedHashMap<>();

        /** Asks the brokers apart from the reader's thread, which must never wait for them. */
        private final ExecutorService asker =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, "vmres-backlog");
                            t.setDaemon(true);
                            return t;
                        });

        /** The answer being asked, or null. */
        private Future<Map<String, Long>> asking;

        private long askedAt = Long.MIN_VALUE;

        /** Splits were given since the last ask: ask without waiting. */
        private boolean soon;

        /** The end offsets being asked, or null; the append time read before asking them. */
        private CompletableFuture<Map<String, Long>> askingEnds;

        private long endsReadBefore;

        /** The append time read before the ends last answered were asked (none: never). */
        private long answeredReadBefore = ClockRule.NO_RECV_TS;

        /** Asks the end offsets of splits (the asker's thread); null: the brokers. */
        private final Function<List<KafkaPartitionSplit>, Map<String, Long>> endsAsker;

        /** The least time between two asks of the ends, ms. */
        private final long endsEveryMs;

        /** Whether an answer wakes the reader and its watermarks are emitted as it is taken. */
        private final boolean atAnswer;

        /** When the ends were last asked (wall clock; 0: never). */
        private long endsAskedAt;

        /** The splits by id, to ask their ends (the reader's thread). */
        private final Map<String, KafkaPartitionSplit> given = new LinkedHashMap<>();

        /** The client that asks the ends (the asker's thread only; null until first asked). */
        private KafkaConsumer<byte[], byte[]> endsClient;

        /** Tells the enumerator which splits have read their backlog. */
        private final Consumer<SourceEvent> enumerator;

        /** The splits told caught up to the enumerator. */
        private final Set<String> told = new HashSet<>();

        /** Every split of the reader was told caught up: nothing to look at per record. */
        private boolean allTold;

        Reader(
                SourceReader<Decoded, KafkaPartitionSplit> kafka,
                Backlog backlog,
                Properties consumer,
                Consumer<SourceEvent> enumerator) {
            this(kafka, backlog, consumer, enumerator, null, ENDS_EVERY_MS, true);
        }

        /**
         * @param endsAsker asks the end offsets of splits, on the asker's thread (null: the
         *     brokers)
         * @param endsEveryMs the least time between two asks of the ends
         * @param atAnswer whether an answer wakes the reader and its splits' watermarks are emitted
         *     as it is taken (else at the next record and the next periodic emission)
         */
        Reader(
                SourceReader<Decoded, KafkaPartitionSplit> kafka,
                Backlog backlog,
                Properties consumer,
                Consumer<SourceEvent> enumerator,
                Function<List<KafkaPartitionSplit>, Map<String, Long>> endsAsker,
                long endsEveryMs,
                boolean atAnswer) {
            this.kafka = kafka;
            this.backlog = backlog;
            this.consumer = consumer;
            this.enumerator = enumerator;
            this.endsAsker = endsAsker;
            this.endsEveryMs = endsEveryMs;
            this.atAnswer = atAnswer;
        }

        @Override
        public void start() {
            kafka.start();
        }

        @Override
        public void addSplits(List<KafkaPartitionSplit> splits) {
            for (KafkaPartitionSplit s : splits) {
                backlog.split(s.splitId());
                unknown.put(s.splitId(), s);
                given.put(s.splitId(), s);
            }
            soon = true;
            allTold = false;
            answeredReadBefore = ClockRule.NO_RECV_TS; // ask the new splits' ends too
            askEnds();
            kafka.addSplits(splits);
        }

        @Override
        public InputStatus pollNext(ReaderOutput<Decoded> output) throws Exception {
            askEnds();
            if (askLatestEnds() && atAnswer) {
                emitWatermarks(output);
            }
            tellCaughtUp();
            return kafka.pollNext(output);
        }

        /**
         * Emits the watermark of each split whose generator is known, as the periodic emission does
         * but at once: first the splits the answer does not move (those of heartbeats, those not
         * read up to an end), then those it moves, all to the same append time: the source's
         * watermark (the least of its splits') moves once they all have.
         */
        private void emitWatermarks(ReaderOutput<Decoded> output) {
            List<Split> moved = new ArrayList<>();
            for (Split s : backlog.splits()) {
                if (s.watermarks() == null || !given.containsKey(s.id)) {
                    continue;
                }
                if (s.watermarks().heartbeats()
                        || s.unreadAppendedAfter() == ClockRule.NO_RECV_TS) {
                    s.watermarks().onPeriodicEmit(output.createOutputForSplit(s.id));
                } else {
                    moved.add(s);
                }
            }
            for (Split s : moved) {
                s.watermarks().onPeriodicEmit(output.createOutputForSplit(s.id));
            }
        }

        /** Tells the enumerator of the splits that have read their backlog since it was told. */
        void tellCaughtUp() {
            if (allTold) {
                return;
            }
            List<String> up = backlog.caughtUpNotIn(told);
            if (!up.isEmpty()) {
                told.addAll(up);
                enumerator.accept(new BacklogEnumerator.SplitsCaughtUp(up));
            }
            allTold = !told.isEmpty() && backlog.allIn(told);
        }

        /**
         * Takes the end offsets asked, if they have come, and asks them again, at most every {@code
         * endsEveryMs} and only once the reader has read a newer append time than the last answer
         * was asked after, noting the greatest append time read before the question went out.
         *
         * @return whether an answer was taken
         */
        private boolean askLatestEnds() {
            boolean taken = false;
            if (askingEnds != null && askingEnds.isDone()) {
                try {
                    backlog.ends(askingEnds.get(), endsReadBefore);
                    answeredReadBefore = endsReadBefore;
                    taken = true;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException e) {
                    // no answer: the splits keep the ends they had, and hold event time at them
                    LOG.debug("cannot ask the end offsets: {}", e.getCause().toString());
                }
                askingEnds = null;
            }
            long t = System.currentTimeMillis();
            if (askingEnds != null
                    || given.isEmpty()
                    || backlog.maxAppendTs() == ClockRule.NO_RECV_TS
                    || backlog.maxAppendTs() == answeredReadBefore // nothing newer to follow
                    || (endsAskedAt != 0 && t - endsAskedAt < endsEveryMs)) {
                return taken;
            }
            endsAskedAt = t;
            // read before the question goes out: every record still unread below the answer was
            // appended before the answer, every one after it later than this
            endsReadBefore = backlog.maxAppendTs();
            List<KafkaPartitionSplit> ask = new ArrayList<>(given.values());
            askingEnds =
                    CompletableFuture.supplyAsync(
                            () -> endsAsker != null ? endsAsker.apply(ask) : ends(ask), asker);
            return taken;
        }

        /** The end offset of each split now (the asker's thread). */
        private Map<String, Long> ends(List<KafkaPartitionSplit> splits) {
            if (endsClient == null) {
                endsClient = endsClient(consumer);
            }
            List<TopicPartition> tps = new ArrayList<>();
            for (KafkaPartitionSplit s : splits) {
                tps.add(s.getTopicPartition());
            }
            Map<TopicPartition, Long> ends = endsClient.endOffsets(tps, ENDS_TIMEOUT);
            Map<String, Long> bySplit = new HashMap<>();
            for (KafkaPartitionSplit s : splits) {
                Long end = ends.get(s.getTopicPartition());
                if (end != null) {
                    bySplit.put(s.splitId(), end);
                }
            }
            return bySplit;
        }

        /**
         * Takes the answer asked, if it has come, and asks the backlog of the splits not known yet:
         * at once for splits just given, else {@link #ASK_AGAIN_MS} after the last ask. Until
         * known, a split is held.
         */
        private void askEnds() {
            if (asking != null && asking.isDone()) {
                try {
                    Map<String, Long> targets = asking.get();
                    for (Map.Entry<String, Long> t : targets.entrySet()) {
                        backlog.split(t.getKey()).target(t.getValue());
                        unknown.remove(t.getKey());
                    }
                    LOG.info("backlog of the splits to read before they may be idle: {}", targets);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException e) {
                    LOG.warn(
                            "cannot ask the end offsets of {} ({}): event time waits for them",
                            unknown.keySet(),
                            e.getCause().toString());
                }
                asking = null;
            }
            long t = System.currentTimeMillis();
            if (asking != null || unknown.isEmpty() || (!soon && t - askedAt < ASK_AGAIN_MS)) {
                return;
            }
            askedAt = t;
            soon = false;
            List<KafkaPartitionSplit> ask = new ArrayList<>(unknown.values());
            asking = asker.submit(() -> targets(consumer, ask));
        }

        /** The end offsets being asked (null: none), for tests. */
        CompletableFuture<Map<String, Long>> endsAsked() {
            return askingEnds;
        }

        @Override
        public List<KafkaPartitionSplit> snapshotState(long checkpointId) {
            return kafka.snapshotState(checkpointId);
        }

        /**
         * Available when the Kafka reader has records, or when the end offsets being asked have
         * come (to take them at once).
         */
        @Override
        public CompletableFuture<Void> isAvailable() {
            CompletableFuture<Void> records = kafka.isAvailable();
            CompletableFuture<Map<String, Long>> answer = askingEnds;
            if (!atAnswer || answer == null || records.isDone()) {
                return records;
            }
            if (answer.isDone()) {
                return CompletableFuture.completedFuture(null);
            }
            // a failed ask wakes it too: it is taken (and logged) as any
            return CompletableFuture.anyOf(records, answer.handle((r, e) -> null))
                    .thenApply(ignored -> (Void) null);
        }

        @Override
        public void notifyNoMoreSplits() {
            kafka.notifyNoMoreSplits();
        }

        @Override
        public void handleSourceEvents(SourceEvent event) {
            kafka.handleSourceEvents(event);
        }

        @Override
        public void pauseOrResumeSplits(Collection<String> pause, Collection<String> resume) {
            kafka.pauseOrResumeSplits(pause, resume);
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
        public void close() throws Exception {
            // the ends' client is the asker's: closed there, after the question under way
            asker.execute(
                    () -> {
                        if (endsClient != null) {
                            endsClient.close();
                        }
                    });
            asker.shutdown();
            kafka.close();
        }
    }

    /**
     * A client that only asks end offsets: the high watermark, below which are also the records of
     * transactions still open (appended, not readable yet by the job): a split whose reader has not
     * read them is not at its end.
     */
    private static KafkaConsumer<byte[], byte[]> endsClient(Properties client) {
        Properties p = new Properties();
        p.putAll(client);
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.setProperty(ConsumerConfig.CLIENT_ID_CONFIG, "vmres-ends");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * For each split, the offset after the last record its reader will read below the partition's
     * end offset now: 0 when there is none (or the split starts at or after it).
     */
    // a split restored from an older checkpoint may still start at the LATEST_OFFSET marker
    @SuppressWarnings("deprecation")
    static Map<String, Long> targets(Properties client, Collection<KafkaPartitionSplit> splits) {
        Properties p = new Properties();
        p.putAll(client);
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.setProperty(ConsumerConfig.CLIENT_ID_CONFIG, "vmres-backlog");
        p.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, Long> targets = new LinkedHashMap<>();
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (KafkaPartitionSplit s : splits) {
                tps.add(s.getTopicPartition());
            }
            Map<TopicPartition, Long> ends = c.endOffsets(tps, ASK_TIMEOUT);
            for (KafkaPartitionSplit s : splits) {
                long end = ends.get(s.getTopicPartition());
                long start = s.getStartingOffset();
                // a split that starts at the latest offset has no backlog to read
                boolean none = start >= end || start == KafkaPartitionSplit.LATEST_OFFSET;
                targets.put(
                        s.splitId(),
                        none ? 0 : lastRecordBelow(c, s.getTopicPartition(), start, end));
            }
        }
        return targets;
    }

    /**
     * The offset after the last record of {@code tp} below {@code end} that a read-committed reader
     * reads: read back from {@code end}, a window twice as wide each time nothing is found.
     */
    private static long lastRecordBelow(
            KafkaConsumer<byte[], byte[]> c, TopicPartition tp, long start, long end) {
        long floor = Math.max(0, start);
        long window = 64;
        c.assign(List.of(tp));
        while (true) {
            long from = Math.max(floor, end - window);
            c.seek(tp, from);
            long last = -1;
            long deadline = System.currentTimeMillis() + ASK_TIMEOUT.toMillis();
            while (c.position(tp, ASK_TIMEOUT) < end) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("no answer reading " + tp + " up to " + end);
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end) {
                        last = Math.max(last, r.offset());
                    }
                }
            }
            if (last >= 0) {
                return last + 1;
            }
            if (from == floor) {
                return 0;
            }
            window *= 2;
        }
    }
}
