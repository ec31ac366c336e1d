package io.vmres.deploy.runtime;

import io.vmres.schema.Alert;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Command;
import io.vmres.schema.CommandResult;
import io.vmres.schema.DeadLetter;
import io.vmres.schema.Incident;
import io.vmres.schema.KafkaEndpoint;
import io.vmres.schema.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the job's output topics (incidents, commands, results, alerts, dead letters) as an
 * operator's tool would: committed records only, decoded, kept in arrival order, and handed to a
 * listener as they come.
 */
public final class DecisionLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DecisionLog.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroCodec codec = new AvroCodec();
    private final List<Incident> incidents = new CopyOnWriteArrayList<>();
    private final List<Command> commands = new CopyOnWriteArrayList<>();
    private final List<CommandResult> results = new CopyOnWriteArrayList<>();
    private final List<Alert> alerts = new CopyOnWriteArrayList<>();
    private final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
    private final Consumer<SpecificRecord> listener;
    private final Thread thread;
    private volatile boolean running = true;

    public DecisionLog(String bootstrap, Consumer<SpecificRecord> listener) {
        this(KafkaEndpoint.of(bootstrap), listener);
    }

    /** A log of the decisions on {@code kafka}, each told to {@code listener} as it comes. */
    public DecisionLog(KafkaEndpoint kafka, Consumer<SpecificRecord> listener) {
        this.listener = listener;
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
                                        ConsumerConfig.GROUP_ID_CONFIG,
                                        "vmres-decision-log-" + System.nanoTime())),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer());
        consumer.subscribe(
                List.of(
                        Topics.INCIDENTS,
                        Topics.COMMANDS,
                        Topics.COMMAND_RESULTS,
                        Topics.ALERTS,
                        Topics.DEAD_LETTER));
        thread = new Thread(this::run, "vmres-decision-log");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    SpecificRecord value;
                    try {
                        value = codec.decode(r.value());
                    } catch (AvroCodec.BadRecordException e) {
                        LOG.warn(
                                "{} holds a record that does not decode: {}",
                                r.topic(),
                                e.getMessage());
                        continue;
                    }
                    keep(value);
                    listener.accept(value);
                }
            }
        } catch (WakeupException e) {
            // close() woke the poll
        } finally {
            consumer.close();
        }
    }

    private void keep(SpecificRecord value) {
        if (value instanceof Incident i) {
            incidents.add(i);
        } else if (value instanceof Command c) {
            commands.add(c);
        } else if (value instanceof CommandResult r) {
            results.add(r);
        } else if (value instanceof Alert a) {
            alerts.add(a);
        } else if (value instanceof DeadLetter d) {
            deadLetters.add(d);
        }
    }

    public List<Incident> incidents() {
        return new ArrayList<>(incidents);
    }

    public List<Command> commands() {
        return new ArrayList<>(commands);
    }

    public List<CommandResult> results() {
        return new ArrayList<>(results);
    }

    public List<Alert> alerts() {
        return new ArrayList<>(alerts);
    }

    public List<DeadLetter> deadLetters() {
        return new ArrayList<>(deadLetters);
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(35_000); // the consumer's own close waits up to 30 s
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
