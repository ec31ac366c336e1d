package io.vmres.deploy.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmres.schema.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

@Tag("slow")
class EmbeddedKafkaITCase {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @Test
    void createsEveryTopicWithTheConfiguredPartitions() throws Exception {
        try (Admin admin = admin(KAFKA.bootstrapServers())) {
            Map<String, TopicDescription> topics =
                    admin.describeTopics(Topics.ALL).allTopicNames().get();
            assertThat(topics.keySet()).containsExactlyInAnyOrderElementsOf(Topics.ALL);
            assertThat(topics.values()).allSatisfy(t -> assertThat(t.partitions()).hasSize(4));
        }
        assertThat(KAFKA.bootstrapServers()).startsWith("127.0.0.1:");
        assertThat(KAFKA.kafka().startupTime()).isPositive();
    }

    @Test
    void readCommittedSeesCommittedTransactionsOnly() throws Exception {
        String topic = Topics.COMMANDS;
        try (KafkaProducer<String, String> producer =
                transactionalProducer(KAFKA.bootstrapServers())) {
            producer.initTransactions();
            send(producer, topic, "committed", true);
            send(producer, topic, "aborted", false);
            // A later commit tells the reader it has passed the aborted records.
            send(producer, topic, "end", true);
        }
        List<String> read = readUntil(KAFKA.bootstrapServers(), topic, "end");
        assertThat(read).containsExactly("committed", "end");
    }

    @Test
    void aSecondBrokerRunsBesideTheFirst() throws Exception {
        try (EmbeddedKafka second = EmbeddedKafka.builder().partitions(1).start()) {
            assertThat(second.port()).isNotEqualTo(KAFKA.kafka().port());
            try (KafkaProducer<String, String> producer =
                    transactionalProducer(second.bootstrapServers())) {
                producer.initTransactions();
                send(producer, Topics.ALERTS, "only-on-second", true);
            }
            assertThat(readUntil(second.bootstrapServers(), Topics.ALERTS, "only-on-second"))
                    .containsExactly("only-on-second");
            try (Admin admin = admin(KAFKA.bootstrapServers())) {
                assertThat(admin.describeCluster().clusterId().get())
                        .isNotEqualTo(clusterId(second.bootstrapServers()));
            }
        }
    }

    @Test
    void aKeptDataFolderSurvivesARestart(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("kafka");
        try (EmbeddedKafka first = EmbeddedKafka.builder().dataDir(data).partitions(1).start();
                KafkaProducer<String, String> producer =
                        transactionalProducer(first.bootstrapServers())) {
            producer.initTransactions();
            send(producer, Topics.INCIDENTS, "before-restart", true);
        }
        assertThat(data).isDirectory();
        try (EmbeddedKafka again = EmbeddedKafka.builder().dataDir(data).partitions(1).start()) {
            assertThat(readUntil(again.bootstrapServers(), Topics.INCIDENTS, "before-restart"))
                    .containsExactly("before-restart");
        }
        assertThat(data.resolve("meta.properties")).exists();
    }

    @Test
    void closeStopsEveryThreadAndDeletesTheTemporaryFolder() throws Exception {
        Set<Thread> before = liveNonDaemonThreads();
        EmbeddedKafka kafka = EmbeddedKafka.builder().partitions(1).start();
        Path data = kafka.dataDir();
        assertThat(data).isDirectory();
        kafka.close();
        kafka.close(); // a second close is harmless
        assertThat(data).doesNotExist();
        // Threads may end a moment after the shutdown returns: wait for each, to one deadline.
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        for (Thread t : leftOver(before)) {
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        assertThat(leftOver(before)).as("non-daemon threads left by the broker").isEmpty();
    }

    @Test
    void aTakenPortIsToldClearly() {
        int taken = KAFKA.kafka().port();
        assertThatThrownBy(() -> EmbeddedKafka.builder().port(taken).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("port " + taken);
    }

    private static Set<Thread> leftOver(Set<Thread> before) {
        Set<Thread> now = liveNonDaemonThreads();
        now.removeAll(before);
        return now;
    }

    private static Set<Thread> liveNonDaemonThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(Predicate.not(Thread::isDaemon))
                .collect(Collectors.toSet());
    }

    private static String clusterId(String bootstrap) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            return admin.describeCluster().clusterId().get();
        }
    }

    private static Admin admin(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(p);
    }

    private static KafkaProducer<String, String> transactionalProducer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-" + UUID.randomUUID());
        // What Flink's exactly-once sink asks for; the broker must allow it.
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) Duration.ofMinutes(10).toMillis());
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static void send(
            KafkaProducer<String, String> producer, String topic, String value, boolean commit)
            throws Exception {
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(topic, 0, "h1", value)).get();
        if (commit) {
            producer.commitTransaction();
        } else {
            producer.abortTransaction();
        }
    }

    private static List<String> readUntil(String bootstrap, String topic, String last) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> read = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (!read.contains(last)) {
                assertThat(System.nanoTime())
                        .as("read %s before the deadline", last)
                        .isLessThan(deadline);
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    read.add(r.value());
                }
            }
        }
        return read;
    }
}
