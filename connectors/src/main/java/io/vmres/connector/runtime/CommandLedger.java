package io.vmres.connector.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connector service's durable memory of the commands it ran: a compacted topic keyed by command
 * id, where a {@code STARTED} entry is committed before a call begins and a {@code DONE} entry
 * (with the status) in the same transaction as the command's result. Read back to its end at start:
 * a command {@code DONE} is never run nor answered again; one only {@code STARTED} was in flight at
 * a crash and is in doubt.
 */
final class CommandLedger {
    private static final Logger LOG = LoggerFactory.getLogger(CommandLedger.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LOAD_TIMEOUT = Duration.ofSeconds(60);

    /** Where a command stands in the ledger. */
    enum State {
        STARTED,
        DONE
    }

    private final Map<String, State> states = new HashMap<>();

    /** The state of a command id, if the ledger has one. */
    synchronized Optional<State> state(String commandId) {
        return Optional.ofNullable(states.get(commandId));
    }

    synchronized void put(String commandId, State state) {
        states.merge(commandId, state, (a, b) -> a == State.DONE ? a : b);
    }

    synchronized int size() {
        return states.size();
    }

    /** The value of a ledger entry: JSON with the state, and the status and detail when done. */
    static byte[] entry(State state, Outcome outcome, long ts) {
        ObjectNode n = JSON.createObjectNode();
        n.put("state", state.name());
        if (outcome != null) {
            n.put("status", outcome.status().name());
            if (outcome.detail() != null) {
                n.put("detail", outcome.detail());
            }
        }
        n.put("ts", ts);
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static State stateOf(byte[] value) {
        try {
            JsonNode n = JSON.readTree(value);
            return State.valueOf(n.path("state").asText());
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("unreadable ledger entry: " + e.getMessage(), e);
        }
    }

    /** Creates the compacted ledger topic if it is missing. */
    static void ensureTopic(String bootstrap, String topic) throws InterruptedException {
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            NewTopic t =
                    new NewTopic(topic, Optional.of(4), Optional.empty())
                            .configs(
                                    Map.of(
                                            TopicConfig.CLEANUP_POLICY_CONFIG,
                                            TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(t)).all().get(LOAD_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            LOG.info("created ledger topic {}", topic);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException(
                        "cannot create ledger topic " + topic, e.getCause());
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "cannot create ledger topic " + topic + ": timed out", e);
        }
    }

    /**
     * Reads the whole ledger topic (committed entries only) up to its end. Call after the
     * transactional producer's {@code initTransactions()}, which aborts whatever a predecessor left
     * open, so that the end is where the last run stopped.
     */
    void load(String bootstrap, String topic, Map<String, Object> consumerOverrides) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.putAll(consumerOverrides);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        long deadline = System.nanoTime() + LOAD_TIMEOUT.toNanos();
        try (Consumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = c.partitionsFor(topic, LOAD_TIMEOUT);
            List<TopicPartition> parts =
                    infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, LOAD_TIMEOUT);
            int read = 0;
            while (!reached(c, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "ledger " + topic + " not read within " + LOAD_TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.key() == null || r.value() == null) {
                        continue;
                    }
                    put(new String(r.key(), StandardCharsets.UTF_8), stateOf(r.value()));
                    read++;
                }
            }
            LOG.info("ledger {}: {} entries read, {} commands known", topic, read, size());
        }
    }

    private static boolean reached(Consumer<byte[], byte[]> c, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
