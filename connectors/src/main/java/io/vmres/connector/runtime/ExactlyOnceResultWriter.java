package io.vmres.connector.runtime;

import io.vmres.schema.AvroCodec;
import io.vmres.schema.CommandResult;
import io.vmres.schema.KafkaEndpoint;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exactly-once mode: every poll round is one Kafka transaction of a transactional producer,
 * holding the {@code STARTED} ledger entries of the commands about to run, the results finished
 * since the last round with their {@code DONE} entries, the dead letters, and the consumer offsets
 * all of these answer. A call begins only once its {@code STARTED} entry is committed, so the
 * {@link CommandLedger} read at start tells what a predecessor answered and what it left in doubt.
 */
final class ExactlyOnceResultWriter implements ResultWriter {
    private static final Logger LOG = LoggerFactory.getLogger(ExactlyOnceResultWriter.class);

    private final Producer<byte[], byte[]> producer;
    private final Consumer<byte[], byte[]> consumer;
    private final PartitionOffsets offsets;
    private final ConnectorOptions options;
    private final ServiceState state;
    private final CommandLedger ledger;
    private final ServiceCounters counters;
    // The Kafka to create the ledger topic on; null with given clients (tests).
    private final KafkaEndpoint kafka;
    // Set by an assignment (in the rebalance callback), loaded by the poll loop before it handles
    // the records of that poll: the callback itself never reads.
    private boolean loadPending;
    private long lastSweepMillis = Long.MIN_VALUE;
    private final AvroCodec codec = new AvroCodec();
    // What workers hand to the next transaction.
    private final ConcurrentLinkedQueue<Out> outbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean nudged = new AtomicBoolean();
    private volatile Thread pollThread;

    ExactlyOnceResultWriter(
            Producer<byte[], byte[]> producer,
            Consumer<byte[], byte[]> consumer,
            PartitionOffsets offsets,
            ConnectorOptions options,
            ServiceState state,
            CommandLedger ledger,
            ServiceCounters counters,
            KafkaEndpoint kafka) {
        this.producer = producer;
        this.consumer = consumer;
        this.offsets = offsets;
        this.options = options;
        this.state = state;
        this.ledger = ledger;
        this.counters = counters;
        this.kafka = kafka;
    }

    @Override
    public void open() throws InterruptedException {
        pollThread = Thread.currentThread();
        if (kafka != null) {
            CommandLedger.ensureTopic(kafka, options.ledgerTopic());
        }
        // Aborts the transaction a crashed predecessor with the same id left open, so that the
        // ledger read next ends where that predecessor's last commit did.
        producer.initTransactions();
    }

    @Override
    public void onAssigned(Collection<TopicPartition> partitions) {
        // What other replicas answered for these partitions until now: read by the poll loop
        // before it handles their commands (beforeHandling), not here in the callback.
        loadPending = ledger.reads();
    }

    @Override
    public void beforeHandling() {
        if (loadPending) {
            loadPending = false;
            counters.ledgerSkipped(ledger.load(options.ledgerTopic(), options.ledgerLoadTimeout()));
        }
    }

    @Override
    public String fingerprint(String commandId) {
        return ledger.fingerprint(commandId);
    }

    @Override
    public Prior prior(String commandId) {
        CommandLedger.State s = ledger.state(commandId).orElse(null);
        if (s == CommandLedger.State.DONE) {
            return Prior.ANSWERED;
        }
        return s == CommandLedger.State.STARTED ? Prior.IN_DOUBT : Prior.NONE;
    }

    @Override
    public boolean recordsStart(CommandJob job) {
        // A command in doubt has its STARTED entry already.
        return !job.inDoubt;
    }

    @Override
    public void startPending() {
        // On the poll thread the round's transaction follows anyway.
        if (Thread.currentThread() != pollThread) {
            nudge();
        }
    }

    @Override
    public void writeResult(
            CommandResult result, Outcome outcome, String fingerprint, List<Delivery> deliveries) {
        outbox.add(
                new Out(
                        options.resultsTopic(),
                        utf8(ResultWriter.keyOf(result)),
                        codec.encode(result),
                        deliveries,
                        result.getCommandId(),
                        outcome,
                        fingerprint));
        nudge();
    }

    @Override
    public void answerAgain(CommandResult earlier, Delivery delivery) {
        LOG.info(
                "command={} event=duplicate answered already: one result only",
                earlier.getCommandId());
        pass(delivery);
    }

    @Override
    public void write(String topic, String key, byte[] value, Delivery delivery) {
        outbox.add(new Out(topic, utf8(key), value, List.of(delivery), null, null, null));
    }

    @Override
    public void pass(Delivery delivery) {
        outbox.add(new Out(null, null, null, List.of(delivery), null, null, null));
    }

    @Override
    public void commitRound(PendingStarts starts) {
        transact(starts);
    }

    @Override
    public void commitBeforeRevoke(Collection<TopicPartition> partitions, PendingStarts starts) {
        if (!state.failed()) {
            transact(starts);
        }
    }

    @Override
    public void commitLast(PendingStarts starts) {
        // The results of the calls that finished while closing. After a failure nothing is
        // committed: what was in flight is in doubt at the next start.
        try {
            if (!state.failed()) {
                transact(starts);
            }
        } finally {
            ledger.close();
        }
    }

    /**
     * Wakes the poll thread for a transaction now (a result to write, a call to start) rather than
     * at the end of its poll timeout; once per round.
     */
    private void nudge() {
        if (nudged.compareAndSet(false, true)) {
            consumer.wakeup();
        }
    }

    /** One transaction, on the poll thread; then the commands whose start it recorded begin. */
    private void transact(PendingStarts starts) {
        nudged.set(false);
        List<Out> outs = new ArrayList<>();
        for (Out o = outbox.poll(); o != null; o = outbox.poll()) {
            outs.add(o);
        }
        List<CommandJob> starting = starts.take();
        List<String> expired = sweep();
        if (outs.isEmpty()
                && starting.isEmpty()
                && expired.isEmpty()
                && offsets.committable().isEmpty()) {
            return;
        }
        try {
            commitTransaction(outs, starting, expired);
        } catch (RuntimeException e) {
            starts.abandon(starting);
            throw e;
        }
        starts.launch(starting);
    }

    /**
     * The ledger entries past their retention, at most once a minute: their commands expired long
     * ago (an expired command is never run), so they are removed with a tombstone.
     */
    private List<String> sweep() {
        long now = options.clock().millis();
        long every = Math.min(60_000, options.ledgerRetention().toMillis());
        if (lastSweepMillis != Long.MIN_VALUE && now - lastSweepMillis < every) {
            return List.of();
        }
        lastSweepMillis = now;
        List<String> expired = ledger.expired(now - options.ledgerRetention().toMillis(), now);
        if (!expired.isEmpty()) {
            counters.ledgerExpired(expired.size());
            LOG.info(
                    "ledger {}: {} entries past their retention {} removed",
                    options.ledgerTopic(),
                    expired.size(),
                    options.ledgerRetention());
        }
        return expired;
    }

    private void commitTransaction(
            List<Out> outs, List<CommandJob> starting, List<String> expired) {
        long ts = options.clock().millis();
        producer.beginTransaction();
        for (String id : expired) {
            producer.send(new ProducerRecord<>(options.ledgerTopic(), utf8(id), null));
        }
        for (CommandJob j : starting) {
            producer.send(
                    new ProducerRecord<>(
                            options.ledgerTopic(),
                            utf8(j.id()),
                            CommandLedger.entry(
                                    CommandLedger.State.STARTED, null, ts, j.fingerprint)));
        }
        for (Out o : outs) {
            if (o.topic != null) {
                producer.send(new ProducerRecord<>(o.topic, o.key, o.value));
            }
            if (o.doneId != null) {
                producer.send(
                        new ProducerRecord<>(
                                options.ledgerTopic(),
                                utf8(o.doneId),
                                CommandLedger.entry(
                                        CommandLedger.State.DONE, o.outcome, ts, o.fingerprint)));
            }
            for (Delivery d : o.deliveries) {
                d.answered(offsets);
            }
        }
        Map<TopicPartition, OffsetAndMetadata> toCommit = offsets.committable();
        if (!toCommit.isEmpty()) {
            producer.sendOffsetsToTransaction(toCommit, consumer.groupMetadata());
        }
        producer.commitTransaction();
        offsets.committed(toCommit);
        for (CommandJob j : starting) {
            ledger.put(j.id(), CommandLedger.State.STARTED, ts, j.fingerprint);
        }
        for (Out o : outs) {
            if (o.doneId != null) {
                ledger.put(o.doneId, CommandLedger.State.DONE, ts, o.fingerprint);
            }
        }
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * What the next transaction writes: a record (none for a delivery passed over), the {@code
     * DONE} ledger entry of a command answered, and the deliveries it answers.
     */
    private record Out(
            String topic,
            byte[] key,
            byte[] value,
            List<Delivery> deliveries,
            String doneId,
            Outcome outcome,
            String fingerprint) {}
}
