package io.vmres.deploy.dashboard;

import io.vmres.schema.Admission;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.KafkaEndpoint;
import io.vmres.schema.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the topics the dashboard shows (fleet state, incidents, commands, command results, alerts,
 * and the power-domain readings of the power topic), committed records only and from their
 * beginning, into a {@link DashboardModel}; and tells, every {@link #CHECK_EVERY}, whether the
 * broker answers and whether a job writes ({@link FeedStatus}).
 */
public final class DashboardFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardFeed.class);

    /** The topics read. */
    public static final List<String> TOPICS =
            List.of(
                    Topics.FLEET_STATE,
                    Topics.INCIDENTS,
                    Topics.COMMANDS,
                    Topics.COMMAND_RESULTS,
                    Topics.ALERTS,
                    Topics.POWER);

    /** The topics only a job writes: whether a job writes is judged on them. */
    static final List<String> JOB_TOPICS =
            List.of(Topics.FLEET_STATE, Topics.INCIDENTS, Topics.COMMANDS, Topics.ALERTS);

    /** How often the broker is asked whether it answers and which topics it has. */
    static final Duration CHECK_EVERY = Duration.ofSeconds(2);

    /** How long a check waits for the broker's answer. */
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(3);

    private final String bootstrap;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroCodec codec = new AvroCodec();
    private final DashboardModel model;
    private final Consumer<FeedStatus> onChange;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;

    private final Map<String, long[]> read = new LinkedHashMap<>(); // topic -> {records, lastTs}
    private final Set<String> existing = new HashSet<>();
    private Long lastAnswerAt;
    private boolean caughtUp;
    private volatile FeedStatus status;

    /**
     * @param onChange told every new state (not every check), on the feed's thread
     */
    public DashboardFeed(KafkaEndpoint kafka, DashboardModel model, Consumer<FeedStatus> onChange) {
        this.bootstrap = kafka.bootstrap();
        this.model = model;
        this.onChange = onChange;
        for (String t : TOPICS) {
            read.put(t, new long[] {0, Long.MIN_VALUE});
            existing.add(t); // until a check says otherwise
        }
        consumer =
                new KafkaConsumer<>(
                        kafka.client(
                                Map.of(
                                        // the job writes in transactions: what is not committed
                                        // may still be aborted
                                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                                        "read_committed",
                                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                                        "earliest",
                                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                                        false)),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer());
        status = FeedStatus.connecting("the broker " + bootstrap, System.currentTimeMillis());
        model.status(status);
        thread = new Thread(this::run, "vmres-dashboard-feed");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            long nextCheck = 0;
            while (running) {
                if (System.nanoTime() - nextCheck >= 0) {
                    check();
                    nextCheck = System.nanoTime() + CHECK_EVERY.toNanos();
                }
                if (consumer.assignment().isEmpty()) {
                    LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    long[] t = read.get(r.topic());
                    t[0]++;
                    t[1] = Math.max(t[1], r.timestamp());
                    SpecificRecord value = decode(r);
                    if (value != null) {
                        model.apply(value);
                    }
                }
            }
        } catch (WakeupException e) {
            // close() woke the poll
        } catch (RuntimeException e) {
            LOG.error("the dashboard stopped reading the topics", e);
        } finally {
            consumer.close();
            stopped.countDown();
        }
    }

    /**
     * Asks the broker for its topics: whether it answers, which topics exist (the partitions of
     * those are read, a dashboard having no offsets of its own: no consumer group), how far the
     * reading is behind their ends; and tells the state when it changed.
     */
    private void check() {
        long now = System.currentTimeMillis();
        boolean answered;
        long behind = 0;
        try {
            Map<String, List<PartitionInfo>> topics = consumer.listTopics(ANSWER_WITHIN);
            answered = true;
            lastAnswerAt = now;
            existing.clear();
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : TOPICS) {
                List<PartitionInfo> ps = topics.get(t);
                if (ps != null && !ps.isEmpty()) {
                    existing.add(t);
                    ps.forEach(p -> parts.add(new TopicPartition(t, p.partition())));
                }
            }
            if (!new HashSet<>(parts).equals(consumer.assignment())) {
                Set<TopicPartition> before = consumer.assignment();
                consumer.assign(parts);
                List<TopicPartition> added =
                        parts.stream().filter(p -> !before.contains(p)).toList();
                consumer.seekToBeginning(added);
            }
            if (!parts.isEmpty()) {
                for (Map.Entry<TopicPartition, Long> e :
                        consumer.endOffsets(parts, ANSWER_WITHIN).entrySet()) {
                    behind +=
                            Math.max(
                                    0, e.getValue() - consumer.position(e.getKey(), ANSWER_WITHIN));
                }
            }
            caughtUp |= behind == 0;
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            // a timeout above all: no answer within ANSWER_WITHIN
            answered = false;
            LOG.debug("the broker {} did not answer: {}", bootstrap, e.getMessage());
        }
        List<FeedStatus.TopicStatus> topics = new ArrayList<>();
        read.forEach(
                (t, r) ->
                        topics.add(
                                new FeedStatus.TopicStatus(
                                        t,
                                        existing.contains(t),
                                        r[0],
                                        r[1] == Long.MIN_VALUE ? null : r[1])));
        FeedStatus next =
                FeedStatus.judge(
                        new FeedStatus.Check(
                                bootstrap,
                                answered,
                                lastAnswerAt,
                                caughtUp,
                                behind,
                                JOB_TOPICS,
                                topics,
                                now),
                        status);
        boolean newState = !next.state().equals(status.state());
        if (!next.sameAs(status)) {
            model.status(next);
        }
        status = next;
        if (newState) {
            LOG.info("dashboard feed of {}: {}", bootstrap, next.line());
            onChange.accept(next);
        }
    }

    /** The latest state told. */
    public FeedStatus status() {
        return status;
    }

    private SpecificRecord decode(ConsumerRecord<byte[], byte[]> r) {
        try {
            return decode(codec, r.value());
        } catch (AvroCodec.BadRecordException e) {
            LOG.warn("{} holds a record that does not decode: {}", r.topic(), e.getMessage());
            return null;
        }
    }

    /**
     * A record of the topics read. Admissions share the fleet-state topic: a codec that does not
     * know them yet still reads them, with their own decoder.
     */
    static SpecificRecord decode(AvroCodec codec, byte[] bytes)
            throws AvroCodec.BadRecordException {
        try {
            return codec.decode(bytes);
        } catch (AvroCodec.BadRecordException e) {
            try {
                return Admission.getDecoder().decode(bytes);
            } catch (Exception notAdmission) {
                throw e;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            stopped.await(35, TimeUnit.SECONDS); // the consumer's own close waits up to 30 s
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
