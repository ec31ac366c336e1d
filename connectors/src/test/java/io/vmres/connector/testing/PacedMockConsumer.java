package io.vmres.connector.testing;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A {@link MockConsumer} whose empty poll waits a little, as a real consumer's does; the plain mock
 * returns at once, and a poll loop on it would spin a core the other tests need. It also keeps the
 * offsets committed, readable after it was closed.
 */
public final class PacedMockConsumer extends MockConsumer<byte[], byte[]> {
    private final Map<TopicPartition, Long> lastCommitted = new ConcurrentHashMap<>();

    public PacedMockConsumer() {
        super("earliest");
    }

    @Override
    public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        ConsumerRecords<byte[], byte[]> records = super.poll(timeout);
        if (records.isEmpty()) {
            LockSupport.parkNanos(Math.min(timeout.toNanos(), Duration.ofMillis(5).toNanos()));
        }
        return records;
    }

    @Override
    public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
        super.commitSync(offsets);
        offsets.forEach((tp, om) -> lastCommitted.put(tp, om.offset()));
    }

    /** The last offset committed for a partition, or null; works after close too. */
    public Long lastCommitted(TopicPartition tp) {
        return lastCommitted.get(tp);
    }
}
