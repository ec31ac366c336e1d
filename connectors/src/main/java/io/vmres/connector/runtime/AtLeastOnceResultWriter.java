package io.vmres.connector.runtime;

import io.vmres.schema.AvroCodec;
import io.vmres.schema.CommandResult;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The at-least-once mode: results go out through a plain producer and an offset is committed by the
 * consumer once the writes of every command up to it are acknowledged. The service remembers
 * answers in memory only, so a command redelivered after a restart runs again.
 */
final class AtLeastOnceResultWriter implements ResultWriter {
    private static final Logger LOG = LoggerFactory.getLogger(AtLeastOnceResultWriter.class);

    private final Producer<byte[], byte[]> producer;
    private final Consumer<byte[], byte[]> consumer;
    private final PartitionOffsets offsets;
    private final String resultsTopic;
    private final ServiceState state;
    private final AvroCodec codec = new AvroCodec();

    AtLeastOnceResultWriter(
            Producer<byte[], byte[]> producer,
            Consumer<byte[], byte[]> consumer,
            PartitionOffsets offsets,
            ConnectorOptions options,
            ServiceState state) {
        this.producer = producer;
        this.consumer = consumer;
        this.offsets = offsets;
        this.resultsTopic = options.resultsTopic();
        this.state = state;
    }

    @Override
    public void open() {}

    @Override
    public void onAssigned(Collection<TopicPartition> partitions) {}

    @Override
    public Prior prior(String commandId) {
        return Prior.NONE; // no memory outlives the process
    }

    @Override
    public boolean recordsStart(CommandJob job) {
        return false;
    }

    @Override
    public void startPending() {}

    @Override
    public void writeResult(
            CommandResult result, Outcome outcome, String fingerprint, List<Delivery> deliveries) {
        send(result, deliveries);
    }

    @Override
    public void answerAgain(CommandResult earlier, Delivery delivery) {
        LOG.info(
                "command {} seen before, answered again with {}",
                earlier.getCommandId(),
                earlier.getStatus());
        send(earlier, List.of(delivery));
    }

    private void send(CommandResult result, List<Delivery> deliveries) {
        String key = ResultWriter.keyOf(result);
        byte[] value = codec.encode(result);
        for (Delivery d : deliveries) {
            write(resultsTopic, key, value, d);
        }
    }

    @Override
    public void write(String topic, String key, byte[] value, Delivery delivery) {
        byte[] k = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        try {
            producer.send(
                    new ProducerRecord<>(topic, k, value),
                    (md, e) -> {
                        if (e == null) {
                            delivery.answered(offsets);
                        } else {
                            state.fail(e);
                        }
                    });
        } catch (KafkaException | IllegalStateException e) {
            state.fail(e);
        }
    }

    @Override
    public void pass(Delivery delivery) {
        delivery.answered(offsets);
    }

    @Override
    public void commitRound(PendingStarts starts) {
        commit(offsets.committable());
    }

    @Override
    public void commitBeforeRevoke(Collection<TopicPartition> partitions, PendingStarts starts) {
        // Results handed to the producer but not acknowledged yet would not count: wait for them,
        // so that the new owner does not run those commands again.
        producer.flush();
        commit(offsets.committable(partitions));
    }

    @Override
    public void commitLast(PendingStarts starts) {
        // Flush so that the results written so far are acknowledged and their offsets committed.
        producer.flush();
        commit(offsets.committable());
    }

    private void commit(Map<TopicPartition, OffsetAndMetadata> toCommit) {
        if (toCommit.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(toCommit);
            offsets.committed(toCommit);
        } catch (WakeupException e) {
            // close() woke the consumer in the middle of the commit: the final commit follows.
            LOG.debug("offset commit interrupted by a wakeup: {}", e.getMessage());
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // Not fatal: the partitions moved; whoever owns them now reads from the last commit.
            LOG.warn("offset commit failed during a rebalance: {}", e.getMessage());
        }
    }
}
