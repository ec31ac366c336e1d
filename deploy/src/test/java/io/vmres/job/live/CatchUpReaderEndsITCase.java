package io.vmres.job.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.deploy.runtime.Await;
import io.vmres.deploy.runtime.EmbeddedKafkaExtension;
import io.vmres.deploy.runtime.LiveRuntime;
import io.vmres.engine.ClockRule;
import io.vmres.schema.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.InputStatus;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The reader of {@link CatchUpSource} asks its splits' end offsets of a real broker as it polls,
 * the first time as soon as it has read an append time, then again each time it has read a newer
 * one, each question with the greatest append time read before it went out: a split read up to the
 * end it was told knows that every record still to come was appended after that ({@link
 * CatchUpSource.Split#unreadAppendedAfter()}).
 */
@Tag("slow")
class CatchUpReaderEndsITCase {
    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    private static final TopicPartition TP = new TopicPartition(Topics.HEARTBEAT, 0);

    /** A Kafka reader that reads nothing: the test tells the backlog what was read. */
    private static final class Idle implements SourceReader<Decoded, KafkaPartitionSplit> {
        @Override
        public void start() {}

        @Override
        public InputStatus pollNext(ReaderOutput<Decoded> output) {
            return InputStatus.NOTHING_AVAILABLE;
        }

        @Override
        public List<KafkaPartitionSplit> snapshotState(long checkpointId) {
            return List.of();
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void addSplits(List<KafkaPartitionSplit> splits) {}

        @Override
        public void notifyNoMoreSplits() {}

        @Override
        public void close() {}
    }

    /** Appends a record to {@link #TP}: its append time. */
    private static long append(Producer<byte[], byte[]> producer) throws Exception {
        return producer.send(new ProducerRecord<>(TP.topic(), TP.partition(), null, new byte[] {1}))
                .get()
                .timestamp();
    }

    /**
     * Polls {@code reader} until the split's last answer says {@code appendedAfter} ({@link
     * ClockRule#NO_RECV_TS}: the split is behind its end).
     */
    private static void pollUntil(
            CatchUpSource.Reader reader, CatchUpSource.Split split, long appendedAfter)
            throws Exception {
        Await.await(
                Duration.ofSeconds(60),
                () -> {
                    try {
                        reader.pollNext(null);
                        Thread.sleep(10);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return Optional.of(split.unreadAppendedAfter()).filter(t -> t == appendedAfter);
                },
                () -> "the split's end says " + split.unreadAppendedAfter());
    }

    @Test
    void theReaderAsksTheEndsAtOnceThenAgainWithWhatItReadBefore() throws Exception {
        Properties ask = new Properties();
        ask.setProperty("bootstrap.servers", KAFKA.bootstrapServers());
        CatchUpSource.Backlog backlog = new CatchUpSource.Backlog();
        CatchUpSource.Reader reader =
                new CatchUpSource.Reader(new Idle(), backlog, ask, event -> {});
        try (Producer<byte[], byte[]> producer = LiveRuntime.producer(KAFKA.bootstrapServers())) {
            long first = append(producer);
            long second = append(producer);
            assertThat(second).isGreaterThanOrEqualTo(first).isNotEqualTo(ClockRule.NO_RECV_TS);
            String id = TP.topic() + "-" + TP.partition();
            reader.addSplits(List.of(new KafkaPartitionSplit(TP, 0)));
            CatchUpSource.Split split = backlog.split(id);
            backlog.read(id, 0, first);
            backlog.read(id, 1, second);
            // nothing asked before the reader polls
            assertThat(split.unreadAppendedAfter()).isEqualTo(ClockRule.NO_RECV_TS);
            // the first question goes out with the first poll: the end, 2, and what was read
            pollUntil(reader, split, second);
            // one more record, not read yet: nothing newer read, so not asked again; the answer
            // holds (what comes from offset 2 on was appended after the question)
            long third = append(producer);
            reader.pollNext(null);
            assertThat(reader.endsAsked()).isNull();
            assertThat(split.unreadAppendedAfter()).isEqualTo(second);
            // the third read, a fourth appended meanwhile: behind the end asked after reading the
            // third, nothing known of what is unread
            long fourth = append(producer);
            backlog.read(id, 2, third);
            pollUntil(reader, split, ClockRule.NO_RECV_TS);
            // the fourth read: the next question tells it, with the append time read before it
            backlog.read(id, 3, fourth);
            pollUntil(reader, split, fourth);
        } finally {
            reader.close();
        }
    }
}
