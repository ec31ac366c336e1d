package io.vmres.connector.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmres.schema.KafkaEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
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
 * (with the status) in the same transaction as the command's result; each entry carries what its
 * command asked for (its fingerprint) and when it was written. Read back before commands are
 * handled: a command {@code DONE} is never run nor answered again; one only {@code STARTED} was in
 * flight at a crash and is in doubt. Entries past the retention are removed (tombstoned, see {@link
 * #expired}); an unreadable one is skipped, counted and logged.
 *
 * <p>Loads are incremental: the reader, once positioned, goes on from where the last load stopped,
 * so a load after an assignment reads only what other replicas wrote since.
 */
final class CommandLedger {
    private static final Logger LOG = LoggerFactory.getLogger(CommandLedger.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(60);

    /** Where a command stands in the ledger. */
    enum State {
        STARTED,
        DONE
    }

    /** What the ledger holds for one command id: its state, when written, what it asked for. */
    record Entry(State state, long ts, String fingerprint) {}

    private final Map<String, Entry> entries = new HashMap<>();
    // Makes the reader of the ledger topic; null for a ledger given as if read already (tests).
    private final Supplier<Consumer<byte[], byte[]>> readerFactory;
    private Consumer<byte[], byte[]> reader; // the poll thread's only
    private long skipped;

    /** A ledger with nothing to read: as if read at start (tests). */
    CommandLedger() {
        this(null);
    }

    /** A ledger read through consumers from {@code readerFactory}, on the poll thread. */
    CommandLedger(Supplier<Consumer<byte[], byte[]>> readerFactory) {
        this.readerFactory = readerFactory;
    }

    /** Whether {@link #load} reads anything. */
    boolean reads() {
        return readerFactory != null;
    }

    /** The state of a command id, if the ledger has one. */
    synchronized Optional<State> state(String commandId) {
        return Optional.ofNullable(entries.get(commandId)).map(Entry::state);
    }

    /** What the command known under this id asked for, when its entry says (null otherwise). */
    synchronized String fingerprint(String commandId) {
        Entry e = entries.get(commandId);
        return e == null ? null : e.fingerprint();
    }

    synchronized void put(String commandId, State state) {
        put(commandId, state, 0, null);
    }

    synchronized void put(String commandId, State state, long ts, String fingerprint) {
        entries.merge(
                commandId,
                new Entry(state, ts, fingerprint),
                (a, b) ->
                        a.state() == State.DONE
                                ? a
                                : new Entry(
                                        b.state(),
                                        Math.max(a.ts(), b.ts()),
                                        b.fingerprint() != null
                                                ? b.fingerprint()
                                                : a.fingerprint()));
    }

    synchronized int size() {
        return entries.size();
    }

    /** Unreadable entries skipped by the loads so far. */
    synchronized long skipped() {
        return skipped;
    }

    /**
     * Takes out the entries written before {@code before} (epoch millis): their commands expired
     * long ago, so they are tombstoned. An entry without a time (written by an older version) gets
     * one when first seen here, so that it expires in its turn.
     */
    synchronized List<String> expired(long before, long now) {
        List<String> out = new ArrayList<>();
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Entry> e = it.next();
            Entry v = e.getValue();
            if (v.ts() <= 0) {
                e.setValue(new Entry(v.state(), now, v.fingerprint()));
            } else if (v.ts() < before) {
                out.add(e.getKey());
                it.remove();
            }
        }
        out.sort(null);
        return out;
    }

    /** The value of a ledger entry: JSON with the state, and the status and detail when done. */
    static byte[] entry(State state, Outcome outcome, long ts) {
        return entry(state, outcome, ts, null);
    }

    /** The same, with what the command asked for. */
    static byte[] entry(State state, Outcome outcome, long ts, String fingerprint) {
        ObjectNode n = JSON.createObjectNode();
        n.put("state", state.name());
        if (outcome != null) {
            n.put("status", outcome.status().name());
            if (outcome.detail() != null) {
                n.put("detail", outcome.detail());
            }
        }
        n.put("ts", ts);
        if (fingerprint != null) {
            n.put("asks", fingerprint);
        }
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static State stateOf(byte[] value) {
        return parse(value).state();
    }

    /** Reads an entry; throws IllegalStateException when it is unreadable. */
    static Entry parse(byte[] value) {
        try {
            JsonNode n = JSON.readTree(value);
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            JsonNode asks = n.get("asks");
            return new Entry(
                    State.valueOf(n.path("state").asText()),
                    n.path("ts").asLong(0),
                    asks == null || asks.isNull() ? null : asks.asText());
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("unreadable ledger entry: " + e.getMessage(), e);
        }
    }

    /** Creates the compacted ledger topic if it is missing. */
    static void ensureTopic(KafkaEndpoint kafka, String topic) throws InterruptedException {
        try (Admin admin = Admin.create(kafka.client(Map.of()))) {
            NewTopic t =
                    new NewTopic(topic, Optional.of(4), Optional.empty())
                            .configs(
                                    Map.of(
                                            TopicConfig.CLEANUP_POLICY_CONFIG,
                                            TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(t)).all().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
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

    /** The reader of a ledger on brokers: committed entries only, no group. */
    static Consumer<byte[], byte[]> reader(KafkaEndpoint kafka, ConnectorOptions options) {
        Map<String, Object> own = new HashMap<>(options.consumerProperties());
        own.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        own.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Properties p = kafka.client(own);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Reads the ledger topic (committed entries only) from where the last load stopped up to its
     * end now, within {@code timeout}. Call after the transactional producer's {@code
     * initTransactions()}, which aborts whatever a predecessor left open, so that the end is where
     * the last run stopped. An unreadable entry is skipped, counted and logged.
     *
     * @return the unreadable entries skipped by this load
     * @throws IllegalStateException when the end is not reached within {@code timeout}: the
     *     commands cannot be handled safely without what the ledger says
     */
    long load(String topic, Duration timeout) {
        if (readerFactory == null) {
            return 0;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        if (reader == null) {
            Consumer<byte[], byte[]> c = readerFactory.get();
            List<PartitionInfo> infos = c.partitionsFor(topic, timeout);
            List<TopicPartition> parts =
                    infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            reader = c;
        }
        Map<TopicPartition, Long> end = reader.endOffsets(reader.assignment(), timeout);
        int read = 0;
        long bad = 0;
        while (!reached(reader, end)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("ledger " + topic + " not read within " + timeout);
            }
            for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
                if (r.key() == null) {
                    continue;
                }
                String id = new String(r.key(), StandardCharsets.UTF_8);
                read++;
                if (r.value() == null) {
                    synchronized (this) {
                        entries.remove(id); // a tombstone: the entry expired
                    }
                    continue;
                }
                Entry e;
                try {
                    e = parse(r.value());
                } catch (IllegalStateException ex) {
                    bad++;
                    LOG.warn(
                            "ledger {}-{}@{}: entry of command {} skipped: {}",
                            r.topic(),
                            r.partition(),
                            r.offset(),
                            id,
                            ex.getMessage());
                    continue;
                }
                put(id, e.state(), e.ts(), e.fingerprint());
            }
        }
        synchronized (this) {
            skipped += bad;
        }
        LOG.info(
                "ledger {}: {} entries read ({} unreadable, skipped), {} commands known",
                topic,
                read,
                bad,
                size());
        return bad;
    }

    /** Closes the reader, if one was opened. */
    void close() {
        if (reader != null) {
            reader.close();
            reader = null;
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
