package io.vmres.connector.runtime;

import io.vmres.schema.KafkaEndpoint;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
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
 *
 * <p>It wires its parts and owns their lifecycle: the {@link CommandPoller} (the poll thread and
 * rebalances), the {@link CommandDispatcher} (queue, limits, workers and watchdog), the {@link
 * ResultWriter} of its mode ({@link AtLeastOnceResultWriter} or, with {@link
 * ConnectorOptions#exactlyOnce()}, {@link ExactlyOnceResultWriter}) and the {@link
 * ServiceCounters}.
 */
public final class ConnectorService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectorService.class);

    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> producer;
    private final boolean ownsProducer;
    private final ConnectorOptions options;
    private final ServiceState state;
    private final CommandDispatcher dispatcher;
    private final CommandPoller poller;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();

    /**
     * A service with its own consumer ({@code read_committed}, manual commits, group {@link
     * ConnectorOptions#groupId()}) and idempotent producer on the given brokers; in {@link
     * ConnectorOptions#exactlyOnce()} mode the producer is transactional and the service reads its
     * ledger from these brokers at start.
     */
    public ConnectorService(
            String bootstrapServers, HypervisorConnector connector, ConnectorOptions options) {
        this(KafkaEndpoint.of(bootstrapServers), connector, options);
    }

    /**
     * As {@link #ConnectorService(String, HypervisorConnector, ConnectorOptions)}, every client
     * with the client properties of {@code kafka} (security) under the service's own settings.
     */
    public ConnectorService(
            KafkaEndpoint kafka, HypervisorConnector connector, ConnectorOptions options) {
        this(
                new KafkaConsumer<>(ServiceClients.consumerConfig(kafka, options)),
                new KafkaProducer<>(ServiceClients.producerConfig(kafka, options)),
                true,
                kafka,
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
            KafkaEndpoint kafka,
            HypervisorConnector connector,
            ConnectorOptions options,
            CommandLedger ledger) {
        this.consumer = consumer;
        this.producer = producer;
        this.ownsProducer = ownsProducer;
        this.options = options;
        this.state = new ServiceState(options.closeTimeout(), consumer::wakeup);
        ServiceCounters counters = new ServiceCounters();
        PartitionOffsets offsets = new PartitionOffsets();
        // The mode is chosen here, once: nothing else asks which one it is.
        ResultWriter writer =
                options.exactlyOnce()
                        ? new ExactlyOnceResultWriter(
                                producer,
                                consumer,
                                offsets,
                                options,
                                state,
                                ledger != null ? ledger : ledgerOn(kafka, options),
                                counters,
                                kafka)
                        : new AtLeastOnceResultWriter(producer, consumer, offsets, options, state);
        this.dispatcher = new CommandDispatcher(connector, options, counters, state, writer);
        this.poller =
                new CommandPoller(consumer, offsets, dispatcher, writer, counters, state, options);
    }

    /**
     * The ledger read from the brokers; with given clients and no ledger (tests), one with nothing
     * to read.
     */
    private static CommandLedger ledgerOn(KafkaEndpoint kafka, ConnectorOptions options) {
        if (kafka == null) {
            return new CommandLedger();
        }
        return new CommandLedger(() -> CommandLedger.reader(kafka, options));
    }

    /** Starts consuming; returns at once. */
    public ConnectorService start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("already started");
        }
        poller.start();
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
        state.stop(timeout);
        if (started.get()) {
            poller.wakeup();
            try {
                // The poll thread waits for the calls until the deadline, then needs a moment to
                // commit.
                poller.join(timeout.toMillis() + 10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (poller.isAlive()) {
                LOG.warn("connector poll thread still running after close timeout {}", timeout);
            }
        } else {
            consumer.close();
        }
        state.markClosed();
        dispatcher.shutdownNow();
        if (ownsProducer) {
            producer.close(Duration.ofSeconds(10));
        }
    }

    /** Whether the service reads commands: started, not closing, not failed. */
    public boolean isRunning() {
        return started.get() && !state.stopping() && poller.isAlive();
    }

    /** The error that stopped the service, if one did. */
    public Optional<Throwable> failure() {
        return state.failure();
    }

    public ConnectorCounters counters() {
        return dispatcher.counters();
    }

    /** The commands answered by action and status, and their latency, live. */
    public CommandOutcomes outcomes() {
        return dispatcher.outcomes();
    }
}
