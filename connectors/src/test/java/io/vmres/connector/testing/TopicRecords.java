package io.vmres.connector.testing;

import io.vmres.schema.Action;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Command;
import io.vmres.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The connector's tests' commands in, on partition 0 of the commands topic, and the records sent.
 */
public final class TopicRecords {
    private static final AvroCodec CODEC = new AvroCodec();

    private TopicRecords() {}

    /** Fence {@code host}: attempt 1 of incident inc-1 in cluster c1. */
    public static Command fence(String id, String host) {
        return Command.newBuilder()
                .setCommandId(id)
                .setIncidentId("inc-1")
                .setAction(Action.FENCE_HOST)
                .setHost(host)
                .setAttempt(1)
                .setCluster("c1")
                .setTs(Instant.now())
                .build();
    }

    /** Restart {@code vm} of {@code host} on {@code target}: attempt 1 of inc-1, priority 500. */
    public static Command restart(String id, String vm, String host, String target) {
        return Command.newBuilder()
                .setCommandId(id)
                .setIncidentId("inc-1")
                .setAction(Action.RESTART_VM)
                .setHost(host)
                .setTarget(target)
                .setVm(vm)
                .setAttempt(1)
                .setPriority(500)
                .setCluster("c1")
                .setTs(Instant.now())
                .build();
    }

    /**
     * The command at {@code offset} of partition 0 of the commands topic: keyed by its target, else
     * its host.
     */
    public static ConsumerRecord<byte[], byte[]> onCommands(Command c, long offset) {
        String key = c.getTarget() != null ? c.getTarget() : c.getHost();
        return new ConsumerRecord<>(
                Topics.COMMANDS, 0, offset, key.getBytes(StandardCharsets.UTF_8), CODEC.encode(c));
    }

    /** The records the producer sent to {@code topic}, decoded, in order. */
    public static <T> List<T> sent(
            MockProducer<byte[], byte[]> producer, String topic, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> r : producer.history()) {
            if (r.topic().equals(topic)) {
                try {
                    out.add(type.cast(CODEC.decode(r.value())));
                } catch (AvroCodec.BadRecordException e) {
                    throw new AssertionError("an undecodable record on " + topic, e);
                }
            }
        }
        return out;
    }
}
