package io.vmres.deploy.dashboard;

import io.vmres.schema.Admission;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.KafkaEndpoint;
import io.vmres.schema.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the topics the dashboard shows (fleet state, incidents, commands, command results, alerts),
 * committed records only and from their beginning, into a {@link DashboardModel}.
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
                    Topics.ALERTS);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroCodec codec = new AvroCodec();
    private final DashboardModel model;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;

    public DashboardFeed(KafkaEndpoint kafka, DashboardModel model) {
        this.model = model;
        consumer =
                new KafkaConsumer<>(
                        kafka.client(
                                Map.of(
                                        // the job writes in transactions: what is not committed may
                                        // still
                                        // be aborted
                                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                                        "read_committed",
                                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                                        "earliest",
                                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                                        false,
                                        // a dashboard reads everything again when it starts: no
                                        // offsets of
                                        // its own
                                        ConsumerConfig.GROUP_ID_CONFIG,
                                        "vmres-dashboard-" + System.nanoTime())),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer());
        consumer.subscribe(TOPICS);
        thread = new Thread(this::run, "vmres-dashboard-feed");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
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
