package io.vmres.deploy.commands;

import io.vmres.connector.runtime.ConnectorCounters;
import io.vmres.connector.runtime.ConnectorOptions;
import io.vmres.connector.runtime.ConnectorService;
import io.vmres.connector.runtime.ConnectorSettings;
import io.vmres.connector.runtime.HypervisorConnector;
import io.vmres.connector.runtime.MetricsServer;
import io.vmres.connector.sim.Latency;
import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.connector.sim.SimulatedHypervisor;
import io.vmres.connector.sim.TelemetryPublisher;
import io.vmres.deploy.runtime.Lifecycle;
import io.vmres.schema.Action;
import io.vmres.schema.KafkaEndpoint;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code vmres connector --type sim}: a connector service running commands against a simulated
 * fleet, whose telemetry it publishes too, so that a job on the same Kafka watches that fleet and
 * drives it.
 */
public final class SimConnector {
    private static final Duration REACH_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration PRODUCER_CLOSE = Duration.ofSeconds(5);

    /** The settings key of the telemetry producer's own client properties file. */
    public static final String TELEMETRY_KAFKA_PROPERTIES = "sim.telemetry.kafka.properties";

    private SimConnector() {}

    /** Runs with every default (no configuration file). */
    public static int run(KafkaEndpoint kafka, Lifecycle lifecycle, PrintStream out)
            throws Exception {
        return run(kafka, ConnectorSettings.empty(), lifecycle, out);
    }

    /**
     * Runs until Ctrl-C closes the lifecycle, or until the connector service fails. Settings: the
     * service's (see {@link ConnectorSettings#options}), and {@code sim.hosts}, {@code
     * sim.vms.per.host}, {@code sim.clusters}, {@code sim.seed}, {@code sim.ledger.file}, {@code
     * sim.telemetry}, {@code sim.latency.median}, {@code sim.latency.sigma}, and {@code
     * sim.hypervisor.port} (serve the hypervisor there, see {@link HypervisorEndpoint}, and run no
     * connector), {@code sim.telemetry.kafka.properties} (the client properties of the telemetry's
     * producer, which writes as the fleet's hosts, inventory source and BMCs: another principal
     * than the connector's).
     *
     * @return the process exit code
     */
    public static int run(
            KafkaEndpoint kafka, ConnectorSettings settings, Lifecycle lifecycle, PrintStream out)
            throws Exception {
        return run(kafka, settings, lifecycle, out, fleet -> {});
    }

    /**
     * As {@link #run(KafkaEndpoint, ConnectorSettings, Lifecycle, PrintStream)}, handing the fleet
     * to {@code withFleet} once its telemetry is published and before the connector serves: {@code
     * vmres fleet} attaches its crash control there.
     */
    public static int run(
            KafkaEndpoint kafka,
            ConnectorSettings settings,
            Lifecycle lifecycle,
            PrintStream out,
            FleetHook withFleet)
            throws Exception {
        checkReachable(kafka);
        SimulatedFleet.Builder fb =
                SimulatedFleet.builder()
                        .hosts(settings.getInt("sim.hosts", 200))
                        .vmsPerHost(settings.getInt("sim.vms.per.host", 10))
                        .clusters(settings.getInt("sim.clusters", 2))
                        .seed(settings.getInt("sim.seed", 1));
        settings.get("sim.ledger.file").map(Path::of).ifPresent(fb::ledgerFile);
        SimulatedFleet fleet = fb.build();
        SimulatedHypervisor.Builder hb =
                SimulatedHypervisor.builder(fleet).seed(settings.getInt("sim.seed", 1));
        if (settings.get("sim.latency.median").isPresent()) {
            Duration median = settings.getDuration("sim.latency.median", Duration.ofSeconds(1));
            double sigma = Double.parseDouble(settings.get("sim.latency.sigma", "0.4"));
            for (Action a : Action.values()) {
                hb.latency(a, median.isZero() ? Latency.NONE : Latency.logNormal(median, sigma));
            }
        }
        SimulatedHypervisor hypervisor = hb.build();
        TelemetryPublisher telemetry = null;
        if (settings.getBoolean("sim.telemetry", true)) {
            // The lifecycle closes newest first: telemetry, then the connector, then the producer.
            Producer<byte[], byte[]> producer =
                    telemetryProducer(settings.kafka(TELEMETRY_KAFKA_PROPERTIES, kafka));
            // Bounded: a send stuck on an unreachable broker must not hold Ctrl-C for the two
            // minutes
            // of the producer's delivery timeout.
            lifecycle.register((AutoCloseable) () -> producer.close(PRODUCER_CLOSE));
            telemetry = lifecycle.start(() -> fleet.telemetry(producer).start());
        }
        out.printf(
                Locale.ROOT,
                "Simulated connector on %s: %s, %s; %s, commands run." + " Press Ctrl-C to stop.%n",
                kafka.bootstrap(),
                Words.count(fleet.hosts().size(), "host"),
                Words.count(fleet.vms().size(), "VM"),
                telemetry == null ? "no telemetry" : "telemetry published");
        if (settings.get("sim.hypervisor.port").isPresent()) {
            // the connector runs elsewhere (`vmres fleet connector`): serve it the hypervisor
            HypervisorEndpoint endpoint =
                    lifecycle.start(
                            () ->
                                    HypervisorEndpoint.start(
                                            hypervisor, settings.getInt("sim.hypervisor.port", 0)));
            out.println("Hypervisor on " + endpoint.url());
            withFleet.attach(fleet);
            lifecycle.awaitShutdown();
            return 0;
        }
        withFleet.attach(fleet);
        // a simulated fleet moves nothing real: unsigned commands are allowed, but told
        HardwareConnector.warnUnsigned(
                settings.get(ConnectorSettings.SIGNING_KEYS).isPresent(), out);
        ConnectorCounters c =
                serve(
                        kafka,
                        hypervisor,
                        settings.options("vmres-connector"),
                        settings,
                        lifecycle,
                        out);
        out.printf(
                Locale.ROOT,
                "Connector stopped: %s received, %d succeeded, %d failed, %d timed out;"
                        + " %s published.%n",
                Words.count(c.received(), "command"),
                c.succeeded(),
                c.failed(),
                c.timedOut(),
                Words.count(telemetry == null ? 0 : telemetry.published(), "telemetry record"));
        return 0;
    }

    /**
     * What a caller adds to the running fleet; whatever it starts, it registers with the lifecycle.
     */
    @FunctionalInterface
    public interface FleetHook {
        void attach(SimulatedFleet fleet) throws Exception;
    }

    /**
     * Runs a connector service until Ctrl-C, printing its metrics every {@code metrics.interval}
     * (default 60 s) as one {@code key=value} line; throws when the service fails.
     *
     * @return the service's last counters
     */
    public static ConnectorCounters serve(
            KafkaEndpoint kafka,
            HypervisorConnector hypervisor,
            ConnectorOptions options,
            ConnectorSettings settings,
            Lifecycle lifecycle,
            PrintStream out)
            throws Exception {
        ConnectorService connector =
                lifecycle.start(() -> new ConnectorService(kafka, hypervisor, options).start());
        MetricsServer metricsServer = MetricsServer.fromSettings(settings, connector);
        if (metricsServer != null) {
            lifecycle.register(metricsServer);
            out.printf(
                    Locale.ROOT,
                    "metrics on http://%s:%d/metrics%n",
                    settings.get("metrics.host", "127.0.0.1"),
                    metricsServer.port());
        }
        Duration every = settings.getDuration("metrics.interval", Duration.ofSeconds(60));
        long next = System.nanoTime() + every.toNanos();
        while (!lifecycle.awaitShutdown(Duration.ofSeconds(1))) {
            if (connector.failure().isPresent()) {
                throw new IllegalStateException(
                        "the connector stopped: " + connector.failure().get().getMessage(),
                        connector.failure().get());
            }
            if (System.nanoTime() > next) {
                next = System.nanoTime() + every.toNanos();
                out.println(metrics(connector.counters()));
            }
        }
        return connector.counters();
    }

    /** One line of metrics, {@code key=value}, for logs and scrapers. */
    public static String metrics(ConnectorCounters c) {
        return String.format(
                Locale.ROOT,
                "metrics received=%d running=%d queued=%d succeeded=%d failed=%d timedOut=%d"
                        + " duplicates=%d inDoubt=%d skipped=%d retries=%d deadLetters=%d latencyMeanMs=%.0f"
                        + " latencyMaxMs=%d",
                c.received(),
                c.running(),
                c.queued(),
                c.succeeded(),
                c.failed(),
                c.timedOut(),
                c.duplicates(),
                c.inDoubt(),
                c.skipped(),
                c.retries(),
                c.deadLetters(),
                c.latencyMeanMillis(),
                c.latencyMaxMillis());
    }

    /**
     * The telemetry's producer. A beat that cannot be delivered within half a minute is stale for
     * detection anyway, and the publisher's flush on Ctrl-C waits for at most that long.
     */
    static Producer<byte[], byte[]> telemetryProducer(KafkaEndpoint kafka) {
        return new KafkaProducer<>(
                kafka.client(
                        Map.of(
                                ProducerConfig.LINGER_MS_CONFIG, 5,
                                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000)),
                new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    /** Fails at once, with a message, when no broker answers at {@code bootstrap}. */
    static void checkReachable(KafkaEndpoint kafka) throws InterruptedException {
        try (Admin admin =
                Admin.create(
                        kafka.client(
                                Map.of(
                                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                                        (int) REACH_TIMEOUT.toMillis(),
                                        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                                        (int) REACH_TIMEOUT.toMillis())))) {
            admin.describeCluster()
                    .clusterId()
                    .get(REACH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot reach Kafka at " + kafka.bootstrap(), e);
        }
    }
}
