package io.vmres.connector.ipmi;

import io.vmres.connector.runtime.TransientException;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Power;
import io.vmres.schema.PowerState;
import io.vmres.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the power of every host through its BMC at a fixed interval and publishes each reading as a
 * {@link Power} record on {@code vmres.telemetry.power}, keyed by host: {@code on}, {@code off}, or
 * {@code unknown} when the BMC does not answer or answers something unreadable. A reading of {@code
 * off} is proof for vmres that a host is down; {@code unknown} is none.
 */
public final class PowerPoller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PowerPoller.class);

    private final IpmiFencer ipmi;
    private final List<String> hosts;
    private final Producer<byte[], byte[]> producer;
    private final Clock clock;
    private final AvroCodec codec = new AvroCodec();
    private final ScheduledExecutorService timer;
    private final ExecutorService readers;
    private final AtomicLong published = new AtomicLong();

    /**
     * Starts reading at once, then every {@code interval}, with at most {@code parallel} BMCs read
     * at a time.
     */
    public PowerPoller(
            IpmiFencer ipmi,
            List<String> hosts,
            Producer<byte[], byte[]> producer,
            Duration interval,
            int parallel,
            Clock clock) {
        this.ipmi = ipmi;
        this.hosts = List.copyOf(hosts);
        this.producer = producer;
        this.clock = clock;
        AtomicInteger n = new AtomicInteger();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "vmres-power-poll"));
        this.readers =
                Executors.newFixedThreadPool(
                        parallel, r -> daemon(r, "vmres-power-" + n.incrementAndGet()));
        timer.scheduleWithFixedDelay(this::round, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Readings published so far. */
    public long published() {
        return published.get();
    }

    /** One reading of every host; returns when all are published. */
    private void round() {
        List<Future<?>> reads = new ArrayList<>();
        for (String h : hosts) {
            reads.add(readers.submit(() -> readAndPublish(h)));
        }
        for (Future<?> f : reads) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                LOG.warn("power reading failed: {}", e.toString());
            }
        }
    }

    private void readAndPublish(String host) {
        PowerState state;
        try {
            state = ipmi.power(host) == IpmiFencer.Power.OFF ? PowerState.off : PowerState.on;
        } catch (TransientException e) {
            LOG.info("host={} event=power-unknown error=\"{}\"", host, e.getMessage());
            state = PowerState.unknown;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Power p =
                Power.newBuilder()
                        .setHost(host)
                        .setState(state)
                        .setTs(Instant.ofEpochMilli(clock.millis()))
                        .build();
        producer.send(
                new ProducerRecord<>(
                        Topics.POWER, host.getBytes(StandardCharsets.UTF_8), codec.encode(p)));
        published.incrementAndGet();
    }

    /** Stops reading; a round in progress is interrupted. Does not close the producer. */
    @Override
    public void close() {
        timer.shutdownNow();
        readers.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
            readers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
