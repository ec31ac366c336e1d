package io.vmres.connector.runtime;

import io.vmres.schema.AvroCodec;
import io.vmres.schema.Command;
import io.vmres.schema.CommandResult;
import io.vmres.schema.CommandStatus;
import io.vmres.schema.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the job's commands against a {@link HypervisorConnector} and writes their results: reads
 * {@code Command}s (committed records only), runs them on a thread pool within in-flight limits per
 * target and overall, answers each with a {@code CommandResult}, and commits an offset only once
 * every command up to it is answered. A command id seen before is answered again with the earlier
 * result instead of running twice; a record that is no command goes to the dead-letter topic.
 *
 * <pre>{@code
 * HypervisorConnector connector = SimulatedHypervisor.builder(fleet).build();
 * ConnectorService service =
 *     new ConnectorService("localhost:9092", connector, ConnectorOptions.defaults()).start();
 * ...
 * service.close(); // stops reading, waits (bounded) for the calls in flight
 * }</pre>
 */
public final class ConnectorService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectorService.class);

    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> producer;
    private final boolean ownsProducer;
    private final HypervisorConnector connector;
    private final ConnectorOptions options;
    private final AvroCodec codec = new AvroCodec();
    private final PartitionOffsets offsets = new PartitionOffsets();
    // Exactly-once mode: the durable ledger, the brokers to read it from (null with given clients),
    // what workers hand to the next transaction, and the commands given a slot whose STARTED entry
    // the next transaction commits before their call begins (guarded by lock).
    private final CommandLedger ledger;
    private final String bootstrap;
    private final ConcurrentLinkedQueue<Out> outbox = new ConcurrentLinkedQueue<>();
    private final List<Job> toStart = new ArrayList<>();
    private final AtomicBoolean nudged = new AtomicBoolean();

    // Scheduling state, guarded by lock: the poll thread adds, workers and the watchdog finish.
    private final Object lock = new Object();
    private final LinkedList<Job> queue = new LinkedList<>();
    private final Map<String, Job> active = new HashMap<>();
    private final Map<String, Integer> runningPerTarget = new HashMap<>();
    private final Map<String, CommandResult> answered;
    private int running;

    private final ExecutorService workers;
    private final ScheduledExecutorService watchdog;
    private final Thread pollThread;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean closed;
    private volatile long closeDeadlineNanos = Long.MAX_VALUE;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong run = new AtomicLong();
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong deadLetters = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong inDoubt = new AtomicLong();
    private final AtomicLong latencyTotalMillis = new AtomicLong();
    private final AtomicLong latencyMaxMillis = new AtomicLong();

    /**
     * A service with its own consumer ({@code read_committed}, manual commits, group {@link
     * ConnectorOptions#groupId()}) and idempotent producer on the given brokers; in {@link
     * ConnectorOptions#exactlyOnce()} mode the producer is transactional and the service reads its
     * ledger from these brokers at start.
     */
    public ConnectorService(
            String bootstrapServers, HypervisorConnector connector, ConnectorOptions options) {
        this(
                new KafkaConsumer<>(consumerConfig(bootstrapServers, options)),
                new KafkaProducer<>(producerConfig(bootstrapServers, options)),
                true,
                bootstrapServers,
                connector,
                options,
                null);
    }

    /**
     * A service on given clients (tests use {@code MockConsumer} and {@code MockProducer}). The
     * consumer must read committed records with auto-commit off; the service subscribes it, uses it
     * from its own thread only and closes it. The producer is the caller's: flushed, never closed.
     */
    public ConnectorService(
            Consumer<byte[], byte[]> consumer,
            Producer<byte[], byte[]> producer,
            HypervisorConnector connector,
            ConnectorOptions options) {
        this(consumer, producer, false, null, connector, options, null);
    }

    /** Given clients and a ledger as if read at start (exactly-once mode): for tests. */
    ConnectorService(
            Consumer<byte[], byte[]> consumer,
            Producer<byte[], byte[]> producer,
            HypervisorConnector connector,
            ConnectorOptions options,
            CommandLedger ledger) {
        this(consumer, producer, false, null, connector, options, ledger);
    }

    private ConnectorService(
            Consumer<byte[], byte[]> consumer,
            Producer<byte[], byte[]> producer,
            boolean ownsProducer,
            String bootstrap,
            HypervisorConnector connector,
            ConnectorOptions options,
            CommandLedger ledger) {
        this.bootstrap = bootstrap;
        this.ledger = !options.exactlyOnce() ? null : ledger != null ? ledger : new CommandLedger();
        this.consumer = consumer;
        this.producer = producer;
        this.ownsProducer = ownsProducer;
        this.connector = connector;
        this.options = options;
        int remembered = options.rememberedResults();
        this.answered =
                new LinkedHashMap<>() {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, CommandResult> eldest) {
                        return size() > remembered;
                    }
                };
        this.workers = Executors.newCachedThreadPool(threads(options.clientId() + "-call-"));
        this.watchdog =
                Executors.newSingleThreadScheduledExecutor(
                        threads(options.clientId() + "-timeout-"));
        this.pollThread = new Thread(this::pollLoop, options.clientId() + "-poll");
    }

    /** Starts consuming; returns at once. */
    public ConnectorService start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("already started");
        }
        pollThread.start();
        return this;
    }

    /**
     * Stops consuming and waits up to {@link ConnectorOptions#closeTimeout()} for calls in flight.
     */
    @Override
    public void close() {
        close(options.closeTimeout());
    }

    /**
     * Stops consuming, drops the commands not started yet (their offsets stay uncommitted, so they
     * are read again after a restart or by another replica), waits up to {@code timeout} for the
     * calls in flight and writes their results, commits, and closes the consumer. Calls still
     * running after that are interrupted and left unanswered (and uncommitted).
     */
    public void close(Duration timeout) {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closeDeadlineNanos = System.nanoTime() + timeout.toNanos();
        stopping.set(true);
        if (started.get()) {
            consumer.wakeup();
            try {
                // The poll thread waits for the calls until the deadline, then needs a moment to
                // commit.
                pollThread.join(timeout.toMillis() + 10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (pollThread.isAlive()) {
                LOG.warn("connector poll thread still running after close timeout {}", timeout);
            }
        } else {
            consumer.close();
        }
        closed = true;
        workers.shutdownNow();
        watchdog.shutdownNow();
        if (ownsProducer) {
            producer.close(Duration.ofSeconds(10));
        }
    }

    /** Whether the service reads commands: started, not closing, not failed. */
    public boolean isRunning() {
        return started.get() && !stopping.get() && pollThread.isAlive();
    }

    /** The error that stopped the service, if one did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    public ConnectorCounters counters() {
        int queued;
        int inFlight;
        synchronized (lock) {
            queued = queue.size();
            inFlight = running;
        }
        return new ConnectorCounters(
                received.get(),
                run.get(),
                inFlight,
                queued,
                succeeded.get(),
                failed.get(),
                timedOut.get(),
                duplicates.get(),
                deadLetters.get(),
                retries.get(),
                inDoubt.get(),
                skipped.get(),
                latencyTotalMillis.get(),
                latencyMaxMillis.get());
    }

    // ---- poll thread ----

    private void pollLoop() {
        try {
            if (ledger != null) {
                if (bootstrap != null) {
                    CommandLedger.ensureTopic(bootstrap, options.ledgerTopic());
                }
                // Aborts the transaction a crashed predecessor with the same id left open, so that
                // the
                // ledger read next ends where that predecessor's last commit did.
                producer.initTransactions();
            }
            consumer.subscribe(List.of(options.commandsTopic()), new Rebalance());
            while (!stopping.get()) {
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(options.pollTimeout());
                } catch (WakeupException e) {
                    // close() or a fatal send error woke us (the loop condition decides), or, in
                    // exactly-once mode, work for the next transaction.
                    if (stopping.get() || ledger == null) {
                        continue;
                    }
                    records = ConsumerRecords.empty();
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    handle(r);
                }
                if (ledger != null) {
                    transact();
                } else {
                    commit(offsets.committable());
                }
                applyBackpressure();
            }
            drain();
        } catch (RuntimeException e) {
            fail(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(e);
        } finally {
            finish();
        }
    }

    /**
     * Exactly-once mode, on the poll thread: one Kafka transaction with the {@code STARTED} ledger
     * entries of the commands about to run, the results (and {@code DONE} entries) handed over by
     * the workers, the dead letters, and the consumer offsets all of these answer.
     */
    private void transact() {
        nudged.set(false);
        List<Out> outs = new ArrayList<>();
        for (Out o = outbox.poll(); o != null; o = outbox.poll()) {
            outs.add(o);
        }
        List<Job> starting;
        synchronized (lock) {
            starting = new ArrayList<>(toStart);
            toStart.clear();
        }
        if (outs.isEmpty() && starting.isEmpty() && offsets.committable().isEmpty()) {
            return;
        }
        try {
            commitTransaction(outs, starting);
        } catch (RuntimeException e) {
            abandon(starting);
            throw e;
        }
        synchronized (lock) {
            for (Job j : starting) {
                launch(j);
            }
        }
    }

    private void commitTransaction(List<Out> outs, List<Job> starting) {
        long ts = options.clock().millis();
        producer.beginTransaction();
        for (Job j : starting) {
            producer.send(
                    new ProducerRecord<>(
                            options.ledgerTopic(),
                            utf8(j.command.getCommandId()),
                            CommandLedger.entry(CommandLedger.State.STARTED, null, ts)));
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
                                CommandLedger.entry(CommandLedger.State.DONE, o.outcome, ts)));
            }
            for (Delivery d : o.deliveries) {
                offsets.done(d.tp, d.token, d.offset);
            }
        }
        Map<TopicPartition, OffsetAndMetadata> toCommit = offsets.committable();
        if (!toCommit.isEmpty()) {
            producer.sendOffsetsToTransaction(toCommit, consumer.groupMetadata());
        }
        producer.commitTransaction();
        offsets.committed(toCommit);
        for (Job j : starting) {
            ledger.put(j.command.getCommandId(), CommandLedger.State.STARTED);
        }
        for (Out o : outs) {
            if (o.doneId != null) {
                ledger.put(o.doneId, CommandLedger.State.DONE);
            }
        }
    }

    /**
     * Gives back the slots of commands that got one but will not run (closing, or their STARTED
     * entry not committed): left unanswered, to be read again.
     */
    private void abandon(List<Job> jobs) {
        if (jobs.isEmpty()) {
            return;
        }
        synchronized (lock) {
            for (Job j : jobs) {
                j.done.set(true);
                active.remove(j.command.getCommandId());
                releaseSlotLocked(j);
            }
            lock.notifyAll();
        }
        LOG.info("{} commands not started are left to be read again", jobs.size());
    }

    /**
     * Exactly-once mode: wakes the poll thread for a transaction now (a result to write, a call to
     * start) rather than at the end of its poll timeout; once per round.
     */
    private void nudge() {
        if (ledger != null && nudged.compareAndSet(false, true)) {
            consumer.wakeup();
        }
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private void handle(ConsumerRecord<byte[], byte[]> r) {
        received.incrementAndGet();
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        Delivery delivery = new Delivery(tp, offsets.track(tp, r.offset()), r.offset());
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
        accept((Command) decoded, delivery);
    }

    private void accept(Command command, Delivery delivery) {
        String id = command.getCommandId();
        CommandResult earlier;
        synchronized (lock) {
            earlier = answered.get(id);
            if (ledger != null && earlier == null && !active.containsKey(id)) {
                CommandLedger.State state = ledger.state(id).orElse(null);
                if (state == CommandLedger.State.DONE) {
                    // Answered before a restart, in the transaction that wrote its result: never
                    // again.
                    duplicates.incrementAndGet();
                    LOG.info(
                            "command={} event=duplicate answered before a restart: not answered again",
                            id);
                    outbox.add(new Out(null, null, null, List.of(delivery), null, null));
                    return;
                }
                if (state == CommandLedger.State.STARTED) {
                    inDoubt.incrementAndGet();
                    LOG.warn("command={} event=in-doubt started before a restart, no result", id);
                    Request request;
                    try {
                        request = Request.of(command);
                    } catch (IllegalArgumentException | NullPointerException e) {
                        request = null;
                    }
                    if (request != null) {
                        Job job = new Job(command, request, delivery);
                        job.inDoubt = true;
                        active.put(id, job);
                        queue.add(job);
                        dispatchLocked();
                        return;
                    }
                }
            }
            if (earlier == null) {
                Job same = active.get(id);
                if (same != null) {
                    // Running or queued: this delivery gets the same answer when it comes.
                    duplicates.incrementAndGet();
                    same.deliveries.add(delivery);
                    return;
                }
                Request request;
                try {
                    request = Request.of(command);
                } catch (IllegalArgumentException | NullPointerException e) {
                    // It has an id, so the job gets an answer rather than a dead letter.
                    LOG.warn("invalid command {}: {}", id, e.getMessage());
                    Job invalid = new Job(command, null, delivery);
                    active.put(id, invalid);
                    Outcome answer = Outcome.failed("invalid command: " + e.getMessage());
                    workers.execute(() -> complete(invalid, answer));
                    return;
                }
                if (!connector.handles(request)) {
                    // Another connector's command: nothing to run, nothing to answer.
                    skipped.incrementAndGet();
                    if (ledger != null) {
                        outbox.add(new Out(null, null, null, List.of(delivery), null, null));
                    } else {
                        offsets.done(delivery.tp, delivery.token, delivery.offset);
                    }
                    return;
                }
                Job job = new Job(command, request, delivery);
                active.put(id, job);
                queue.add(job);
                dispatchLocked();
                return;
            }
        }
        duplicates.incrementAndGet();
        if (ledger != null) {
            LOG.info("command={} event=duplicate answered already: one result only", id);
            outbox.add(new Out(null, null, null, List.of(delivery), null, null));
            return;
        }
        LOG.info("command {} seen before, answered again with {}", id, earlier.getStatus());
        send(earlier, List.of(delivery));
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> r, Delivery delivery, String reason) {
        deadLetters.incrementAndGet();
        String where = r.topic() + "-" + r.partition() + "@" + r.offset();
        LOG.warn("undecodable command at {}: {}", where, reason);
        DeadLetter dl =
                DeadLetter.newBuilder()
                        .setSource(r.topic())
                        .setReason(reason + " (at " + where + ")")
                        .setRaw(
                                r.value() == null
                                        ? ""
                                        : Base64.getEncoder().encodeToString(r.value()))
                        .setTs(now())
                        .build();
        write(options.deadLetterTopic(), r.topic(), codec.encode(dl), delivery);
    }

    private void applyBackpressure() {
        int queued;
        synchronized (lock) {
            queued = queue.size();
        }
        if (queued > options.maxQueued()) {
            consumer.pause(consumer.assignment());
        } else if (queued <= options.maxQueued() / 2 && !consumer.paused().isEmpty()) {
            consumer.resume(consumer.paused());
        }
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

    /** Drops queued commands and waits (until the close deadline) for the calls in flight. */
    private void drain() {
        if (ledger != null) {
            List<Job> notStarted;
            synchronized (lock) {
                notStarted = new ArrayList<>(toStart);
                toStart.clear();
            }
            abandon(notStarted);
        }
        synchronized (lock) {
            for (Job j : queue) {
                active.remove(j.command.getCommandId());
            }
            if (!queue.isEmpty()) {
                LOG.info(
                        "closing: {} commands not started are left to be read again", queue.size());
            }
            queue.clear();
            while (running > 0) {
                long left = closeDeadlineNanos - System.nanoTime();
                if (left <= 0) {
                    LOG.warn("closing: {} calls still running are left unanswered", running);
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
    }

    private void finish() {
        try {
            if (ledger != null) {
                // The last transaction: results of the calls that finished while closing. After a
                // failure nothing is committed: what was in flight is in doubt at the next start.
                if (failure.get() == null) {
                    transact();
                }
                return;
            }
            // Flush so that the results written so far are acknowledged and their offsets
            // committed.
            producer.flush();
            commit(offsets.committable());
        } catch (RuntimeException e) {
            fail(e);
        } finally {
            consumer.close();
        }
    }

    /** Commits what is answered before giving partitions up; forgets the rest. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (ledger != null) {
                if (failure.get() == null) {
                    transact();
                }
                release(partitions);
                return;
            }
            // Results handed to the producer but not acknowledged yet would not count: wait for
            // them,
            // so that the new owner does not run those commands again.
            producer.flush();
            commit(offsets.committable(partitions));
            release(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            LOG.info("assigned {}", partitions);
            if (ledger != null && bootstrap != null) {
                // What other replicas answered for these partitions until now.
                ledger.load(bootstrap, options.ledgerTopic(), options.consumerProperties());
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            release(partitions);
        }

        private void release(Collection<TopicPartition> partitions) {
            offsets.forget(partitions);
            synchronized (lock) {
                // A queued command read only from these partitions is read again by their new
                // owner.
                Iterator<Job> it = queue.iterator();
                while (it.hasNext()) {
                    Job j = it.next();
                    j.deliveries.removeIf(d -> partitions.contains(d.tp));
                    if (j.deliveries.isEmpty()) {
                        it.remove();
                        active.remove(j.command.getCommandId());
                    }
                }
            }
        }
    }

    // ---- scheduling, workers, watchdog ----

    /** Starts queued jobs, oldest first, while their target and the service have room. */
    private void dispatchLocked() {
        if (stopping.get()) {
            return; // closing: what is not started yet is left to be read again
        }
        Iterator<Job> it = queue.iterator();
        while (it.hasNext() && running < options.maxInFlight()) {
            Job j = it.next();
            String key = j.request.limitKey();
            int n = runningPerTarget.getOrDefault(key, 0);
            if (n >= options.maxInFlightPerTarget()) {
                continue;
            }
            it.remove();
            runningPerTarget.put(key, n + 1);
            running++;
            j.holdsSlot = true;
            if (ledger != null && !j.inDoubt && !expired(j)) {
                toStart.add(j); // the poll thread commits its STARTED entry, then launches it
                if (Thread.currentThread() != pollThread) {
                    nudge();
                }
                continue;
            }
            launch(j);
        }
    }

    private boolean expired(Job j) {
        Duration left = timeLeft(j.command);
        return left.isNegative() || left.isZero();
    }

    /** Starts the call of a job holding a slot, with its watchdog; or answers it expired. */
    private void launch(Job j) {
        j.startedNanos = System.nanoTime();
        Duration left = timeLeft(j.command);
        if (left.isNegative() || left.isZero()) {
            workers.execute(() -> complete(j, Outcome.timedOut("expired before it ran")));
            return;
        }
        j.future = workers.submit(() -> call(j, left));
        j.timer = watchdog.schedule(() -> onTimeout(j, left), left.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void releaseSlotLocked(Job j) {
        if (j.holdsSlot) {
            j.holdsSlot = false;
            String key = j.request.limitKey();
            runningPerTarget.merge(key, -1, Integer::sum);
            runningPerTarget.remove(key, 0);
            running--;
        }
    }

    private Duration timeLeft(Command command) {
        if (!options.timeoutFromCommandTs()) {
            return options.commandTimeout();
        }
        long deadline = command.getTs().toEpochMilli() + options.commandTimeout().toMillis();
        return Duration.ofMillis(deadline - options.clock().millis());
    }

    private void call(Job j, Duration timeout) {
        run.incrementAndGet();
        Outcome outcome;
        long deadline = System.nanoTime() + timeout.toNanos();
        Duration backoff = options.retryBackoff();
        try {
            while (true) {
                Duration left = Duration.ofNanos(deadline - System.nanoTime());
                try {
                    outcome =
                            j.inDoubt
                                    ? connector.runInDoubt(j.request, left)
                                    : connector.run(j.request, left);
                    break;
                } catch (TransientException e) {
                    // Retry only if the wait and a call of about the same length still fit.
                    Duration stillLeft = Duration.ofNanos(deadline - System.nanoTime());
                    if (stillLeft.compareTo(backoff.multipliedBy(2)) <= 0) {
                        outcome =
                                Outcome.failed(
                                        "transient error, no time left to retry: "
                                                + e.getMessage());
                        break;
                    }
                    retries.incrementAndGet();
                    LOG.info(
                            "command={} event=retry backoffMillis={} error=\"{}\"",
                            j.command.getCommandId(),
                            backoff.toMillis(),
                            e.getMessage());
                    Thread.sleep(backoff.toMillis());
                    backoff = min(backoff.multipliedBy(2), options.maxRetryBackoff());
                }
            }
            if (outcome == null) {
                outcome = Outcome.failed("connector gave no outcome");
            }
        } catch (InterruptedException e) {
            if (!j.done.get()) {
                // Interrupted by close, not by our timeout: leave it unanswered, to be read again.
                LOG.warn(
                        "call for command {} interrupted before it finished",
                        j.command.getCommandId());
            }
            Thread.currentThread().interrupt();
            return;
        } catch (RuntimeException e) {
            LOG.warn("connector failed on command {}", j.command.getCommandId(), e);
            outcome = Outcome.failed("connector error: " + e);
        }
        complete(j, outcome);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private void onTimeout(Job j, Duration timeout) {
        if (complete(j, Outcome.timedOut("no answer within " + timeout))) {
            j.future.cancel(true);
        }
    }

    /** Answers a job once (the call or the watchdog, whichever is first) and starts the next. */
    private boolean complete(Job j, Outcome outcome) {
        if (!j.done.compareAndSet(false, true)) {
            return false;
        }
        if (closed) {
            LOG.warn(
                    "command {} answered {} after close: not written",
                    j.command.getCommandId(),
                    outcome);
            return true;
        }
        CommandResult result =
                CommandResult.newBuilder()
                        .setCommandId(j.command.getCommandId())
                        .setStatus(CommandStatus.valueOf(outcome.status().name()))
                        .setDetail(outcome.detail())
                        .setCluster(j.command.getCluster())
                        .setHost(j.command.getHost())
                        .setTs(now())
                        .build();
        List<Delivery> deliveries;
        synchronized (lock) {
            if (j.timer != null) {
                j.timer.cancel(false);
            }
            // From here on a redelivery is answered from the record, not attached to this job.
            active.remove(j.command.getCommandId());
            answered.put(j.command.getCommandId(), result);
            deliveries = new ArrayList<>(j.deliveries);
        }
        switch (outcome.status()) {
            case SUCCEEDED:
                succeeded.incrementAndGet();
                break;
            case FAILED:
                failed.incrementAndGet();
                break;
            default:
                timedOut.incrementAndGet();
        }
        long millis =
                j.startedNanos == 0
                        ? 0
                        : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - j.startedNanos);
        latencyTotalMillis.addAndGet(millis);
        latencyMaxMillis.accumulateAndGet(millis, Math::max);
        LOG.info(
                "command={} action={} target={} status={} millis={} inDoubt={} detail=\"{}\"",
                j.command.getCommandId(),
                j.command.getAction(),
                j.request == null ? j.command.getHost() : j.request.limitKey(),
                outcome.status(),
                millis,
                j.inDoubt,
                outcome.detail() == null ? "" : outcome.detail());
        if (ledger != null) {
            String key = result.getCluster() != null ? result.getCluster() : result.getHost();
            outbox.add(
                    new Out(
                            options.resultsTopic(),
                            utf8(key),
                            codec.encode(result),
                            deliveries,
                            j.command.getCommandId(),
                            outcome));
            nudge();
        } else {
            send(result, deliveries);
        }
        // The slot is given back only once the result is handed to the producer, so that close,
        // which waits for the slots, then flushes and commits, never misses a result.
        synchronized (lock) {
            releaseSlotLocked(j);
            dispatchLocked();
            lock.notifyAll();
        }
        return true;
    }

    private void send(CommandResult result, List<Delivery> deliveries) {
        // Keyed by cluster so that one cluster's results stay in order; by host when the command
        // named no cluster.
        String key = result.getCluster() != null ? result.getCluster() : result.getHost();
        byte[] value = codec.encode(result);
        for (Delivery d : deliveries) {
            write(options.resultsTopic(), key, value, d);
        }
    }

    private void write(String topic, String key, byte[] value, Delivery d) {
        byte[] k = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        if (ledger != null) {
            outbox.add(new Out(topic, k, value, List.of(d), null, null));
            return;
        }
        try {
            producer.send(
                    new ProducerRecord<>(topic, k, value),
                    (md, e) -> {
                        if (e == null) {
                            offsets.done(d.tp, d.token, d.offset);
                        } else {
                            fail(e);
                        }
                    });
        } catch (KafkaException | IllegalStateException e) {
            fail(e);
        }
    }

    /**
     * A write that failed after the producer's own retries cannot be answered later: stop, and
     * leave its offset uncommitted so that the command is read again after a restart.
     */
    private void fail(Throwable e) {
        if (failure.compareAndSet(null, e)) {
            LOG.error("connector service stops on error", e);
        } else {
            LOG.error("connector service error after stop", e);
        }
        if (stopping.compareAndSet(false, true)) {
            closeDeadlineNanos = System.nanoTime() + options.closeTimeout().toNanos();
            consumer.wakeup();
        }
    }

    private Instant now() {
        return Instant.ofEpochMilli(options.clock().millis());
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static Properties consumerConfig(String bootstrap, ConnectorOptions o) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, o.groupId());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, o.clientId() + "-consumer");
        // Commands go out in Kafka transactions: an aborted one must never run.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A new group reads from the start; commands older than the timeout are answered, not run.
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        p.putAll(o.consumerProperties());
        return p;
    }

    private static Properties producerConfig(String bootstrap, ConnectorOptions o) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, o.clientId() + "-producer");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        if (o.exactlyOnce()) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, o.transactionalId());
            // A replica that dies with a transaction open holds read_committed readers back this
            // long,
            // unless it comes back first (its restart aborts the transaction at once).
            p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000);
        }
        p.putAll(o.producerProperties());
        return p;
    }

    private record Delivery(TopicPartition tp, Object token, long offset) {}

    /**
     * Exactly-once mode: what the next transaction writes: a record (none for a duplicate), the
     * {@code DONE} ledger entry of a command answered, and the deliveries it answers.
     */
    private record Out(
            String topic,
            byte[] key,
            byte[] value,
            List<Delivery> deliveries,
            String doneId,
            Outcome outcome) {}

    /** One command id: its deliveries wait for one answer. */
    private static final class Job {
        final Command command;
        final Request request;
        final List<Delivery> deliveries = new ArrayList<>();
        final AtomicBoolean done = new AtomicBoolean();
        boolean holdsSlot;
        boolean inDoubt;
        long startedNanos;
        Future<?> future;
        ScheduledFuture<?> timer;

        Job(Command command, Request request, Delivery first) {
            this.command = command;
            this.request = request;
            deliveries.add(first);
        }
    }
}
