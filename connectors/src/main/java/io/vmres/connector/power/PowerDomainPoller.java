package io.vmres.connector.power;

import io.vmres.schema.AvroCodec;
import io.vmres.schema.PowerDomain;
import io.vmres.schema.PowerState;
import io.vmres.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every power device at a fixed interval and publishes the state of each power domain as a
 * {@link PowerDomain} record on {@code vmres.telemetry.power}, keyed by the domain: {@code off}
 * only when every feed of the domain positively reads off, {@code unknown} when a device does not
 * answer in time or answers something unexpected (see {@link PowerDomainRule}). Each device is read
 * once per round, whatever the number of domains it feeds.
 */
public final class PowerDomainPoller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PowerDomainPoller.class);

    private final Map<String, PduReader> readers;
    private final Map<String, List<PowerFeed>> domains;
    private final Map<String, Set<String>> outletsBySource = new TreeMap<>();
    private final Producer<byte[], byte[]> producer;
    private final Clock clock;
    private final long timeoutNanos;
    private final AvroCodec codec = new AvroCodec();
    private final ScheduledExecutorService timer;
    private final ExecutorService devices;

    private final AtomicLong rounds = new AtomicLong();
    private final AtomicLong publishFailures = new AtomicLong();
    private final Map<String, AtomicLong> reads = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> readings = new ConcurrentHashMap<>();
    private final Map<String, PowerState> latest = new ConcurrentHashMap<>();

    /** Starts reading at once, then every {@code settings.interval()}. */
    public PowerDomainPoller(
            PduSettings settings,
            Map<String, PduReader> readers,
            Producer<byte[], byte[]> producer,
            Clock clock) {
        this.readers = Map.copyOf(readers);
        this.domains = settings.domains();
        this.producer = producer;
        this.clock = clock;
        this.timeoutNanos = settings.timeout().toNanos();
        for (List<PowerFeed> feeds : domains.values()) {
            for (PowerFeed f : feeds) {
                // A feed of the whole device reads every outlet: an empty set says so.
                Set<String> wanted =
                        outletsBySource.computeIfAbsent(f.source(), k -> new HashSet<>());
                if (f.outlet().isEmpty()) {
                    wanted.add("");
                } else {
                    wanted.add(f.outlet().get());
                }
            }
        }
        AtomicInteger n = new AtomicInteger();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "vmres-pdu-poll"));
        this.devices =
                Executors.newFixedThreadPool(
                        settings.parallel(), r -> daemon(r, "vmres-pdu-" + n.incrementAndGet()));
        timer.scheduleWithFixedDelay(
                this::safeRound, 0, settings.interval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private void safeRound() {
        try {
            round();
        } catch (RuntimeException e) {
            // A round that failed must not end the schedule: the next one reads again.
            LOG.error("event=pdu-round-failed", e);
        }
    }

    /** One reading of every device, then one record per domain. */
    void round() {
        Map<String, Future<PduReading>> pending = new TreeMap<>();
        for (Map.Entry<String, Set<String>> e : outletsBySource.entrySet()) {
            PduReader reader = readers.get(e.getKey());
            Set<String> outlets = e.getValue().contains("") ? Set.of() : Set.copyOf(e.getValue());
            pending.put(e.getKey(), devices.submit(() -> reader.read(outlets, timeoutNanos)));
        }
        Map<String, PduReading> got = new TreeMap<>();
        long deadline = System.nanoTime() + timeoutNanos + TimeUnit.SECONDS.toNanos(1);
        for (Map.Entry<String, Future<PduReading>> e : pending.entrySet()) {
            PduReading r;
            try {
                r =
                        e.getValue()
                                .get(
                                        Math.max(0, deadline - System.nanoTime()),
                                        TimeUnit.NANOSECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                pending.values().forEach(f -> f.cancel(true));
                return;
            } catch (TimeoutException te) {
                e.getValue().cancel(true);
                r = PduReading.unknown("no answer within the timeout");
            } catch (ExecutionException ee) {
                r = PduReading.unknown(String.valueOf(ee.getCause()));
            }
            count(reads, e.getKey() + "\t" + (r.answered() ? "answered" : "unknown"));
            if (!r.answered()) {
                LOG.info("source={} event=pdu-unknown detail=\"{}\"", e.getKey(), r.detail());
            }
            got.put(e.getKey(), r);
        }
        Instant ts = Instant.ofEpochMilli(clock.millis());
        for (Map.Entry<String, List<PowerFeed>> d : domains.entrySet()) {
            PowerState state = PowerDomainRule.domain(d.getValue(), got);
            publish(d.getKey(), state, sourceOf(d.getValue()), ts);
            PowerState before = latest.put(d.getKey(), state);
            if (before != state) {
                LOG.info(
                        "domain={} event=power-domain state={} was={} feeds={}",
                        d.getKey(),
                        state,
                        before,
                        d.getValue());
            }
        }
        rounds.incrementAndGet();
    }

    private static String sourceOf(List<PowerFeed> feeds) {
        return String.join(",", feeds.stream().map(PowerFeed::source).distinct().toList());
    }

    private void publish(String domain, PowerState state, String source, Instant ts) {
        PowerDomain p =
                PowerDomain.newBuilder()
                        .setPowerDomain(domain)
                        .setState(state)
                        .setSource(source)
                        .setTs(ts)
                        .build();
        count(readings, domain + "\t" + state);
        producer.send(
                new ProducerRecord<>(
                        Topics.POWER, domain.getBytes(StandardCharsets.UTF_8), codec.encode(p)),
                (md, e) -> {
                    if (e != null) {
                        publishFailures.incrementAndGet();
                        LOG.warn(
                                "domain={} event=publish-failed error=\"{}\"",
                                domain,
                                e.toString());
                    }
                });
    }

    private static void count(Map<String, AtomicLong> m, String key) {
        m.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    }

    /** Rounds done. */
    public long rounds() {
        return rounds.get();
    }

    /** Records that Kafka refused. */
    public long publishFailures() {
        return publishFailures.get();
    }

    /** Device reads by source and outcome ({@code answered}, {@code unknown}). */
    public Map<String, Map<String, Long>> reads() {
        return split(reads);
    }

    /** Readings published by domain and state. */
    public Map<String, Map<String, Long>> readings() {
        return split(readings);
    }

    /** The latest state of each domain (none before its first round). */
    public Map<String, PowerState> latest() {
        return new TreeMap<>(latest);
    }

    /** The domains read, sorted. */
    public List<String> domains() {
        return new ArrayList<>(domains.keySet());
    }

    private static Map<String, Map<String, Long>> split(Map<String, AtomicLong> m) {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        m.forEach(
                (k, v) -> {
                    int tab = k.indexOf('\t');
                    out.computeIfAbsent(k.substring(0, tab), x -> new TreeMap<>())
                            .put(k.substring(tab + 1), v.get());
                });
        return out;
    }

    /** Stops reading; a round in progress is interrupted. Closes no reader and not the producer. */
    @Override
    public void close() {
        timer.shutdownNow();
        devices.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
            devices.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
