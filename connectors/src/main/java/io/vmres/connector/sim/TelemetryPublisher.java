package io.vmres.connector.sim;

import io.vmres.schema.AvroCodec;
import io.vmres.schema.Channel;
import io.vmres.schema.Health;
import io.vmres.schema.Heartbeat;
import io.vmres.schema.Power;
import io.vmres.schema.PowerState;
import io.vmres.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a {@link SimulatedFleet}'s inventory and telemetry in live mode ({@code ts} = the
 * fleet's clock): on {@link #start()} every {@code Host} and {@code Vm} on the inventory topic,
 * then each heartbeat interval a {@code Heartbeat} per channel of every host that still sends them,
 * every few rounds a {@code Power} reading of every host with a BMC, and now and then benign {@code
 * Health} samples; each host at its phase of the interval when the fleet beats at several ({@code
 * beatPhases}). Keys are the host id (for a {@code Vm}, the host it runs on, so that a host's
 * record comes before its VMs in one partition), as {@link Topics} says. The producer stays the
 * caller's.
 */
public final class TelemetryPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TelemetryPublisher.class);

    private final SimulatedFleet fleet;
    private final Producer<byte[], byte[]> producer;
    private final SimulatedFleet.Builder settings;
    private final AvroCodec codec = new AvroCodec();
    private final Random random; // guarded by the fleet's lock
    private final AtomicLong rounds = new AtomicLong(); // rounds begun: decides power and health
    private final AtomicLong ticks = new AtomicLong(); // rounds done
    private long phase; // the phase of the round under way (the timer's thread)
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private volatile String firstLoss;
    private ScheduledExecutorService timer;
    private volatile boolean closed;

    TelemetryPublisher(
            SimulatedFleet fleet,
            Producer<byte[], byte[]> producer,
            SimulatedFleet.Builder settings) {
        this.fleet = fleet;
        this.producer = producer;
        this.settings = settings;
        this.random = new Random(settings.seed ^ 0x5EED_7E1EL);
    }

    /** Publishes the inventory, then a round of telemetry every heartbeat interval. */
    public synchronized TelemetryPublisher start() {
        if (timer != null || closed) {
            throw new IllegalStateException("already started or closed");
        }
        publishInventory();
        timer =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "vmres-sim-telemetry");
                            t.setDaemon(true);
                            return t;
                        });
        long period = settings.heartbeatInterval.toNanos() / settings.beatPhases;
        timer.scheduleAtFixedRate(this::safePhase, 0, Math.max(1, period), TimeUnit.NANOSECONDS);
        return this;
    }

    /** Every host, then every VM, as they are now. */
    public void publishInventory() {
        synchronized (fleet) {
            Instant ts = now();
            for (FleetHost h : fleet.hostsLocked().values()) {
                send(Topics.INVENTORY, h.host(), h.toAvro(ts));
            }
            for (FleetVm v : fleet.vmsLocked()) {
                send(Topics.INVENTORY, v.host(), v.toAvro(ts));
            }
        }
    }

    /**
     * One round: heartbeats of every host on every channel it still beats on; on the first round
     * and every {@code powerEveryTicks} after, a power reading of every host with a BMC; every
     * {@code healthEveryTicks}, health samples of a share of the live hosts. Holding the fleet's
     * lock, so that no beat or reading goes out after a fault that stops it. Every host at once,
     * whatever its phase.
     */
    public void tick() {
        long n = rounds.getAndIncrement();
        publish(n, 0, 1);
        ticks.incrementAndGet();
    }

    /** The next phase of the round under way; the first begins a round, the last ends it. */
    void nextPhase() {
        int phases = settings.beatPhases;
        long n = phase == 0 ? rounds.getAndIncrement() : rounds.get() - 1;
        publish(n, (int) phase, phases);
        phase = (phase + 1) % phases;
        if (phase == 0) {
            ticks.incrementAndGet();
        }
    }

    /** The telemetry of round {@code n} of the hosts whose index is {@code k} mod {@code of}. */
    private void publish(long n, int k, int of) {
        synchronized (fleet) {
            if (fleet.telemetryOutage()) {
                return; // nothing gets through, though the hosts are fine
            }
            Instant ts = now();
            Map<String, SimulatedFleet.HostCondition> conditions = fleet.conditionsLocked();
            int i = 0;
            for (FleetHost h : fleet.hostsLocked().values()) {
                if (i++ % of != k) {
                    continue;
                }
                SimulatedFleet.HostCondition c = conditions.get(h.host());
                if (c.poweredOn && c.mgmt) {
                    send(Topics.HEARTBEAT, h.host(), beat(h.host(), Channel.mgmt, ts));
                }
                if (c.poweredOn && c.storage) {
                    send(Topics.HEARTBEAT, h.host(), beat(h.host(), Channel.storage, ts));
                }
                if (n % settings.powerEveryTicks == 0 && h.bmc()) {
                    publishPower(h.host(), c.bmcReading(), ts);
                }
                if (n % settings.healthEveryTicks == 0
                        && c.poweredOn
                        && random.nextDouble() < settings.healthSampleFraction) {
                    // Well below every threshold of the detection rules: background, not a fault.
                    publishHealth(
                            h.host(), "cpu_temp_c", 50 + 10 * random.nextDouble(), "cpu0", ts);
                    publishHealth(h.host(), "inlet_temp_c", 20 + 5 * random.nextDouble(), null, ts);
                }
            }
        }
    }

    /** Rounds fully published so far. */
    public long ticks() {
        return ticks.get();
    }

    /** Records handed to the producer so far. */
    public long published() {
        return published.get();
    }

    /**
     * Records handed to the producer that the broker did not take (each logged as it failed): a
     * reader that counts on {@link #published()} records would wait for these in vain.
     */
    public long lost() {
        return lost.get();
    }

    /** The first record {@link #lost()} and why, or null if none was. */
    public String firstLoss() {
        return firstLoss;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Stops the rounds and detaches from the fleet; flushes, but does not close, the producer. */
    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdown(); // no interrupt: a send cut short would be lost
            try {
                if (!timer.awaitTermination(5, TimeUnit.SECONDS)) {
                    LOG.warn("telemetry thread did not stop within 5 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Only now: the round under way when close began is published whole.
        closed = true;
        fleet.detach(this);
        producer.flush();
    }

    void publishPower(String host, PowerState state, Instant ts) {
        send(
                Topics.POWER,
                host,
                Power.newBuilder().setHost(host).setState(state).setTs(ts).build());
    }

    void publishHealth(String host, String sensor, double value, String component, Instant ts) {
        send(
                Topics.HEALTH,
                host,
                Health.newBuilder()
                        .setHost(host)
                        .setSensor(sensor)
                        .setValue(value)
                        .setComponent(component)
                        .setTs(ts)
                        .build());
    }

    void publishVm(FleetVm vm, Instant ts) {
        send(Topics.INVENTORY, vm.host(), vm.toAvro(ts));
    }

    private void safePhase() {
        try {
            nextPhase();
        } catch (RuntimeException e) {
            // A periodic run that throws is never scheduled again: log and keep the fleet beating.
            LOG.error("telemetry round failed", e);
        }
    }

    private static Heartbeat beat(String host, Channel channel, Instant ts) {
        return Heartbeat.newBuilder().setHost(host).setChannel(channel).setTs(ts).build();
    }

    private void send(String topic, String key, SpecificRecord value) {
        if (closed) {
            return;
        }
        producer.send(
                new ProducerRecord<>(
                        topic, key.getBytes(StandardCharsets.UTF_8), codec.encode(value)),
                (md, e) -> {
                    if (e != null) {
                        if (lost.getAndIncrement() == 0) {
                            firstLoss = topic + " for " + key + ": " + e;
                        }
                        LOG.warn(
                                "telemetry record to {} for {} not written: {}",
                                topic,
                                key,
                                e.toString());
                    }
                });
        published.incrementAndGet();
    }

    private Instant now() {
        return Instant.ofEpochMilli(fleet.clock().millis());
    }
}
