package io.vmres.connector.runtime;

import io.vmres.schema.AvroCodec;
import io.vmres.schema.Command;
import io.vmres.schema.DeadLetter;
import io.vmres.schema.DeadLetters;
import io.vmres.schema.sign.Verdict;
import java.time.Instant;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll thread: reads commands, sends what is no command to the dead-letter topic and the rest
 * to the {@link CommandDispatcher}, has the {@link ResultWriter} commit at the end of every poll
 * round and before partitions are given up, and pauses fetching while the queue is long. The only
 * thread that touches the consumer (but for {@code wakeup}).
 */
final class CommandPoller {
    private static final Logger LOG = LoggerFactory.getLogger(CommandPoller.class);

    private final Consumer<byte[], byte[]> consumer;
    private final PartitionOffsets offsets;
    private final CommandDispatcher dispatcher;
    private final ResultWriter writer;
    private final ServiceCounters counters;
    private final ServiceState state;
    private final ConnectorOptions options;
    private final AvroCodec codec = new AvroCodec();
    private final Thread thread;

    /** Threads that check the signatures of a poll's commands side by side. */
    private static final int VERIFIERS = Math.max(2, Runtime.getRuntime().availableProcessors());

    /** Made when first needed; the poll thread's only. */
    private ExecutorService verifiers;

    CommandPoller(
            Consumer<byte[], byte[]> consumer,
            PartitionOffsets offsets,
            CommandDispatcher dispatcher,
            ResultWriter writer,
            ServiceCounters counters,
            ServiceState state,
            ConnectorOptions options) {
        this.consumer = consumer;
        this.offsets = offsets;
        this.dispatcher = dispatcher;
        this.writer = writer;
        this.counters = counters;
        this.state = state;
        this.options = options;
        this.thread = new Thread(this::pollLoop, options.clientId() + "-poll");
    }

    void start() {
        thread.start();
    }

    /** Wakes the poll thread from its poll (close, a failure). */
    void wakeup() {
        consumer.wakeup();
    }

    /** Waits at most {@code millis} for the poll thread to end. */
    void join(long millis) throws InterruptedException {
        thread.join(millis);
    }

    boolean isAlive() {
        return thread.isAlive();
    }

    private void pollLoop() {
        try {
            writer.open();
            consumer.subscribe(List.of(options.commandsTopic()), new Rebalance());
            while (!state.stopping()) {
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(options.pollTimeout());
                } catch (WakeupException e) {
                    // close() or a fatal send error woke us (the loop condition decides), or the
                    // writer did, with work for the round's commit (exactly-once mode).
                    if (state.stopping()) {
                        continue;
                    }
                    records = ConsumerRecords.empty();
                }
                // An assignment in that poll asked for the ledger: read it before its commands.
                writer.beforeHandling();
                Map<ConsumerRecord<byte[], byte[]>, Future<Verdict>> verdicts = verify(records);
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    handleOne(r, verdicts.get(r));
                }
                writer.commitRound(dispatcher);
                applyBackpressure();
            }
            dispatcher.drain();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            state.fail(e);
        } catch (Throwable e) {
            // Whatever ends the loop ends the service, told (isRunning false, failure() set, the
            // command exits non-zero): never a live process whose poll thread is gone.
            state.fail(e);
        } finally {
            finish();
        }
    }

    /**
     * One record: a record that breaks something past decoding is a dead letter too, never the end
     * of the loop (it would be read again after a restart, and stop the connector again).
     */
    private void handleOne(ConsumerRecord<byte[], byte[]> r, Future<Verdict> verdict) {
        counters.received();
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        Delivery delivery = new Delivery(tp, offsets.track(tp, r.offset()), r.offset());
        try {
            handle(r, delivery, verdict);
        } catch (RuntimeException e) {
            if (state.stopping()) {
                throw e;
            }
            LOG.warn("command at {}-{}@{} fails: {}", r.topic(), r.partition(), r.offset(), e);
            deadLetter(r, delivery, e.toString());
        }
    }

    /**
     * The signatures of the commands of one poll, checked on the verifier threads side by side (an
     * Ed25519 verification is about a millisecond of CPU, and a rack's failure brings hundreds of
     * commands at once); none when commands are not signed or the poll brought fewer than two
     * records. A record that does not decode to a command gets none: it is judged as before.
     */
    private Map<ConsumerRecord<byte[], byte[]>, Future<Verdict>> verify(
            ConsumerRecords<byte[], byte[]> records) {
        if (options.signing() == null || records.count() < 2) {
            return Map.of();
        }
        Map<ConsumerRecord<byte[], byte[]>, Future<Verdict>> verdicts = new IdentityHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            SpecificRecord decoded;
            try {
                decoded = codec.decode(r.value());
            } catch (AvroCodec.BadRecordException | RuntimeException e) {
                continue; // handled in order, as any record that does not decode
            }
            if (decoded instanceof Command c) {
                verdicts.put(r, verifiers().submit(() -> dispatcher.verify(c)));
            }
        }
        return verdicts;
    }

    private ExecutorService verifiers() {
        if (verifiers == null) {
            AtomicInteger n = new AtomicInteger();
            verifiers =
                    Executors.newFixedThreadPool(
                            VERIFIERS,
                            task -> {
                                Thread t =
                                        new Thread(
                                                task,
                                                options.clientId()
                                                        + "-verify-"
                                                        + n.incrementAndGet());
                                t.setDaemon(true);
                                return t;
                            });
        }
        return verifiers;
    }

    /** The verdict checked ahead, as if checked here: its failure is thrown here. */
    private static Verdict verdict(Future<Verdict> f) {
        if (f == null) {
            return null;
        }
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for a signature check", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private void handle(
            ConsumerRecord<byte[], byte[]> r, Delivery delivery, Future<Verdict> verdict) {
        SpecificRecord decoded;
        try {
            decoded = codec.decode(r.value());
        } catch (AvroCodec.BadRecordException e) {
            deadLetter(r, delivery, e.getMessage());
            return;
        }
        if (!(decoded instanceof Command)) {
            deadLetter(r, delivery, "expected a Command, got a " + decoded.getSchema().getName());
            return;
        }
        dispatcher.submit((Command) decoded, delivery, verdict(verdict));
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> r, Delivery delivery, String reason) {
        counters.deadLetter();
        String where = r.topic() + "-" + r.partition() + "@" + r.offset();
        LOG.warn("undecodable command at {}: {}", where, reason);
        DeadLetter dl =
                DeadLetters.of(
                        r.topic(),
                        null,
                        reason + " (at " + where + ")",
                        r.value(),
                        Instant.ofEpochMilli(options.clock().millis()));
        writer.write(options.deadLetterTopic(), r.topic(), codec.encode(dl), delivery);
    }

    private void applyBackpressure() {
        int queued = dispatcher.queued();
        if (queued > options.maxQueued()) {
            consumer.pause(consumer.assignment());
        } else if (queued <= options.maxQueued() / 2 && !consumer.paused().isEmpty()) {
            consumer.resume(consumer.paused());
        }
    }

    private void finish() {
        try {
            writer.commitLast(dispatcher);
        } catch (RuntimeException e) {
            state.fail(e);
        } finally {
            if (verifiers != null) {
                verifiers.shutdownNow();
            }
            consumer.close();
        }
    }

    /** Commits what is answered before giving partitions up; forgets the rest. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            writer.commitBeforeRevoke(partitions, dispatcher);
            release(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            LOG.info("assigned {}", partitions);
            writer.onAssigned(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            release(partitions);
        }

        private void release(Collection<TopicPartition> partitions) {
            offsets.forget(partitions);
            dispatcher.dropQueued(partitions);
        }
    }
}
